"""Columns of any dtype: every null is in the mask (and so in ``features_null``), whatever holds it."""

from __future__ import annotations

import decimal
import math

import numpy as np
import pandas as pd
import pytest

import featurewatch as fw
from featurewatch import record as R
from featurewatch.detect import detect_profile
from featurewatch.profile import LocalSource
from featurewatch.shim import _records
from helpers import END, START, synthetic_frame
from tests.conftest import read_records


@pytest.mark.parametrize("values,dtype", [
    ([1, None, 3], "Int64"), ([1, None, 3], "Int32"), ([1, None, 3], "UInt8"), ([True, None, False], "boolean"),
    ([1, None, 3], "int64[pyarrow]"), ([True, None, False], "bool[pyarrow]"), ([1.5, None, math.inf], "Float64"),
    ([1.5, None, -math.inf], "double[pyarrow]"), (["a", None, "c"], "string[pyarrow]"),
    ([1.5, math.inf, -math.inf], object), (["a", decimal.Decimal("1e999"), np.datetime64("NaT")], object),
])
def test_mask_holds_every_null(values, dtype):
    series = pd.Series(values, dtype=dtype)
    column, mask = _records.column_values(series, 100)
    expected = [R.is_null(v) for v in series.tolist()]
    assert mask is not None and mask.tolist() == expected
    assert [R.is_null(v) for v in column] == expected  # written as null exactly where masked


def test_half_missing_nullable_integers_raise_a_null_spike(synth, log_dir):
    """Half of an ``Int64`` column ``<NA>`` is a null spike, as the same data in float64 is."""
    frame = synthetic_frame(2000, seed=11)
    frame["age"] = frame["age"].astype("Int64").mask(np.arange(len(frame)) % 2 == 0)
    fw.log_request(model="synth", version="1.0", features=frame.drop(columns=["score"]),
                   prediction=frame["score"].to_numpy(), timestamp=START)
    fw.flush()
    assert sum("age" in r[R.FEATURES_NULL] for r in read_records(log_dir)) == 1000
    report = detect_profile(synth, LocalSource(log_dir, workers=1).profile(synth, START, END))
    assert any(f.check == "na_spike" and f.feature == "age" and f.severity in ("warning", "critical")
               for f in report.findings)
