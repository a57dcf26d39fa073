"""cleanlab.multilabel_classification.rank, computed by ``POST /v1/multilabel/label-issues``."""
from __future__ import annotations

from typing import Any, Dict, Optional

import numpy as np

from .._util import is_falsy, reject
from .filter import multilabel_body

DEFAULT_AGGREGATOR = {"method": "exponential_moving_average", "alpha": 0.8}


def get_label_quality_scores(
    labels: Any,
    pred_probs: Any,
    *,
    method: str = "self_confidence",
    adjust_pred_probs: bool = False,
    aggregator_kwargs: Optional[Dict[str, Any]] = None,
) -> np.ndarray:
    """The multi-label label quality scores (float64): self-confidence per class, EMA α = 0.8."""
    reject(
        "multilabel_classification.get_label_quality_scores",
        method=(method, lambda v: v == "self_confidence"),
        adjust_pred_probs=(adjust_pred_probs, is_falsy),
        aggregator_kwargs=(aggregator_kwargs, lambda v: v is None or dict(v) == DEFAULT_AGGREGATOR),
    )
    body = multilabel_body(labels, pred_probs, {"include_scores": True, "limit": 1})
    return np.asarray(body["label_quality_scores"], dtype=np.float64)
