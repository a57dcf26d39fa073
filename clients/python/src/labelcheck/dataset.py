"""cleanlab.dataset, computed by a labelcheck server (``POST /v1/dataset-health``).

The DataFrames have cleanlab's columns, dtypes (int64 counts and indices, float64 scores)
and row order, with a fresh RangeIndex as cleanlab's ``reset_index(drop=True)`` gives.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Sequence

import numpy as np

from ._util import as_labels, as_pred_probs, emit_warnings, is_falsy, is_none, pandas, reject
from .count import estimate_joint
from .local import get_client


def _check(function: str, labels: Any, num_examples: Any, joint: Any, confident_joint: Any, multi_label: bool) -> None:
    reject(function, joint=(joint, is_none), confident_joint=(confident_joint, is_none))
    if multi_label:
        raise ValueError(
            "For multilabel data, please instead call: multilabel_classification.dataset functions (not provided by labelcheck)"
        )
    if labels is None:
        raise ValueError("labelcheck needs labels and pred_probs")
    reject(function, num_examples=(num_examples, lambda v: v is None or int(v) == len(labels)))


def _health(labels: Any, pred_probs: Any, asymmetric: bool = False) -> Dict[str, Any]:
    body = get_client().compute(
        "dataset-health",
        {"labels": as_labels(labels), "pred_probs": as_pred_probs(pred_probs)},
        {"asymmetric": bool(asymmetric)},
        job_kind="dataset-health",
    )
    emit_warnings(body)
    return body


def _classes_frame(records: Sequence[Dict[str, Any]], class_names: Optional[Sequence[str]]) -> Any:
    pd = pandas()
    cls = np.array([r["class"] for r in records], dtype=np.int64)
    df = pd.DataFrame(
        {
            "Class Index": cls,
            "Label Issues": np.array([r["label_issues"] for r in records], dtype=np.int64),
            "Inverse Label Issues": np.array([r["inverse_label_issues"] for r in records], dtype=np.int64),
            "Label Noise": np.array([r["label_noise"] for r in records], dtype=np.float64),
            "Inverse Label Noise": np.array([r["inverse_label_noise"] for r in records], dtype=np.float64),
            "Label Quality Score": np.array([r["label_quality"] for r in records], dtype=np.float64),
        }
    )
    if class_names is not None:
        names = list(class_names)
        df.insert(loc=0, column="Class Name", value=[names[c] for c in cls])
    return df


def _overlap_frame(records: Sequence[Dict[str, Any]], class_names: Optional[Sequence[str]]) -> Any:
    pd = pandas()
    a = np.array([r["class_a"] for r in records], dtype=np.int64)
    b = np.array([r["class_b"] for r in records], dtype=np.int64)
    df = pd.DataFrame(
        {
            "Class Index A": a,
            "Class Index B": b,
            "Num Overlapping Examples": np.array([r["num_overlapping_examples"] for r in records], dtype=np.int64),
            "Joint Probability": np.array([r["joint_probability"] for r in records], dtype=np.float64),
        }
    )
    if class_names is not None:
        names = list(class_names)
        df.insert(loc=0, column="Class Name A", value=[names[i] for i in a])
        df.insert(loc=1, column="Class Name B", value=[names[i] for i in b])
    return df


def rank_classes_by_label_quality(
    labels: Any = None,
    pred_probs: Any = None,
    *,
    class_names: Optional[Sequence[str]] = None,
    num_examples: Optional[int] = None,
    joint: Any = None,
    confident_joint: Any = None,
    multi_label: bool = False,
) -> Any:
    """cleanlab.dataset.rank_classes_by_label_quality: a DataFrame, worst class first."""
    _check("rank_classes_by_label_quality", labels, num_examples, joint, confident_joint, multi_label)
    return _classes_frame(_health(labels, pred_probs)["classes"], class_names)


def find_overlapping_classes(
    labels: Any = None,
    pred_probs: Any = None,
    *,
    asymmetric: bool = False,
    class_names: Optional[Sequence[str]] = None,
    num_examples: Optional[int] = None,
    joint: Any = None,
    confident_joint: Any = None,
    multi_label: bool = False,
) -> Any:
    """cleanlab.dataset.find_overlapping_classes: a DataFrame, most overlapping pair first."""
    _check("find_overlapping_classes", labels, num_examples, joint, confident_joint, multi_label)
    return _overlap_frame(_health(labels, pred_probs, asymmetric)["overlapping_classes"], class_names)


def overall_label_health_score(
    labels: Any = None,
    pred_probs: Any = None,
    *,
    num_examples: Optional[int] = None,
    confident_joint: Any = None,
    joint: Any = None,
    multi_label: bool = False,
    verbose: bool = True,
) -> np.float64:
    """cleanlab.dataset.overall_label_health_score: 1 - num_label_issues / N (np.float64)."""
    _check("overall_label_health_score", labels, num_examples, joint, confident_joint, multi_label)
    body = _health(labels, pred_probs)
    score = np.float64(body["overall_label_health_score"])
    if verbose:
        n = body["num_examples"]
        print(
            f" * Overall, about {(1 - score):.0%} ({body['num_label_issues']:,} of the {n:,}) "
            f"labels in your dataset have potential issues.\n"
            f" ** The overall label health score for this dataset is: {score:.2f}."
        )
    return score


def health_summary(
    labels: Any = None,
    pred_probs: Any = None,
    *,
    asymmetric: bool = False,
    class_names: Optional[Sequence[str]] = None,
    num_examples: Optional[int] = None,
    joint: Any = None,
    confident_joint: Any = None,
    multi_label: bool = False,
    verbose: bool = True,
) -> Dict[str, Any]:
    """cleanlab.dataset.health_summary: overall score, joint, class table and overlap table."""
    _check("health_summary", labels, num_examples, joint, confident_joint, multi_label)
    body = _health(labels, pred_probs, asymmetric)
    summary = {
        "overall_label_health_score": np.float64(body["overall_label_health_score"]),
        "joint": estimate_joint(labels, pred_probs),
        "classes_by_label_quality": _classes_frame(body["classes"], class_names),
        "overlapping_classes": _overlap_frame(body["overlapping_classes"], class_names),
    }
    if verbose:
        print(summary["classes_by_label_quality"].to_string(), "\n", summary["overlapping_classes"].head(10).to_string(), sep="")
        print(f" ** The overall label health score for this dataset is: {summary['overall_label_health_score']:.2f}.")
    return summary
