"""HTTP transport: a :class:`Client` talks to one labelcheck server.

Arrays always travel as NumPy ``.npy`` bytes (multipart file parts or upload parts), never
as JSON. Inputs whose ``.npy`` bytes exceed ``job_threshold_bytes`` (default 256 MiB,
``LABELCHECK_JOB_THRESHOLD_MB`` overrides it) are sent as uploads in parts and computed by
an asynchronous job instead of one synchronous request -- for the endpoints that have a job
kind (label-issues, confident-joint, dataset-health, corrected-accuracy); the result is the
same body either way.
"""
from __future__ import annotations

import io
import json
import os
import time
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional

import numpy as np
import requests

from .errors import LabelcheckError, error_from_problem

MiB = 1024 * 1024
DEFAULT_JOB_THRESHOLD_BYTES = 256 * MiB
DEFAULT_PART_BYTES = 64 * MiB
ISSUES_PAGE = 100_000  # the largest page GET /v1/jobs/{id}/label-issues serves


def npy_bytes(array: np.ndarray) -> bytes:
    """The bytes of ``np.save(array)`` (C order, no pickles)."""
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(array), allow_pickle=False)
    return buf.getvalue()


def _threshold_from_env() -> int:
    raw = os.environ.get("LABELCHECK_JOB_THRESHOLD_MB")
    if raw is None or raw == "":
        return DEFAULT_JOB_THRESHOLD_BYTES
    try:
        return int(float(raw) * MiB)
    except ValueError:
        raise ValueError(f"LABELCHECK_JOB_THRESHOLD_MB must be a number of megabytes (got {raw!r})") from None


class Client:
    """A labelcheck server at ``url`` (e.g. ``http://127.0.0.1:8080``).

    ``api_key`` is sent as ``Authorization: Bearer <api_key>`` (the server's ``API_KEY``).
    ``job_threshold_bytes``: inputs larger than this (``.npy`` bytes of all arrays) go
    through uploads and a job. ``timeout``: seconds per HTTP request. ``retries``: how
    often a 503 (the server shed the request before working on it) is retried, after its
    ``Retry-After`` (at most 5 s).
    """

    def __init__(
        self,
        url: str,
        api_key: Optional[str] = None,
        *,
        timeout: float = 600.0,
        job_threshold_bytes: Optional[int] = None,
        part_bytes: int = DEFAULT_PART_BYTES,
        poll_interval: float = 0.5,
        retries: int = 5,
    ) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.job_threshold_bytes = _threshold_from_env() if job_threshold_bytes is None else int(job_threshold_bytes)
        self.part_bytes = int(part_bytes)
        self.poll_interval = poll_interval
        self.retries = int(retries)
        self.session = requests.Session()
        if api_key:
            self.session.headers["Authorization"] = f"Bearer {api_key}"

    def __repr__(self) -> str:
        return f"Client({self.url!r})"

    # ------------------------------------------------------------------ plumbing
    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One HTTP request; an error status becomes a :class:`LabelcheckError`."""
        kwargs.setdefault("timeout", self.timeout)
        url = path if path.startswith("http") else self.url + path
        for attempt in range(self.retries + 1):
            resp = self.session.request(method, url, **kwargs)
            # 503 = load shed before any work was done (worker pool full, under pressure): retry
            if resp.status_code != 503 or attempt == self.retries:
                break
            time.sleep(_retry_after(resp, attempt))
        if resp.status_code >= 400:
            raise _error_of(resp)
        return resp

    def post_arrays(self, path: str, arrays: Mapping[str, np.ndarray], options: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        """POST ``arrays`` as ``.npy`` multipart file parts plus an ``options`` JSON text part."""
        files = {name: (f"{name}.npy", npy_bytes(a), "application/octet-stream") for name, a in arrays.items()}
        data = {"options": json.dumps(options or {})}
        return self.request("POST", path, files=files, data=data).json()

    def compute(
        self,
        endpoint: str,
        arrays: Mapping[str, np.ndarray],
        options: Optional[Dict[str, Any]] = None,
        *,
        job_kind: Optional[str] = None,
    ) -> Dict[str, Any]:
        """The body of ``POST /v1/<endpoint>`` for these arrays and options.

        With a ``job_kind`` and inputs over the threshold, the same body is obtained through
        uploads and a job (every flagged example is then fetched page by page).
        """
        size = sum(int(np.asarray(a).nbytes) for a in arrays.values())
        if job_kind is not None and size > self.job_threshold_bytes:
            job = self.submit(job_kind, arrays, options)
            return self.wait(job, expand=True)
        return self.post_arrays(f"/v1/{endpoint}", arrays, options)

    # ------------------------------------------------------------------ uploads and jobs
    def upload(self, array: np.ndarray, filename: str = "array.npy") -> str:
        """Upload ``array`` as a ``.npy`` file in parts; returns the upload id."""
        data = npy_bytes(array)
        up = self.request("POST", "/v1/uploads", json={"filename": filename}).json()
        uid = up["id"]
        for n, start in enumerate(range(0, max(len(data), 1), self.part_bytes), start=1):
            self.request(
                "PUT",
                f"/v1/uploads/{uid}/parts/{n}",
                data=data[start : start + self.part_bytes],
                headers={"Content-Type": "application/octet-stream"},
            )
        self.request("POST", f"/v1/uploads/{uid}/complete")
        return uid

    def submit(
        self,
        kind: str,
        arrays: Mapping[str, np.ndarray],
        options: Optional[Dict[str, Any]] = None,
    ) -> Dict[str, Any]:
        """Upload the arrays and queue a job of ``kind``; returns the job (``id``, ``status``, ...)."""
        body: Dict[str, Any] = {"kind": kind, **(options or {})}
        for name, a in arrays.items():
            body[name] = {"upload": self.upload(a, f"{name}.npy")}
        return self.request("POST", "/v1/jobs", json=body).json()

    def job(self, job: Any) -> Dict[str, Any]:
        """The current state of a job (by id or job dict)."""
        return self.request("GET", f"/v1/jobs/{_job_id(job)}").json()

    def wait(self, job: Any, *, progress: Optional[bool] = None, expand: bool = False) -> Dict[str, Any]:
        """Poll until the job finishes; returns its result body.

        ``progress``: show a progress bar (default: when tqdm is installed).
        ``expand``: replace ``label_issues`` ``{"total", "href"}`` by the list of every
        flagged example, as the synchronous route returns it with ``limit: 0``.
        A failed job raises its problem as a :class:`LabelcheckError`.
        """
        jid = _job_id(job)
        bar = _ProgressBar(progress)
        try:
            state = self.job(jid)
            while state["status"] in ("queued", "running"):
                bar.update(state.get("progress"))
                time.sleep(self.poll_interval)
                state = self.job(jid)
            bar.update(state.get("progress"))
        finally:
            bar.close()
        if state["status"] != "succeeded":
            problem = state.get("error") or {"detail": f"job {jid} {state['status']}"}
            raise error_from_problem(problem, int(problem.get("status") or 500))
        result = self.request("GET", f"/v1/jobs/{jid}/result").json()
        if expand and isinstance(result.get("label_issues"), dict):
            result["label_issues"] = [issue for page in self.pages(jid) for issue in page]
        return result

    def pages(self, job: Any, *, page_size: int = 10_000) -> Iterator[List[Dict[str, Any]]]:
        """The flagged examples of a finished label-issues job, worst first, one page at a time."""
        url: Optional[str] = f"/v1/jobs/{_job_id(job)}/label-issues?offset=0&limit={min(page_size, ISSUES_PAGE)}"
        while url:
            page = self.request("GET", url).json()
            yield page["label_issues"]
            url = page.get("next")


def _retry_after(resp: requests.Response, attempt: int) -> float:
    try:
        return min(float(resp.headers.get("Retry-After", "")), 5.0)
    except ValueError:
        return min(0.5 * 2**attempt, 5.0)


def _job_id(job: Any) -> str:
    return str(job["id"] if isinstance(job, Mapping) else job)


def _error_of(resp: requests.Response) -> LabelcheckError:
    try:
        problem = resp.json()
    except ValueError:
        problem = {"detail": f"HTTP {resp.status_code} from {resp.url}: {resp.text[:200]}"}
    if not isinstance(problem, dict):
        problem = {"detail": f"HTTP {resp.status_code} from {resp.url}"}
    return error_from_problem(problem, resp.status_code)


class _ProgressBar:
    """A tqdm bar over a job's passes when tqdm is installed (and wanted); else nothing."""

    def __init__(self, wanted: Optional[bool]) -> None:
        self.bar: Any = None
        self.pass_no: Any = None
        self.make: Optional[Callable[..., Any]] = None
        if wanted is False:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            if wanted:
                raise ImportError("wait(progress=True) needs tqdm: pip install tqdm") from None
            return
        self.make = tqdm

    def update(self, progress: Optional[Dict[str, Any]]) -> None:
        if self.make is None or not progress or progress.get("rows_total") is None:
            return
        if self.bar is None or progress.get("pass") != self.pass_no:
            self.close()
            self.pass_no = progress.get("pass")
            self.bar = self.make(total=progress["rows_total"], unit="rows", desc=f"pass {self.pass_no}/{progress.get('passes')}")
        self.bar.n = progress.get("rows_done") or 0
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
