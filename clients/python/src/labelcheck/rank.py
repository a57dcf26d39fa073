"""cleanlab.rank, computed by a labelcheck server."""
from __future__ import annotations

from typing import Any

import numpy as np

from ._util import as_labels, as_pred_probs, emit_warnings
from .local import get_client


def get_label_quality_scores(labels: Any, pred_probs: Any, *, method: str = "self_confidence", adjust_pred_probs: bool = False) -> np.ndarray:
    """cleanlab.rank.get_label_quality_scores: one float64 score per example (lower = worse)."""
    body = get_client().compute(
        "label-quality-scores",
        {"labels": as_labels(labels), "pred_probs": as_pred_probs(pred_probs)},
        {"method": method, "adjust_pred_probs": bool(adjust_pred_probs)},
    )
    emit_warnings(body)
    return np.asarray(body["label_quality_scores"], dtype=np.float64)
