"""The client's transport, jobs, errors, unsupported arguments and the local server."""
from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import requests

import labelcheck
from labelcheck import Client, count, dataset, filter, multiannotator, rank
from labelcheck.client import npy_bytes
from labelcheck.local import get_client, set_client

from conftest import FIXTURES, REPO, load, needs_pandas

K3 = FIXTURES / "parity" / "k3_n500.json"


@pytest.fixture(scope="module")
def data():
    fx = load(K3)
    return np.array(fx["labels"], dtype=np.int64), np.array(fx["pred_probs"], dtype=np.float64)


@pytest.fixture
def server_url() -> str:
    return get_client().url


@pytest.fixture
def job_client(server_url):
    """Every input goes through uploads + a job (threshold 0 bytes, 1 KiB upload parts)."""
    client = Client(server_url, job_threshold_bytes=0, part_bytes=1024, poll_interval=0.05)
    set_client(client)
    yield client
    set_client(None)


# ------------------------------------------------------------------ transport
def test_arrays_travel_as_npy_multipart(data, server_url):
    labels, pp = data
    sent = {}
    client = Client(server_url)
    original = client.session.request

    def spy(method, url, **kw):
        sent.update(kw)
        return original(method, url, **kw)

    client.session.request = spy
    client.compute("label-quality-scores", {"labels": labels, "pred_probs": pp}, {"method": "normalized_margin"})
    assert "json" not in sent
    assert sent["files"]["pred_probs"][1] == npy_bytes(pp)
    assert np.load(__import__("io").BytesIO(sent["files"]["labels"][1])).dtype == np.int64
    assert json.loads(sent["data"]["options"]) == {"method": "normalized_margin"}


def test_float32_pred_probs_are_sent_as_float32(data):
    from labelcheck._util import as_pred_probs

    assert as_pred_probs(data[1].astype(np.float32)).dtype == np.float32
    assert as_pred_probs(data[1].tolist()).dtype == np.float64


def test_threshold_from_environment(monkeypatch, server_url):
    monkeypatch.setenv("LABELCHECK_JOB_THRESHOLD_MB", "0.5")
    assert Client(server_url).job_threshold_bytes == 512 * 1024
    monkeypatch.setenv("LABELCHECK_JOB_THRESHOLD_MB", "lots")
    with pytest.raises(ValueError, match="LABELCHECK_JOB_THRESHOLD_MB"):
        Client(server_url)


# ------------------------------------------------------------------ large inputs: uploads + job
@needs_pandas
def test_above_the_threshold_results_come_from_a_job_and_equal_the_synchronous_ones(data, job_client, server_url):
    labels, pp = data
    jobs_before = requests.get(f"{server_url}/v1/jobs?limit=100").json()
    def calls():
        return (
            filter.find_label_issues(labels, pp, filter_by="both", return_indices_ranked_by="normalized_margin"),
            filter.find_label_issues(labels, pp),
            count.compute_confident_joint(labels, pp, calibrate=False),
            dataset.rank_classes_by_label_quality(labels, pp),
            dataset.find_overlapping_classes(labels, pp, asymmetric=True),
        )

    set_client(Client(server_url))
    want = calls()
    set_client(job_client)
    got = calls()
    for g, w in zip(got[:3], want[:3]):
        assert g.dtype == w.dtype and np.array_equal(g, w)
    for g, w in zip(got[3:], want[3:]):
        assert g.equals(w)
    jobs_after = requests.get(f"{server_url}/v1/jobs?limit=100").json()
    assert _count(jobs_after) >= _count(jobs_before) + 5, "each call above the threshold ran a job"


def _count(listing):
    return len(listing["jobs"]) if isinstance(listing, dict) and "jobs" in listing else len(listing)


def test_job_helpers_submit_wait_pages(data, server_url):
    labels, pp = data
    set_client(Client(server_url, poll_interval=0.05))
    try:
        job = labelcheck.submit("label-issues", labels, pp, filter_by="prune_by_class")
        assert job["status"] in ("queued", "running", "succeeded")
        result = labelcheck.wait(job, progress=False)
        assert result["label_issues"]["total"] == result["num_label_issues"]
        pages = list(labelcheck.pages(job, page_size=7))
        assert all(len(p) <= 7 for p in pages)
        flat = [r["index"] for p in pages for r in p]
        want = filter.find_label_issues(labels, pp, filter_by="prune_by_class", return_indices_ranked_by="self_confidence")
        assert flat == want.tolist()
    finally:
        set_client(None)


def test_a_failed_job_raises_its_problem(server_url):
    client = Client(server_url, poll_interval=0.05)
    pp = np.full((4, 2), 0.5)
    job = client.submit("label-issues", {"labels": np.array([0, 1, 7, 0]), "pred_probs": pp})
    with pytest.raises(labelcheck.LabelcheckError) as err:
        client.wait(job, progress=False)
    assert "labels" in str(err.value)
    assert err.value.errors and err.value.errors[0]["path"].startswith("labels")


# ------------------------------------------------------------------ errors
def test_problem_json_becomes_an_exception_with_detail_and_errors(data, server_url):
    labels, pp = data
    bad = labels.copy()
    bad[3] = 9
    raw = requests.post(
        f"{server_url}/v1/label-issues",
        files={"labels": ("l.npy", npy_bytes(bad)), "pred_probs": ("p.npy", npy_bytes(pp))},
    )
    assert raw.status_code == 400 and raw.headers["content-type"].startswith("application/problem+json")
    problem = raw.json()
    with pytest.raises(ValueError) as err:
        filter.find_label_issues(bad, pp)
    e = err.value
    assert isinstance(e, labelcheck.InvalidInputError) and isinstance(e, labelcheck.LabelcheckError)
    assert str(e) == problem["detail"]
    assert e.errors == problem["errors"]
    assert e.status == 400


def test_a_non_input_problem_is_not_a_value_error(server_url):
    with pytest.raises(labelcheck.LabelcheckError) as err:
        Client(server_url).request("GET", "/v1/no-such-route")
    assert err.value.status == 404 and not isinstance(err.value, ValueError)


# ------------------------------------------------------------------ cleanlab's arguments
@pytest.mark.parametrize(
    "call,argument",
    [
        (lambda l, p: filter.find_label_issues(l, p, confident_joint=np.eye(3, dtype=int)), "confident_joint"),
        (lambda l, p: filter.find_label_issues(l, p, low_memory=True), "low_memory"),
        (lambda l, p: filter.find_label_issues(l, p, return_indices_ranked_by="self_confidence", rank_by_kwargs={"method": "x"}), "rank_by_kwargs"),
        (lambda l, p: count.compute_confident_joint(l, p, thresholds=[0.5, 0.5, 0.5]), "thresholds"),
        (lambda l, p: count.compute_confident_joint(l, p, return_indices_of_off_diagonals=True), "return_indices_of_off_diagonals"),
        (lambda l, p: count.estimate_joint(l, p, confident_joint=np.eye(3, dtype=int)), "confident_joint"),
        (lambda l, p: count.estimate_py_and_noise_matrices_from_probabilities(l, p, py_method="eqn"), "py_method"),
        (lambda l, p: count.num_label_issues(l, p, estimation_method="off_diagonal_custom", confident_joint=np.eye(3, dtype=int)), "off_diagonal_custom"),
        (lambda l, p: dataset.rank_classes_by_label_quality(l, p, joint=np.eye(3) / 3), "joint"),
        (lambda l, p: dataset.overall_label_health_score(l, p, num_examples=7), "num_examples"),
    ],
)
def test_unsupported_arguments_raise_not_implemented_naming_them(data, call, argument):
    with pytest.raises(NotImplementedError, match=argument):
        call(*data)


def test_n_jobs_and_verbose_are_accepted_and_ignored(data):
    labels, pp = data
    plain = filter.find_label_issues(labels, pp, filter_by="both")
    assert np.array_equal(filter.find_label_issues(labels, pp, filter_by="both", n_jobs=4, verbose=True), plain)


def test_invalid_estimation_method_is_a_value_error_as_in_cleanlab(data):
    with pytest.raises(ValueError, match="not a valid estimation method"):
        count.num_label_issues(*data, estimation_method="nope")


def test_server_warnings_become_python_warnings():
    fx = load(FIXTURES / "parity" / "k4_singleton_class_n300.json")
    labels, pp = np.array(fx["labels"]), np.array(fx["pred_probs"])
    with pytest.warns(UserWarning, match="too few examples"):
        filter.find_label_issues(labels, pp)


# cleanlab 2.9's parameter lists (from its source), which the drop-in functions keep
CLEANLAB_SIGNATURES = {
    filter.find_label_issues: "labels pred_probs return_indices_ranked_by rank_by_kwargs filter_by frac_noise num_to_remove_per_class min_examples_per_class confident_joint n_jobs verbose multi_label low_memory",
    rank.get_label_quality_scores: "labels pred_probs method adjust_pred_probs",
    count.compute_confident_joint: "labels pred_probs thresholds calibrate multi_label return_indices_of_off_diagonals",
    count.estimate_joint: "labels pred_probs confident_joint multi_label",
    count.estimate_py_and_noise_matrices_from_probabilities: "labels pred_probs thresholds converge_latent_estimates py_method calibrate",
    count.num_label_issues: "labels pred_probs confident_joint estimation_method multi_label",
    count.get_confident_thresholds: "labels pred_probs multi_label",
    dataset.rank_classes_by_label_quality: "labels pred_probs class_names num_examples joint confident_joint multi_label",
    dataset.find_overlapping_classes: "labels pred_probs asymmetric class_names num_examples joint confident_joint multi_label",
    dataset.overall_label_health_score: "labels pred_probs num_examples confident_joint joint multi_label verbose",
    dataset.health_summary: "labels pred_probs asymmetric class_names num_examples joint confident_joint multi_label verbose",
    multiannotator.get_label_quality_multiannotator: "labels_multiannotator pred_probs consensus_method quality_method calibrate_probs return_detailed_quality return_annotator_stats return_weights verbose label_quality_score_kwargs",
}


@pytest.mark.parametrize("fn", list(CLEANLAB_SIGNATURES), ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_signatures_are_cleanlabs(fn):
    assert list(inspect.signature(fn).parameters) == CLEANLAB_SIGNATURES[fn].split()


def test_one_line_switch_names():
    from labelcheck import find_label_issues, get_label_quality_scores  # noqa: F401
    from labelcheck.multilabel_classification.filter import find_label_issues as ml  # noqa: F401

    assert labelcheck.find_label_issues is filter.find_label_issues


# ------------------------------------------------------------------ DataFrame details
@needs_pandas
def test_class_names_decorate_the_frames_as_in_cleanlab(data):
    labels, pp = data
    names = ["cat", "dog", "fox"]
    classes = dataset.rank_classes_by_label_quality(labels, pp, class_names=names)
    assert list(classes.columns)[:2] == ["Class Name", "Class Index"]
    assert [names[i] for i in classes["Class Index"]] == list(classes["Class Name"])
    overlap = dataset.find_overlapping_classes(labels, pp, class_names=names)
    assert list(overlap.columns) == ["Class Name A", "Class Name B", "Class Index A", "Class Index B", "Num Overlapping Examples", "Joint Probability"]
    assert [names[i] for i in overlap["Class Index B"]] == list(overlap["Class Name B"])


@needs_pandas
def test_multiannotator_dataframe_input_keeps_its_index_and_annotator_ids():
    import pandas as pd

    fx = load(FIXTURES / "multiannotator" / "ma_k3_n100_m5.json")
    raw = pd.DataFrame(fx["labels_multiannotator"], columns=[f"worker_{j}" for j in range(5)], dtype="Int64")
    raw.index = [f"ex{i}" for i in range(len(raw))]
    pp = np.array(fx["pred_probs"])
    out = multiannotator.get_label_quality_multiannotator(raw, pp, return_detailed_quality=False, verbose=False)
    plain = multiannotator.get_label_quality_multiannotator(
        raw.astype(float).to_numpy(), pp, return_detailed_quality=False, verbose=False
    )
    assert list(out["label_quality"].index) == list(raw.index)
    assert np.array_equal(out["label_quality"].to_numpy(), plain["label_quality"].to_numpy())
    assert list(out["annotator_stats"].index) == [f"worker_{j}" for j in plain["annotator_stats"].index]
    both = multiannotator.get_label_quality_multiannotator(
        raw, pp, consensus_method=["best_quality", "majority_vote"], return_detailed_quality=False
    )
    assert list(both["label_quality"].columns) == [
        "consensus_label", "consensus_quality_score", "annotator_agreement", "num_annotations",
        "consensus_label_majority_vote", "consensus_quality_score_majority_vote", "annotator_agreement_majority_vote",
    ]
    # The default return_detailed_quality=True: cleanlab's detailed table, indexed and named by the frame.
    full = multiannotator.get_label_quality_multiannotator(raw, pp, verbose=False)
    assert list(full) == ["label_quality", "detailed_label_quality", "annotator_stats"]
    detailed = full["detailed_label_quality"]
    assert list(detailed.columns) == [f"quality_annotator_worker_{j}" for j in range(5)]
    assert list(detailed.index) == list(raw.index)
    assert all(dtype == np.float64 for dtype in detailed.dtypes)
    assert np.array_equal(detailed.isna().to_numpy(), raw.isna().to_numpy()), "NaN where the worker did not label"
    plain_full = multiannotator.get_label_quality_multiannotator(raw.astype(float).to_numpy(), pp, verbose=False)
    assert np.array_equal(detailed.to_numpy(), plain_full["detailed_label_quality"].to_numpy(), equal_nan=True)
    assert list(plain_full["detailed_label_quality"].columns) == [f"quality_annotator_{j}" for j in range(5)]
    # With several consensus methods the table is the first method's (as in cleanlab).
    both_full = multiannotator.get_label_quality_multiannotator(raw, pp, consensus_method=["majority_vote", "best_quality"], verbose=False)
    mv_only = multiannotator.get_label_quality_multiannotator(raw, pp, consensus_method="majority_vote", verbose=False)
    pd.testing.assert_frame_equal(both_full["detailed_label_quality"], mv_only["detailed_label_quality"])


# ------------------------------------------------------------------ the local server
def test_without_a_url_the_client_starts_a_local_server_and_stops_it_at_exit(tmp_path):
    cli = REPO / "dist" / "src" / "cli.js"
    if not cli.is_file() and not os.environ.get("LABELCHECK_REQUIRE_LOCAL"):
        pytest.skip(f"{cli} is not built (npm run build): local-server mode not tested")
    script = textwrap.dedent(
        """
        import json, numpy as np, labelcheck
        from labelcheck import local
        fx = json.load(open(%r))
        mask = labelcheck.find_label_issues(np.array(fx["labels"]), np.array(fx["pred_probs"]))
        server = local._local
        print(json.dumps({"pid": server.process.pid, "url": server.url, "issues": int(mask.sum())}))
        """
        % str(FIXTURES / "parity" / "k3_tiny_n30.json")
    )
    env = {k: v for k, v in os.environ.items() if k not in ("LABELCHECK_URL", "LABELCHECK_CLI")}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["url"].startswith("http://127.0.0.1:")
    assert out["issues"] == sum(load(FIXTURES / "parity" / "k3_tiny_n30.json")["expected"]["find_label_issues"][0]["result"])
    with pytest.raises(requests.ConnectionError):
        requests.get(out["url"] + "/healthz", timeout=2)
    with pytest.raises(ProcessLookupError):
        os.kill(out["pid"], 0)


def test_a_shed_request_503_is_retried_after_retry_after():
    """A 503 means the server refused before doing any work: the client waits and retries."""
    import http.server
    import threading

    calls = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            calls.append(self.path)
            if len(calls) < 3:
                body = b'{"type":"x","title":"Service Unavailable","status":503,"detail":"busy"}'
                self.send_response(503)
                self.send_header("Retry-After", "0")
                self.send_header("Content-Type", "application/problem+json")
            else:
                body = b'{"label_quality_scores": [0.25, 0.5]}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        set_client(Client(url))
        scores = rank.get_label_quality_scores([0, 1], [[0.5, 0.5], [0.5, 0.5]])
        assert scores.dtype == np.float64 and scores.tolist() == [0.25, 0.5]
        assert calls == ["/v1/label-quality-scores"] * 3
        calls.clear()
        set_client(Client(url, retries=1))
        with pytest.raises(labelcheck.LabelcheckError, match="busy") as err:
            rank.get_label_quality_scores([0, 1], [[0.5, 0.5], [0.5, 0.5]])
        assert err.value.status == 503 and len(calls) == 2
    finally:
        set_client(None)
        httpd.shutdown()
        httpd.server_close()
