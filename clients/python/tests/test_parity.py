"""Parity with cleanlab 2.9: every entry of every fixture in test/fixtures/{parity,multilabel,multiannotator}.

Each entry either returns exactly cleanlab's recorded result -- same Python type, numpy
dtype, shape and values (floats bit for bit), DataFrames with cleanlab's columns, dtypes
and index -- or, when it uses an argument this client documents as unsupported (the
server has no way to compute it), raises NotImplementedError naming that argument.
``UNSUPPORTED`` lists those; any other entry raising it fails.

Ties: the server sorts equal keys stably (README "The tie rule"); for a tie-sensitive
entry the fixture's ``result_stable_sort`` is cleanlab's output with stable sorts, and
that is what we compare with. Everything else is compared with ``result``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import pytest

import labelcheck
from labelcheck import count, dataset, filter, multiannotator, multilabel_classification, rank

from conftest import FIXTURES, HAVE_PANDAS, PARITY_TOL, assert_array_same, load, note_float

FILES = sorted(FIXTURES.glob("parity/*.json")) + sorted(FIXTURES.glob("multilabel/*.json")) + sorted(FIXTURES.glob("multiannotator/*.json"))

# (function, predicate on kwargs) -> the argument our NotImplementedError must name
UNSUPPORTED: List[Tuple[str, Callable[[Dict[str, Any]], bool], str]] = [
    ("compute_confident_joint_return_indices_of_off_diagonals", lambda kw: True, "return_indices_of_off_diagonals"),
    ("estimate_py_and_noise_matrices_from_probabilities", lambda kw: kw.get("converge_latent_estimates") is False, "converge_latent_estimates"),
    ("num_label_issues", lambda kw: kw.get("estimation_method") == "off_diagonal_custom", "estimation_method='off_diagonal_custom'"),
    ("compute_confident_joint", lambda kw: kw.get("multi_label") is True, "multi_label"),
    ("multilabel_classification.get_label_quality_scores", lambda kw: kw.get("method") != "self_confidence", "method="),
]

DATAFRAME_FUNCTIONS = {"rank_classes_by_label_quality", "find_overlapping_classes", "health_summary", "get_label_quality_multiannotator"}


def _cases() -> List[Any]:
    out = []
    for path in FILES:
        fx = load(path)
        for fn, entries in fx["expected"].items():
            entries = entries if isinstance(entries, list) else [entries]
            for i, entry in enumerate(entries):
                marks = [pytest.mark.skipif(not HAVE_PANDAS, reason="pandas is not importable: DataFrame returns not tested")] if fn in DATAFRAME_FUNCTIONS else []
                out.append(pytest.param(path, fn, i, id=f"{path.parent.name}/{path.stem}:{fn}[{i}]", marks=marks))
    return out


def _entry(path: Path, fn: str, i: int) -> Dict[str, Any]:
    e = load(path)["expected"][fn]
    return e[i] if isinstance(e, list) else e


def _unsupported(fn: str, kw: Dict[str, Any]) -> Optional[str]:
    for name, pred, arg in UNSUPPORTED:
        if name == fn and pred(kw):
            return arg
    return None


def _inputs(fx: Dict[str, Any]) -> Tuple[Any, np.ndarray]:
    pp = np.array(fx["pred_probs"], dtype=np.float64)
    if "labels_multiannotator" in fx:
        return np.array([[np.nan if v is None else v for v in row] for row in fx["labels_multiannotator"]], dtype=float), pp
    if fx["labels"] and isinstance(fx["labels"][0], list):
        return fx["labels"], pp  # multi-label: a list of lists, as cleanlab takes it
    return np.array(fx["labels"], dtype=np.int64), pp


def _kwargs(fn: str, kw: Dict[str, Any], labels: Any, pp: np.ndarray) -> Dict[str, Any]:
    kw = dict(kw or {})
    if kw.get("confident_joint") == "compute_confident_joint(labels, pred_probs, calibrate=False)":
        kw["confident_joint"] = count.compute_confident_joint(labels, pp, calibrate=False)
    return kw


def _call(fn: str, labels: Any, pp: np.ndarray, kw: Dict[str, Any]) -> Any:
    if fn == "compute_confident_joint_return_indices_of_off_diagonals":
        return count.compute_confident_joint(labels, pp, **kw)
    if fn in ("get_confident_thresholds", "compute_confident_joint", "estimate_joint", "estimate_py_and_noise_matrices_from_probabilities", "num_label_issues"):
        return getattr(count, fn)(labels, pp, **kw)
    if fn in ("find_label_issues", "filter.find_label_issues"):
        return filter.find_label_issues(labels, pp, **kw)
    if fn == "get_label_quality_scores":
        return rank.get_label_quality_scores(labels, pp, **kw)
    if fn in ("rank_classes_by_label_quality", "overall_label_health_score", "find_overlapping_classes", "health_summary"):
        return getattr(dataset, fn)(labels, pp, **kw)
    if fn == "multilabel_classification.filter.find_label_issues":
        return multilabel_classification.filter.find_label_issues(labels, pp, **kw)
    if fn == "multilabel_classification.get_label_quality_scores":
        return multilabel_classification.get_label_quality_scores(labels, pp, **kw)
    if fn == "get_label_quality_multiannotator":
        return multiannotator.get_label_quality_multiannotator(labels, pp, **kw)
    raise AssertionError(f"no runner for fixture function {fn!r}: every fixture entry must be checked")


# cleanlab's DataFrame columns (snake_case in the fixtures) and dtypes, from its source
CLASS_COLUMNS = {
    "class_index": ("Class Index", np.int64),
    "label_issues": ("Label Issues", np.int64),
    "inverse_label_issues": ("Inverse Label Issues", np.int64),
    "label_noise": ("Label Noise", np.float64),
    "inverse_label_noise": ("Inverse Label Noise", np.float64),
    "label_quality_score": ("Label Quality Score", np.float64),
}
OVERLAP_COLUMNS = {
    "class_index_a": ("Class Index A", np.int64),
    "class_index_b": ("Class Index B", np.int64),
    "num_overlapping_examples": ("Num Overlapping Examples", np.int64),
    "joint_probability": ("Joint Probability", np.float64),
}
LABEL_QUALITY_COLUMNS = {
    "consensus_label": ("consensus_label", np.int64),
    "consensus_quality_score": ("consensus_quality_score", np.float64),
    "annotator_agreement": ("annotator_agreement", np.float64),
    "num_annotations": ("num_annotations", np.int64),
}
ANNOTATOR_COLUMNS = {
    "annotator_quality": ("annotator_quality", np.float64),
    "agreement_with_consensus": ("agreement_with_consensus", np.float64),
    "worst_class": ("worst_class", np.int64),
    "num_examples_labeled": ("num_examples_labeled", np.int64),
}


def expected_frame(records: List[Dict[str, Any]], columns: Dict[str, Tuple[str, Any]], index: Any = None) -> Any:
    import pandas as pd

    data = {}
    for key, (name, dtype) in columns.items():
        values = [np.nan if r[key] is None else r[key] for r in records]
        data[name] = np.array(values, dtype=dtype)
    return pd.DataFrame(data, index=index)


def assert_frame_same(actual: Any, expected: Any) -> None:
    import pandas as pd

    assert isinstance(actual, pd.DataFrame), f"expected a DataFrame, got {type(actual).__name__}"
    pd.testing.assert_frame_equal(actual, expected, check_exact=False, rtol=0, atol=PARITY_TOL, check_index_type=True)
    floats = [c for c in expected.columns if expected[c].dtype.kind == "f"]
    note_float(all(np.array_equal(actual[c].to_numpy(), expected[c].to_numpy(), equal_nan=True) for c in floats))


def check(fn: str, actual: Any, expected: Any, entry: Dict[str, Any], fx: Dict[str, Any]) -> None:
    kw = entry.get("kwargs") or {}
    if fn in ("get_confident_thresholds", "estimate_joint", "get_label_quality_scores", "multilabel_classification.get_label_quality_scores"):
        assert_array_same(actual, expected, np.float64)
    elif fn == "compute_confident_joint":
        assert_array_same(actual, expected, np.int64)
    elif fn == "estimate_py_and_noise_matrices_from_probabilities":
        assert isinstance(actual, tuple) and len(actual) == 4
        for got, key, dtype in zip(actual, ("py", "noise_matrix", "inverse_noise_matrix", "confident_joint"), (np.float64, np.float64, np.float64, np.int64)):
            assert_array_same(got, expected[key], dtype)
    elif fn == "num_label_issues":
        assert type(actual) is np.int64, f"num_label_issues returned {type(actual).__name__}, cleanlab returns numpy.int64"
        assert actual == expected
    elif fn in ("find_label_issues", "filter.find_label_issues", "multilabel_classification.filter.find_label_issues"):
        ranked = kw.get("return_indices_ranked_by") is not None
        assert_array_same(actual, expected, np.int64 if ranked else np.bool_)
    elif fn == "overall_label_health_score":
        assert type(actual) is np.float64
        assert abs(actual - expected) <= PARITY_TOL
        note_float(actual == expected)
    elif fn == "rank_classes_by_label_quality":
        assert_frame_same(actual, expected_frame(expected, CLASS_COLUMNS))
    elif fn == "find_overlapping_classes":
        assert_frame_same(actual, expected_frame(expected, OVERLAP_COLUMNS))
    elif fn == "health_summary":
        assert set(actual) == set(expected)
        assert type(actual["overall_label_health_score"]) is np.float64
        assert abs(actual["overall_label_health_score"] - expected["overall_label_health_score"]) <= PARITY_TOL
        assert_array_same(actual["joint"], expected["joint"], np.float64)
        for key, other, cols in (("classes_by_label_quality", "rank_classes_by_label_quality", CLASS_COLUMNS), ("overlapping_classes", "find_overlapping_classes", OVERLAP_COLUMNS)):
            want = expected[key]
            if isinstance(want, dict) and "same_as" in want:  # the referenced entry, same tie rule
                ref = fx["expected"][other]
                want = ref["result_stable_sort"] if ref.get("tie_sensitive") else ref["result"]
            assert_frame_same(actual[key], expected_frame(want, cols))
    elif fn == "get_label_quality_multiannotator":
        check_multiannotator(actual, expected)
        # return_detailed_quality=False: the same two other frames, and no detailed table.
        labels, pp = _inputs(fx)
        without = multiannotator.get_label_quality_multiannotator(labels, pp, **kw, return_detailed_quality=False)
        assert list(without) == ["label_quality", "annotator_stats"]
        check_multiannotator(without, {k: v for k, v in expected.items() if k != "detailed_label_quality"})
    else:
        raise AssertionError(f"no check for {fn!r}")


@pytest.mark.parametrize("path,fn,i", _cases())
def test_fixture_entry(path: Path, fn: str, i: int) -> None:
    fx = load(path)
    entry = _entry(path, fn, i)
    labels, pp = _inputs(fx)
    kw = _kwargs(fn, entry.get("kwargs"), labels, pp)
    arg = _unsupported(fn, kw)
    if arg is not None:
        with pytest.raises(NotImplementedError, match=arg.replace("(", r"\(")):
            _call(fn, labels, pp, kw)
        return
    if "raises" in entry:
        assert entry["raises"] == "ValueError"
        with pytest.raises(ValueError) as err:
            _call(fn, labels, pp, kw)
        assert isinstance(err.value, labelcheck.InvalidInputError), "the server's problem becomes InvalidInputError"
        return
    expected = entry["result_stable_sort"] if entry.get("tie_sensitive") else entry["result"]
    check(fn, _call(fn, labels, pp, kw), expected, entry, fx)


def check_multiannotator(got: Dict[str, Any], want: Dict[str, Any]) -> None:
    """cleanlab's dict exactly: its keys in order, and each DataFrame's columns, dtypes, index and values."""
    import pandas as pd

    assert list(got) == list(want), f"keys {list(got)}, cleanlab returns {list(want)}"
    assert_frame_same(got["label_quality"], expected_frame(want["label_quality"], LABEL_QUALITY_COLUMNS))
    if "detailed_label_quality" in want:
        records = want["detailed_label_quality"]
        columns = {name: (name, np.float64) for name in records[0]}  # quality_annotator_<id>, annotator order
        assert_frame_same(got["detailed_label_quality"], expected_frame(records, columns))
        assert isinstance(got["detailed_label_quality"].index, pd.RangeIndex)
        missing = np.array([[v is None for v in r.values()] for r in records])
        assert np.array_equal(got["detailed_label_quality"].isna().to_numpy(), missing), "NaN exactly where cleanlab has NaN"
    stats = want["annotator_stats"]
    index = pd.Index(np.array([r["annotator"] for r in stats], dtype=np.int64))
    assert_frame_same(got["annotator_stats"], expected_frame(stats, ANNOTATOR_COLUMNS, index=index))


def test_every_fixture_entry_is_collected() -> None:
    """Guards against an empty glob: the suite covers all 18 fixture files."""
    assert len(FILES) == 18
    assert len(_cases()) > 300
