"""Shared helpers for the client's tests.

The suite talks to a real labelcheck server: ``LABELCHECK_URL`` (npm test starts one on a
loopback port and sets it), or -- unset -- the local server the client starts itself.
Fixtures are the cleanlab 2.9 parity cases committed in the repository's test/fixtures/.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Dict

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "test" / "fixtures"

try:
    import pandas as pd  # noqa: F401

    HAVE_PANDAS = True
except ImportError:  # the DataFrame tests say so when they skip
    HAVE_PANDAS = False

needs_pandas = pytest.mark.skipif(not HAVE_PANDAS, reason="pandas is not importable: DataFrame returns not tested")

_cache: Dict[Path, Dict[str, Any]] = {}


def load(path: Path) -> Dict[str, Any]:
    if path not in _cache:
        _cache[path] = json.loads(path.read_text())
    return _cache[path]


def expected_array(value: Any, dtype: Any) -> np.ndarray:
    """A fixture value as an array of cleanlab's dtype (null = NaN)."""
    if dtype == np.float64:
        return np.array(_nan(value), dtype=np.float64)
    return np.array(value, dtype=dtype)


def _nan(v: Any) -> Any:
    if v is None:
        return math.nan
    if isinstance(v, list):
        return [_nan(x) for x in v]
    return v


# The project's parity tolerance for floats (README "Exactness"; test/helpers/tolerance.ts):
# the server's sums are not always in numpy's order, so a float may differ in its last bits.
PARITY_TOL = 1e-9
FLOAT_STATS = {"compared": 0, "bit_identical": 0}


def assert_array_same(actual: Any, expected: Any, dtype: Any) -> None:
    """Same type (ndarray), dtype, shape; integers and booleans identical, floats within
    PARITY_TOL (NaN == NaN). Counts the float arrays that are also bit-identical."""
    exp = expected_array(expected, dtype)
    assert isinstance(actual, np.ndarray), f"expected a numpy array, got {type(actual).__name__}"
    assert actual.dtype == exp.dtype, f"dtype {actual.dtype} != cleanlab's {exp.dtype}"
    assert actual.shape == exp.shape, f"shape {actual.shape} != cleanlab's {exp.shape}"
    if exp.dtype.kind == "f":
        note_float(np.array_equal(actual, exp, equal_nan=True))
        close = np.isclose(actual, exp, rtol=0, atol=PARITY_TOL, equal_nan=True)
        if not close.all():
            bad = np.argwhere(~close)
            raise AssertionError(f"float values differ from cleanlab's by more than {PARITY_TOL} at {bad[:5].tolist()}")
    else:
        assert np.array_equal(actual, exp), f"values differ from cleanlab's at {np.argwhere(actual != exp)[:5].tolist()}"


def note_float(identical: bool) -> None:
    FLOAT_STATS["compared"] += 1
    FLOAT_STATS["bit_identical"] += int(identical)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if FLOAT_STATS["compared"]:
        terminalreporter.write_line(
            f"float results: {FLOAT_STATS['bit_identical']} of {FLOAT_STATS['compared']} bit-identical to cleanlab's, "
            f"all within {PARITY_TOL}"
        )
