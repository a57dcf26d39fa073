"""cleanlab.count, computed by a labelcheck server (``POST /v1/confident-joint``)."""
from __future__ import annotations

import warnings
from typing import Any, Dict, Tuple

import numpy as np

from ._util import as_labels, as_pred_probs, is_falsy, is_none, reject
from .local import get_client


def _confident_joint_body(labels: Any, pred_probs: Any, calibrate: bool = True) -> Dict[str, Any]:
    return get_client().compute(
        "confident-joint",
        {"labels": as_labels(labels), "pred_probs": as_pred_probs(pred_probs)},
        {"calibrate": bool(calibrate)},
        job_kind="confident-joint",
    )


def _no_multilabel(function: str, multi_label: bool) -> None:
    reject(function, multi_label=(multi_label, is_falsy))


def get_confident_thresholds(labels: Any, pred_probs: Any, multi_label: bool = False) -> np.ndarray:
    """cleanlab.count.get_confident_thresholds: the per-class thresholds t_j (float64, length K)."""
    _no_multilabel("get_confident_thresholds", multi_label)
    return np.asarray(_confident_joint_body(labels, pred_probs)["thresholds"], dtype=np.float64)


def compute_confident_joint(
    labels: Any,
    pred_probs: Any,
    *,
    thresholds: Any = None,
    calibrate: bool = True,
    multi_label: bool = False,
    return_indices_of_off_diagonals: bool = False,
) -> np.ndarray:
    """cleanlab.count.compute_confident_joint: the K×K int64 confident joint C[given][true]."""
    reject(
        "compute_confident_joint",
        thresholds=(thresholds, is_none),
        multi_label=(multi_label, is_falsy),
        return_indices_of_off_diagonals=(return_indices_of_off_diagonals, is_falsy),
    )
    return np.asarray(_confident_joint_body(labels, pred_probs, calibrate)["confident_joint"], dtype=np.int64)


def estimate_joint(labels: Any, pred_probs: Any, *, confident_joint: Any = None, multi_label: bool = False) -> np.ndarray:
    """cleanlab.count.estimate_joint: the calibrated, normalised K×K joint P(given, true) (float64)."""
    reject("estimate_joint", confident_joint=(confident_joint, is_none), multi_label=(multi_label, is_falsy))
    return np.asarray(_confident_joint_body(labels, pred_probs)["joint"], dtype=np.float64)


def estimate_py_and_noise_matrices_from_probabilities(
    labels: Any,
    pred_probs: Any,
    *,
    thresholds: Any = None,
    converge_latent_estimates: bool = True,
    py_method: str = "cnt",
    calibrate: bool = True,
) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """cleanlab's (py, noise_matrix, inverse_noise_matrix, confident_joint) (calibrated)."""
    reject(
        "estimate_py_and_noise_matrices_from_probabilities",
        thresholds=(thresholds, is_none),
        converge_latent_estimates=(converge_latent_estimates, lambda v: v is True),
        py_method=(py_method, lambda v: v == "cnt"),
        calibrate=(calibrate, lambda v: v is True),
    )
    b = _confident_joint_body(labels, pred_probs)
    return (
        np.asarray(b["py"], dtype=np.float64),
        np.asarray(b["noise_matrix"], dtype=np.float64),
        np.asarray(b["inverse_noise_matrix"], dtype=np.float64),
        np.asarray(b["confident_joint"], dtype=np.int64),
    )


def num_label_issues(
    labels: Any,
    pred_probs: Any,
    *,
    confident_joint: Any = None,
    estimation_method: str = "off_diagonal",
    multi_label: bool = False,
) -> np.int64:
    """cleanlab.count.num_label_issues (np.int64).

    ``off_diagonal`` is the server's count; ``off_diagonal_calibrated`` is cleanlab's
    ``rint((1 - trace(joint)) * N)`` on the server's calibrated joint; with
    ``multi_label=True`` it is the size of the multi-label ``confident_learning`` set.
    """
    valid = ("off_diagonal", "off_diagonal_calibrated", "off_diagonal_custom")
    if estimation_method not in valid:
        raise ValueError(f"{estimation_method} is not a valid estimation method! Please choose a valid estimation method: {list(valid)}")
    reject("num_label_issues", estimation_method=(estimation_method, lambda v: v != "off_diagonal_custom"))
    if confident_joint is not None:
        # as cleanlab: a confident_joint is only used by off_diagonal_custom
        warnings.warn(
            "The supplied `confident_joint` is ignored as `confident_joint` is recomuputed internally using the supplied "
            "`labels` and `pred_probs`. If you still want to use custom `confident_joint` call function with "
            "`estimation_method='off_diagonal_custom'`."
        )
    if multi_label:
        from .multilabel_classification.filter import multilabel_body

        body = multilabel_body(labels, pred_probs, {"filter_by": "confident_learning", "limit": 1})
        return np.int64(body["num_label_issues"])
    b = _confident_joint_body(labels, pred_probs)
    if estimation_method == "off_diagonal":
        return np.int64(b["num_label_issues"])
    joint = np.asarray(b["joint"], dtype=np.float64)
    return np.rint((1.0 - joint.trace()) * len(as_labels(labels))).astype(int)
