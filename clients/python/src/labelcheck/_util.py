"""Input coercion, argument checks and output helpers shared by the cleanlab-style modules."""
from __future__ import annotations

import warnings
from typing import Any, Dict, Iterable, Mapping, Optional

import numpy as np

from .errors import not_supported

FLOAT_KINDS = {np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)}


def as_pred_probs(pred_probs: Any, name: str = "pred_probs") -> np.ndarray:
    """A 2-D float array (float16/32/64 are sent as they are; anything else as float64)."""
    a = np.asarray(pred_probs)
    if a.dtype not in FLOAT_KINDS:
        a = a.astype(np.float64)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (N examples x K classes); got shape {a.shape}")
    return np.ascontiguousarray(a)


def as_labels(labels: Any, name: str = "labels") -> np.ndarray:
    """A 1-D int64 array of class labels."""
    a = np.asarray(labels)
    if a.dtype.kind in "iub":
        return np.ascontiguousarray(a.astype(np.int64))
    if a.dtype.kind == "f" and a.size and np.all(np.isfinite(a)) and np.all(a == np.round(a)):
        return np.ascontiguousarray(a.astype(np.int64))
    raise ValueError(f"{name} must be integer class labels 0..K-1; got an array of dtype {a.dtype}")


def pandas() -> Any:
    """pandas, needed only by the functions that return DataFrames (as cleanlab's do)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            "this function returns a pandas DataFrame, as cleanlab's does: install pandas "
            "(pip install pandas, or Debian's python3-pandas)"
        ) from None
    return pd


def reject(function: str, **arguments: Any) -> None:
    """Raise NotImplementedError naming the first argument given a value we cannot honour.

    Each keyword maps an argument name to ``(given, supported)`` where ``supported`` is a
    predicate on the given value (True = fine).
    """
    for name, (given, ok) in arguments.items():
        if not ok(given):
            raise not_supported(function, f"{name}={given!r}")


def is_none(v: Any) -> bool:
    return v is None


def is_falsy(v: Any) -> bool:
    return not v


def emit_warnings(body: Mapping[str, Any]) -> None:
    """Re-raise the server's cleanlab warnings as Python UserWarnings."""
    for text in body.get("warnings") or []:
        warnings.warn(str(text), UserWarning, stacklevel=3)


def indices_of(issues: Iterable[Mapping[str, Any]]) -> np.ndarray:
    """The ``index`` of each issue record, as cleanlab's int64 index array."""
    return np.fromiter((int(r["index"]) for r in issues), dtype=np.int64)


def mask_of(indices: np.ndarray, n: int) -> np.ndarray:
    """A boolean mask of length n with the given indices set (cleanlab's default output)."""
    mask = np.zeros(n, dtype=bool)
    mask[indices] = True
    return mask


def options(**kw: Any) -> Dict[str, Any]:
    """Request options without the ones left at None."""
    return {k: v for k, v in kw.items() if v is not None}


def int_list(values: Optional[Iterable[Any]]) -> Optional[list]:
    return None if values is None else [int(v) for v in values]
