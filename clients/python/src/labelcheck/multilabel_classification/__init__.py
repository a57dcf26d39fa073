"""cleanlab.multilabel_classification, computed by a labelcheck server."""
from . import filter, rank
from .rank import get_label_quality_scores

__all__ = ["filter", "rank", "get_label_quality_scores"]
