"""cleanlab.filter, computed by a labelcheck server (``POST /v1/label-issues``)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import numpy as np

from ._util import as_labels, as_pred_probs, emit_warnings, indices_of, int_list, is_falsy, is_none, mask_of, options, reject
from .local import get_client

RANK_BY_KWARGS = ("adjust_pred_probs",)


def find_label_issues(
    labels: Any,
    pred_probs: Any,
    *,
    return_indices_ranked_by: Optional[str] = None,
    rank_by_kwargs: Optional[Dict[str, Any]] = None,
    filter_by: str = "prune_by_noise_rate",
    frac_noise: float = 1.0,
    num_to_remove_per_class: Optional[List[int]] = None,
    min_examples_per_class: int = 1,
    confident_joint: Any = None,
    n_jobs: Optional[int] = None,
    verbose: bool = False,
    multi_label: bool = False,
    low_memory: bool = False,
) -> np.ndarray:
    """cleanlab.filter.find_label_issues.

    Returns a boolean mask over the N examples, or -- with ``return_indices_ranked_by`` --
    the int64 indices of the flagged examples, worst first. ``n_jobs`` and ``verbose`` are
    accepted and ignored; ``multi_label=True`` runs
    :func:`labelcheck.multilabel_classification.filter.find_label_issues`.
    """
    if multi_label:
        from .multilabel_classification.filter import find_label_issues as find_multilabel

        return find_multilabel(
            labels,
            pred_probs,
            return_indices_ranked_by=return_indices_ranked_by,
            rank_by_kwargs=rank_by_kwargs,
            filter_by=filter_by,
            frac_noise=frac_noise,
            num_to_remove_per_class=num_to_remove_per_class,
            min_examples_per_class=min_examples_per_class,
            confident_joint=confident_joint,
            low_memory=low_memory,
        )
    rank_by_kwargs = dict(rank_by_kwargs or {})
    reject(
        "find_label_issues",
        confident_joint=(confident_joint, is_none),
        low_memory=(low_memory, is_falsy),
        rank_by_kwargs=(rank_by_kwargs, lambda kw: set(kw) <= set(RANK_BY_KWARGS)),
    )
    labels_arr = as_labels(labels)
    body = get_client().compute(
        "label-issues",
        {"labels": labels_arr, "pred_probs": as_pred_probs(pred_probs)},
        options(
            filter_by=filter_by,
            rank_by=return_indices_ranked_by,
            frac_noise=float(frac_noise),
            num_to_remove_per_class=int_list(num_to_remove_per_class),
            min_examples_per_class=int(min_examples_per_class),
            adjust_pred_probs=bool(rank_by_kwargs.get("adjust_pred_probs", False)),
            limit=0,
        ),
        job_kind="label-issues",
    )
    emit_warnings(body)
    idx = indices_of(body["label_issues"])
    if return_indices_ranked_by is not None:
        return idx
    return mask_of(idx, len(labels_arr))
