"""cleanlab.multiannotator, computed by ``POST /v1/multiannotator/consensus`` (CROWDLAB).

``labels_multiannotator`` is an N×M array (NaN = no annotation) or a DataFrame (its index
and columns label the outputs, as in cleanlab). It travels as an int64 ``.npy`` with -1
for a missing annotation.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

from ._util import as_pred_probs, emit_warnings, is_falsy, pandas, reject
from .local import get_client

SERVER_METHOD = {"best_quality": "crowdlab", "majority_vote": "majority_vote"}
FN = "get_label_quality_multiannotator"


def _annotations(labels_multiannotator: Any) -> Tuple[np.ndarray, Any, Any]:
    """(float N×M matrix with NaN = missing, annotator ids or None, row index or None)."""
    try:
        import pandas as pd
    except ImportError:
        pd = None
    if pd is not None and isinstance(labels_multiannotator, pd.DataFrame):
        frame = labels_multiannotator
        values = frame.replace({pd.NA: np.nan}).astype(float).to_numpy()
        return values, frame.columns, frame.index
    if isinstance(labels_multiannotator, np.ndarray):
        return labels_multiannotator.astype(float), None, None
    raise ValueError("labels_multiannotator must be either a NumPy array or Pandas DataFrame.")


def _as_npy_labels(values: np.ndarray) -> np.ndarray:
    if values.ndim != 2:
        raise ValueError(f"labels_multiannotator must be a 2-D array (N examples x M annotators); got shape {values.shape}")
    present = ~np.isnan(values)
    if np.any(values[present] != np.round(values[present])) or np.any(values[present] < 0):
        raise ValueError("labels_multiannotator must hold non-negative integer class labels (NaN = no annotation)")
    out = np.full(values.shape, -1, dtype=np.int64)
    out[present] = values[present].astype(np.int64)
    return out


def get_label_quality_multiannotator(
    labels_multiannotator: Any,
    pred_probs: Any,
    *,
    consensus_method: Union[str, List[str]] = "best_quality",
    quality_method: str = "crowdlab",
    calibrate_probs: bool = False,
    return_detailed_quality: bool = True,
    return_annotator_stats: bool = True,
    return_weights: bool = False,
    verbose: bool = True,
    label_quality_score_kwargs: Optional[Dict[str, Any]] = None,
) -> Dict[str, Any]:
    """cleanlab.multiannotator.get_label_quality_multiannotator.

    Returns cleanlab's dict, in cleanlab's key order: ``label_quality`` (one row per
    example), ``detailed_label_quality`` if ``return_detailed_quality`` (cleanlab's default:
    an N x M float64 DataFrame of the quality of each single annotation, columns
    ``quality_annotator_<annotator id>``, NaN where the annotator did not label the example;
    computed for the first consensus method) and ``annotator_stats`` if
    ``return_annotator_stats`` -- DataFrames with cleanlab's columns, dtypes, index and order.
    ``quality_method="agreement"``, ``return_weights=True`` and
    ``label_quality_score_kwargs`` raise NotImplementedError.
    """
    pd = pandas()
    methods = consensus_method if isinstance(consensus_method, list) else [consensus_method]
    for m in methods:
        if m not in SERVER_METHOD:
            raise ValueError(f"{m} is not a valid consensus method! Please choose a valid consensus_method: {list(SERVER_METHOD)}")
    if return_weights and quality_method != "crowdlab":
        raise ValueError(
            "Model and annotator weights are only applicable to the crowdlab quality method. "
            "Either set return_weights=False or quality_method='crowdlab'."
        )
    reject(
        FN,
        quality_method=(quality_method, lambda v: v == "crowdlab"),
        return_weights=(return_weights, is_falsy),
        label_quality_score_kwargs=(label_quality_score_kwargs, is_falsy),
    )
    if pred_probs is None:
        raise ValueError("pred_probs is required (an N x K array of predicted class probabilities)")
    values, annotator_ids, index_col = _annotations(labels_multiannotator)
    arrays = {"labels_multiannotator": _as_npy_labels(values), "pred_probs": as_pred_probs(pred_probs)}

    label_quality = pd.DataFrame({"num_annotations": np.sum(~np.isnan(values), axis=1)}, index=index_col)
    annotator_stats = None
    detailed = None
    for i, method in enumerate(methods):
        options: Dict[str, Any] = {"method": SERVER_METHOD[method], "calibrate_probs": bool(calibrate_probs)}
        if i == 0 and return_detailed_quality:
            options["return_detailed_quality"] = True
        body = get_client().compute("multiannotator/consensus", arrays, options)
        emit_warnings(body)
        ex = body["examples"]
        cols = {
            "consensus_label": np.array([r["consensus_label"] for r in ex], dtype=np.int64),
            "consensus_quality_score": np.array([r["consensus_quality_score"] for r in ex], dtype=np.float64),
            "annotator_agreement": np.array([r["annotator_agreement"] for r in ex], dtype=np.float64),
        }
        if i == 0:
            for name, col in cols.items():
                label_quality[name] = col
            label_quality = label_quality.reindex(columns=[*cols, "num_annotations"])
            annotator_stats = _annotator_frame(pd, body["annotators"], annotator_ids)
            if return_detailed_quality:
                detailed = _detailed_frame(pd, body["detailed_label_quality"], annotator_ids, index_col)
        else:
            for name, col in cols.items():
                label_quality[f"{name}_{method}"] = col
    info: Dict[str, Any] = {"label_quality": label_quality}
    if return_detailed_quality:
        info["detailed_label_quality"] = detailed
    if return_annotator_stats:
        info["annotator_stats"] = annotator_stats
    return info


def _annotator_frame(pd: Any, records: List[Dict[str, Any]], annotator_ids: Any) -> Any:
    order = np.array([r["annotator"] for r in records], dtype=np.int64)
    index = annotator_ids[order] if annotator_ids is not None else pd.Index(order)
    quality = [np.nan if r["annotator_quality"] is None else r["annotator_quality"] for r in records]
    return pd.DataFrame(
        {
            "annotator_quality": np.array(quality, dtype=np.float64),
            "agreement_with_consensus": np.array([r["agreement_with_consensus"] for r in records], dtype=np.float64),
            "worst_class": np.array([r["worst_class"] for r in records], dtype=np.int64),
            "num_examples_labeled": np.array([r["num_examples_labeled"] for r in records], dtype=np.int64),
        },
        index=index,
    )


def _detailed_frame(pd: Any, rows: List[List[Optional[float]]], annotator_ids: Any, index_col: Any) -> Any:
    """The server's N x M table (null = not labelled) as cleanlab's DataFrame: float64 with
    NaN, the input's row index, columns ``quality_annotator_<annotator id>``."""
    table = np.array(rows, dtype=np.float64)  # None -> NaN
    return pd.DataFrame(table, index=index_col, columns=annotator_ids).add_prefix("quality_annotator_")
