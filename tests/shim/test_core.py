"""The Shim itself: the hot path's layout, names as strings, nulls and long strings on every path,
and nothing a value does escaping into the model's call."""

from __future__ import annotations

import datetime as dt
import decimal
import math

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import featurewatch as fw
from featurewatch import logfiles
from featurewatch import record as R
from featurewatch.settings import Settings
from featurewatch.shim._core import Shim
from tests.conftest import read_records

LIMIT = 60
WHEN = "2026-11-26T10:00:00.000000Z"


class Huge:
    """An object whose text is 5 MB."""

    def __str__(self) -> str:
        return "h" * 5_000_000


class Fatal(BaseException):
    """Not an Exception."""


class Raising:
    def __str__(self) -> str:
        raise Fatal("from __str__")


def _lines(folder, log) -> list[bytes]:
    shim = Shim(Settings(log_dir=str(folder), max_string_length=LIMIT, flush_interval=60))
    log(shim)
    shim.close()
    return [line for path in sorted(folder.glob("featurewatch-*.jsonl")) for line in path.read_bytes().splitlines()]


class TestLayout:
    def test_hot_path_writes_make_record(self, tmp_path):
        """The single-dict literal is :func:`record.make_record`'s layout, byte for byte."""
        features = {"a": 1, "b": None, "c": "x"}
        [line] = _lines(tmp_path, lambda shim: shim.log("m", "1", features, prediction=0.5, timestamp=WHEN,
                                                        request_id="r", latency_ms=2.0))
        expected = R.make_record(timestamp=WHEN, model="m", version="1", request_id="r", latency_ms=2.0,
                                 features=features, present=["a", "b", "c"], nulls=["b"], prediction=0.5)
        assert line + b"\n" == R.dumps(expected)

    def test_general_path_writes_the_same_layout(self, tmp_path):
        """A list of one dict takes the general path: the same line as the hot path."""
        def log(shim):
            shim.log("m", "1", {"a": 1}, prediction=0.5, timestamp=WHEN, request_id="r")
            shim.log("m", "1", [{"a": 1}], prediction=0.5, timestamp=WHEN, request_id="r")
        hot, general = _lines(tmp_path, log)
        assert hot == general

    def test_parameters_after_features_are_keyword_only(self, tmp_path):
        shim = Shim(Settings(log_dir=str(tmp_path)))
        with pytest.raises(TypeError):
            shim.log("m", "1", {"a": 1}, 0.5)  # type: ignore[misc]
        shim.close()


class TestNamesAreStrings:
    @pytest.mark.parametrize("model,version,request_id,expected", [
        (123, 1.5, 5, ("123", "1.5", "5")),
        (None, None, None, (R.UNKNOWN_MODEL, None, None)),
        ("m\ud800", "v", "r", ("m\ufffd", "v", "r")),
    ])
    def test_model_version_and_request_id(self, log_dir, model, version, request_id, expected):
        """Written as strings (so the shipper can index them); ``model=None`` is ``record.UNKNOWN_MODEL``,
        ``version=None`` stays null, ``request_id=None`` gets a generated id."""
        fw.log_request(model=model, version=version, features={"a": 1}, request_id=request_id)
        fw.log_request(model=model, version=version, features=pd.DataFrame({"a": [1]}), request_id=request_id)
        fw.flush()
        for record in read_records(log_dir):
            assert record[R.MODEL] == expected[0] and record[R.MODEL_VERSION] == expected[1]
            assert isinstance(record[R.REQUEST_ID], str)
            if expected[2] is not None:
                assert record[R.REQUEST_ID] == expected[2]

    def test_model_none_is_said_once(self, log_dir, capsys):
        for _ in range(3):
            fw.log_request(model=None, features={"a": 1})
        assert capsys.readouterr().err.count("model=None") == 1


class TestStringsFromObjects:
    """``str(obj)`` and decoded bytes are cut to ``max_string_length`` whatever the path."""

    @pytest.mark.parametrize("features", [
        {"o": Huge()}, {"o": b"b" * 100_000}, {"o": Huge(), 1: "non-string key"},
        [{"o": Huge()}], pd.DataFrame({"o": pd.Series([Huge(), b"b" * 100_000], dtype=object)}),
        pd.Series({"o": Huge()}),
    ])
    def test_features(self, tmp_path, features):
        lines = _lines(tmp_path, lambda shim: shim.log("m", "1", features, prediction=Huge(), timestamp=WHEN))
        assert lines
        for line in lines:
            record = orjson.loads(line)
            assert len(line) < 1000
            assert len(record[R.FEATURES]["o"]) == LIMIT and R.TRUNCATION_MARKER in record[R.FEATURES]["o"]
            assert len(record[R.PREDICTION]) == LIMIT

    def test_redacted_request(self, tmp_path):
        shim = Shim(Settings(log_dir=str(tmp_path), max_string_length=LIMIT, redact=("ssn",)))
        shim.log("m", "1", {"o": Huge(), "ssn": "1"}, timestamp=WHEN)
        shim.close()
        [record] = read_records(tmp_path)
        assert len(record[R.FEATURES]["o"]) == LIMIT


class TestNothingEscapes:
    def test_base_exception_from_str_on_every_path(self, log_dir):
        """A value whose ``__str__`` raises a BaseException: the record is written with ``<Raising>``."""
        fw.log_request(model="m", features={"x": Raising()})
        fw.log_request(model="m", features=[{"x": Raising()}])
        fw.log_request(model="m", features=pd.DataFrame({"x": pd.Series([Raising()], dtype=object)}))
        fw.log_request(model="m", features={"x": 1}, prediction=Raising())
        fw.flush()
        records = read_records(log_dir)
        assert len(records) == 4 and fw.stats()["failed"] == 0
        assert [r[R.FEATURES]["x"] for r in records[:3]] == ["<Raising>"] * 3
        assert records[3][R.PREDICTION] == "<Raising>"

    def test_the_models_own_exception_propagates(self, log_dir):
        """Logging the failure must not replace the model's exception, whatever the features do."""
        class Hostile:
            def __str__(self):
                raise Fatal("str")

            def __eq__(self, other):
                raise Fatal("eq")

            __hash__ = object.__hash__

        @fw.monitor(model="m")
        def predict(features):
            raise ValueError("the model's own")

        for features in ({"x": Raising()}, {"x": Hostile()}, [{"x": Hostile()}]):
            with pytest.raises(ValueError, match="the model's own"):
                predict(features)

    def test_hostile_comparison_is_dropped_and_counted(self, log_dir):
        """A BaseException from ``__eq__`` drops the record (counted), it does not reach the caller."""
        class Hostile:
            def __eq__(self, other):
                raise Fatal("eq")

            def __ne__(self, other):
                raise Fatal("ne")

            __hash__ = object.__hash__

        @fw.monitor(model="m")
        def predict(features):
            return 1

        assert predict({"x": Hostile()}) == 1
        fw.flush()
        assert read_records(log_dir) == [] and fw.stats()["failed"] == 1

    def test_keyboard_interrupt_still_interrupts(self, log_dir):
        class Interrupting:
            def __str__(self):
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            fw.log_request(model="m", features={"x": Interrupting()})


class TestOldTimestamps:
    def test_year_before_1000(self, log_dir):
        """The record and the file name carry a four-digit year, and readers find the file's hour."""
        fw.log_request(model="m", features={"a": 1}, timestamp=dt.datetime(999, 12, 31, 23, 30, tzinfo=dt.UTC))
        fw.log_request(model="m", features={"a": 2}, timestamp="0999-12-31T23:45:00Z")
        fw.flush()
        [path] = logfiles.log_files(log_dir)
        assert path.name.startswith("featurewatch-09991231T23-")
        assert logfiles.hour_of(path) == dt.datetime(999, 12, 31, 23, tzinfo=dt.UTC)
        stamps = [r[R.TIMESTAMP] for r in read_records(log_dir)]
        assert stamps == ["0999-12-31T23:30:00.000000Z", "0999-12-31T23:45:00.000000Z"]


_ODD_NULLS = [None, math.nan, math.inf, -math.inf, decimal.Decimal("1e999"), decimal.Decimal("NaN"),
              np.datetime64("NaT"), np.float32("nan"), np.float64("-inf"), pd.NA, pd.NaT]
values = st.one_of(st.sampled_from(_ODD_NULLS), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=80),
                   st.booleans(), st.decimals(allow_nan=False), st.binary(max_size=80),
                   st.lists(st.one_of(st.none(), st.integers()), max_size=3))


class TestEveryNullIsListed:
    @pytest.mark.parametrize("value", _ODD_NULLS)
    def test_odd_nulls_on_the_dict_path(self, tmp_path, value):
        [line] = _lines(tmp_path, lambda shim: shim.log("m", "1", {"v": value, "a": 1}, timestamp=WHEN))
        record = orjson.loads(line)
        assert record[R.FEATURES]["v"] is None and record[R.FEATURES_NULL] == ["v"]

    @settings(max_examples=150, deadline=None)
    @given(features=st.dictionaries(st.text(max_size=5), values, max_size=6))
    def test_single_dict_and_general_path_agree(self, tmp_path_factory, features):
        """The hot path and the general path write the same line, and list exactly the null values."""
        def log(shim):
            shim.log("m", "1", features, timestamp=WHEN, request_id="r")
            shim.log("m", "1", [features], timestamp=WHEN, request_id="r")
        hot, general = _lines(tmp_path_factory.mktemp("logs"), log)
        assert hot == general
        record = orjson.loads(hot)
        assert record[R.FEATURES_NULL] == [k for k, v in record[R.FEATURES].items() if v is None]
