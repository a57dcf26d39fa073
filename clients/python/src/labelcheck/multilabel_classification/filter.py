"""cleanlab.multilabel_classification.filter, computed by ``POST /v1/multilabel/label-issues``.

Labels (a list of class lists) travel as an N×K 0/1 ``.npy`` matrix.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import numpy as np

from .._util import as_pred_probs, emit_warnings, indices_of, is_falsy, is_none, mask_of, options, reject
from ..local import get_client

LOW = ("low_self_confidence", "low_normalized_margin")


def one_hot(labels: Any, k: int) -> np.ndarray:
    """The N×K uint8 one-hot matrix of a list of class lists (duplicates ignored)."""
    if isinstance(labels, np.ndarray) and labels.ndim == 2:
        return np.ascontiguousarray(labels.astype(np.uint8))
    rows = list(labels)
    y = np.zeros((len(rows), k), dtype=np.uint8)
    for i, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__iter__"):
            raise ValueError(f"labels must be a list of lists of class indices for multi-label data; labels[{i}] = {row!r}")
        for c in row:
            c = int(c)
            if not 0 <= c < k:
                raise ValueError(f"labels[{i}] contains class {c}, outside 0..{k - 1} (pred_probs has {k} columns)")
            y[i, c] = 1
    return y


def multilabel_body(labels: Any, pred_probs: Any, opts: Dict[str, Any]) -> Dict[str, Any]:
    pp = as_pred_probs(pred_probs)
    body = get_client().compute("multilabel/label-issues", {"labels": one_hot(labels, pp.shape[1]), "pred_probs": pp}, opts)
    emit_warnings(body)
    return body


def find_label_issues(
    labels: Any,
    pred_probs: Any,
    return_indices_ranked_by: Optional[str] = None,
    rank_by_kwargs: Optional[Dict[str, Any]] = None,
    filter_by: str = "prune_by_noise_rate",
    frac_noise: float = 1.0,
    num_to_remove_per_class: Optional[List[int]] = None,
    min_examples_per_class: int = 1,
    confident_joint: Any = None,
    n_jobs: Optional[int] = None,
    verbose: bool = False,
    low_memory: bool = False,
) -> np.ndarray:
    """cleanlab.multilabel_classification.filter.find_label_issues (bool mask or int64 indices).

    Ranking is supported by ``self_confidence`` (the multi-label score with the default
    exponential moving average), except after a ``low_*`` filter.
    """
    fn = "multilabel_classification.filter.find_label_issues"
    reject(
        fn,
        return_indices_ranked_by=(return_indices_ranked_by, lambda v: v in (None, "self_confidence")),
        rank_by_kwargs=(rank_by_kwargs, is_falsy),
        num_to_remove_per_class=(num_to_remove_per_class, is_none),
        confident_joint=(confident_joint, is_none),
        low_memory=(low_memory, is_falsy),
    )
    if return_indices_ranked_by is not None and filter_by in LOW:
        raise NotImplementedError(f"labelcheck's {fn} does not support return_indices_ranked_by with filter_by={filter_by!r}")
    body = multilabel_body(
        labels,
        pred_probs,
        options(filter_by=filter_by, frac_noise=float(frac_noise), min_examples_per_class=int(min_examples_per_class), limit=0),
    )
    idx = indices_of(body["label_issues"])
    if return_indices_ranked_by is not None:
        return idx
    return mask_of(idx, int(body["num_examples"]))
