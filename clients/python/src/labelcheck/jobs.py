"""What cleanlab lacks: corrected accuracy and explicit asynchronous jobs."""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Mapping, Optional

import numpy as np

from ._util import as_labels, as_pred_probs, emit_warnings
from .local import get_client


def corrected_accuracy(
    labels: Any,
    pred_probs: Any,
    models: Mapping[str, Any],
    *,
    verified_corrections: Optional[List[Dict[str, Any]]] = None,
    **options: Any,
) -> Dict[str, Any]:
    """``POST /v1/corrected-accuracy``: each model's accuracy under every estimator, and rankings.

    ``models`` maps a name to predicted labels (1-D ints) or predicted probabilities (N×K).
    ``verified_corrections``: ``[{"index": i, "label": j or None}]``. Other options
    (``class_names``, ``prevalence_max``, ...) are passed as they are. Returns the JSON body.
    """
    arrays: Dict[str, np.ndarray] = {"labels": as_labels(labels), "pred_probs": as_pred_probs(pred_probs)}
    for name, value in models.items():
        a = np.asarray(value)
        if a.ndim == 1:
            arrays[f"models.{name}.predictions"] = as_labels(a, f"models[{name!r}]")
        else:
            arrays[f"models.{name}.pred_probs"] = as_pred_probs(a, f"models[{name!r}]")
    opts = dict(options)
    if verified_corrections is not None:
        opts["verified_corrections"] = list(verified_corrections)
    body = get_client().compute("corrected-accuracy", arrays, opts)
    emit_warnings(body)
    return body


def submit(kind: str, labels: Any, pred_probs: Any, **options: Any) -> Dict[str, Any]:
    """Upload labels and pred_probs and queue a job (``kind``: ``label-issues``,
    ``confident-joint`` or ``dataset-health``); returns the job. Options as the HTTP body's."""
    arrays = {"labels": as_labels(labels), "pred_probs": as_pred_probs(pred_probs)}
    return get_client().submit(kind, arrays, options)


def wait(job: Any, *, progress: Optional[bool] = None) -> Dict[str, Any]:
    """Wait for a job (a progress bar when tqdm is installed); returns its result body.
    A label-issues result has ``label_issues`` = ``{"total", "href"}``: read it with :func:`pages`."""
    return get_client().wait(job, progress=progress)


def pages(job: Any, *, page_size: int = 10_000) -> Iterator[List[Dict[str, Any]]]:
    """The flagged examples of a finished label-issues job, worst first, page by page."""
    return get_client().pages(job, page_size=page_size)
