"""Exceptions raised by the labelcheck client.

Every error answer of the server is an RFC 9457 ``application/problem+json`` document
``{"type", "title", "status", "detail", "errors": [{"path", "message"}]}``. The client turns
it into a :class:`LabelcheckError` whose message is the ``detail`` and whose ``errors``
attribute is that list. Invalid input (HTTP 400/422) raises :class:`InvalidInputError`,
which is also a ``ValueError`` -- the exception cleanlab raises for bad arguments -- so
``except ValueError`` keeps working after switching from cleanlab.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional


class LabelcheckError(Exception):
    """A problem reported by the labelcheck server (or a job that failed)."""

    def __init__(
        self,
        detail: str,
        *,
        status: Optional[int] = None,
        errors: Optional[List[Dict[str, Any]]] = None,
        problem: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.errors: List[Dict[str, Any]] = list(errors or [])
        self.problem: Dict[str, Any] = dict(problem or {})


class InvalidInputError(LabelcheckError, ValueError):
    """The server rejected the input (HTTP 400 or 422): ``errors`` names the field and row."""


class ServerUnavailableError(LabelcheckError):
    """No labelcheck server could be reached or started."""


def error_from_problem(problem: Dict[str, Any], status: int) -> LabelcheckError:
    """The exception for a problem+json body (or a job's ``error`` problem)."""
    detail = problem.get("detail") or problem.get("title") or f"HTTP {status}"
    cls = InvalidInputError if status in (400, 422) else LabelcheckError
    return cls(str(detail), status=status, errors=problem.get("errors") or [], problem=problem)


def not_supported(function: str, argument: str, why: str = "") -> NotImplementedError:
    """The error for a cleanlab argument this client cannot honour (named, with the reason)."""
    msg = f"labelcheck's {function} does not support {argument}"
    return NotImplementedError(f"{msg}: {why}" if why else msg)
