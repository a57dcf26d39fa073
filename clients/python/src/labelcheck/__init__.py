"""labelcheck: cleanlab 2.9's functions, computed by a labelcheck server.

Switch from cleanlab with one line::

    from labelcheck import find_label_issues      # was: from cleanlab.filter import find_label_issues

Same arguments, same return values (numpy arrays, pandas DataFrames). The server is
``LABELCHECK_URL``, or ``set_client(Client(url, api_key))``, or a local ``labelcheck serve``
started on first use and stopped at exit (see :mod:`labelcheck.local`).
"""
from . import count, dataset, filter, multiannotator, multilabel_classification, rank
from .client import Client
from .errors import InvalidInputError, LabelcheckError, ServerUnavailableError
from .filter import find_label_issues
from .jobs import corrected_accuracy, pages, submit, wait
from .local import get_client, set_client
from .rank import get_label_quality_scores

__version__ = "0.1.0"

__all__ = [
    "Client",
    "InvalidInputError",
    "LabelcheckError",
    "ServerUnavailableError",
    "corrected_accuracy",
    "count",
    "dataset",
    "filter",
    "find_label_issues",
    "get_client",
    "get_label_quality_scores",
    "multiannotator",
    "multilabel_classification",
    "pages",
    "rank",
    "set_client",
    "submit",
    "wait",
]
