"""The record format: encoding never raises, nulls are nulls, ids are deterministic."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import math

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from featurewatch import record as R


class Color(enum.Enum):
    RED = "red"


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no")


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=50),
    st.text(min_size=3000, max_size=5000, alphabet="ab€"),
    st.decimals(allow_nan=True, allow_infinity=True), st.binary(max_size=20),
    st.datetimes(timezones=st.one_of(st.none(), st.just(dt.UTC))), st.dates(),
    st.integers(-1000, 1000).map(np.int64), st.floats(width=32, allow_nan=True).map(np.float32),
    st.floats(allow_nan=True).map(np.float64), st.booleans().map(np.bool_),
    st.just(pd.NA), st.just(pd.NaT), st.just(Color.RED), st.just(Unprintable()),
    st.integers(0, 10**9).map(lambda s: pd.Timestamp(s, unit="s")),
    st.lists(st.floats(allow_nan=True), max_size=4).map(np.array),
    st.frozensets(st.integers(0, 5), max_size=4),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)), max_leaves=12)


class TestDumps:
    @settings(max_examples=150, deadline=None)
    @given(features=st.dictionaries(st.text(max_size=10), values, max_size=8), prediction=values)
    def test_any_value_gives_one_valid_json_line(self, features, prediction):
        """Whatever a caller passes, dumps gives exactly one parseable JSON line."""
        line = R.dumps({R.FEATURES: features, R.PREDICTION: prediction})
        assert line.endswith(b"\n") and line.count(b"\n") == 1
        parsed = orjson.loads(line)
        assert set(parsed[R.FEATURES]) == {str(k) for k in features}

    def test_encoding_table(self):
        """Each documented type gets its documented JSON form."""
        encoded = orjson.loads(R.dumps({
            "nan": math.nan, "inf": -math.inf, "na": pd.NA, "nat": pd.NaT,
            "np_int": np.int64(7), "np_float": np.float32(1.5), "dec": decimal.Decimal("2.25"),
            "when": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "day": dt.date(2026, 1, 2),
            "raw": b"ab\xff", "set": {3, 1, 2}, "enum": Color.RED, "big": 2**70, "obj": Unprintable(),
            "arr": np.array([1, 2]), "offset": dt.datetime(2026, 1, 2, 3, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            "stamp": pd.Timestamp("2026-01-02T03:00:00+01:00"), "np_when": np.datetime64("2026-01-02T03:00:00.5"),
            "surrogate": "a\ud800",
        }))
        assert encoded == {
            "nan": None, "inf": None, "na": None, "nat": None, "np_int": 7, "np_float": 1.5,
            "dec": 2.25, "when": "2026-01-02T03:04:05Z", "day": "2026-01-02", "raw": "ab\ufffd",
            "set": [1, 2, 3], "enum": "red", "big": "1180591620717411303424", "obj": "<Unprintable>",
            "arr": [1, 2], "offset": "2026-01-02T03:00:00+01:00", "stamp": "2026-01-02T02:00:00Z",
            "np_when": "2026-01-02T03:00:00.500000", "surrogate": "a\ufffd",
        }


class TestNulls:
    @pytest.mark.parametrize("value", [None, math.nan, math.inf, -math.inf, np.float64("nan"),
                                       np.float32("inf"), pd.NA, pd.NaT, decimal.Decimal("NaN")])
    def test_null_values(self, value):
        """Values written as JSON null are recognised as null."""
        assert R.is_null(value)

    @pytest.mark.parametrize("value", [0, 0.0, "", "nan", False, np.int64(0), [], {}])
    def test_non_null_values(self, value):
        """Falsy but real values are not null."""
        assert not R.is_null(value)


class TestTruncate:
    def test_long_strings_keep_limit_and_marker(self):
        """A cut string fits the limit and says how long it was."""
        text = R.truncate("x" * 10_000, 100)
        assert len(text) == 100 and text.endswith("[truncated, 10000 chars]")

    def test_short_strings_unchanged(self):
        assert R.truncate("hello", 100) == "hello"


class TestIdsAndTime:
    def test_document_id_is_deterministic_and_distinct(self):
        """The same model/request/row always gives the same id; another row another id."""
        a = {R.MODEL: "m", R.REQUEST_ID: "r1", R.ROW: 0}
        assert R.document_id(a) == R.document_id(dict(a))
        assert R.document_id(a) != R.document_id({**a, R.ROW: 1})
        assert len(R.document_id({R.MODEL: "m" * 1000, R.REQUEST_ID: "r", R.ROW: 0})) == 32

    def test_timestamps_round_trip_in_utc(self):
        moment = dt.datetime(2026, 11, 26, 18, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))
        text = R.format_timestamp(moment)
        assert text == "2026-11-26T16:00:00.123456Z"
        assert R.parse_timestamp(text) == moment


class TestRefusedValues:
    def test_only_the_refused_value_is_replaced(self):
        """A huge int or a lone surrogate is replaced alone; its neighbours keep orjson's own encoding."""
        tz = dt.timezone(dt.timedelta(hours=1))
        neighbours = {"f32": np.float32(0.1), "when": dt.datetime(2020, 1, 1, tzinfo=tz), "key": {True: 1}}
        alone = orjson.loads(R.dumps({R.FEATURES: neighbours}))[R.FEATURES]
        beside = orjson.loads(R.dumps({R.FEATURES: {**neighbours, "big": 2**70, "text": "a\ud800b"}}))[R.FEATURES]
        assert beside == {**alone, "big": str(2**70), "text": "a\ufffdb"}

    def test_odd_keys_become_text(self):
        assert orjson.loads(R.dumps({R.FEATURES: {("a", 1): 2**70}}))[R.FEATURES] == {"('a', 1)": str(2**70)}


class TestDumpsMany:
    @settings(max_examples=100, deadline=None)
    @given(rows=st.lists(st.dictionaries(st.text(max_size=5), values, max_size=4), min_size=0, max_size=6))
    def test_same_lines_as_one_call_each(self, rows):
        """The one-call fast path gives exactly the lines of serialising each record alone."""
        records = [{R.SCHEMA: 1, R.FEATURES: row} for row in rows]
        block, count = R.dumps_many(records)
        assert count == len(records)
        assert block == b"".join(R.dumps(r) for r in records)

    def test_nested_lookalike_of_the_separator_falls_back(self):
        """A feature holding record-shaped objects adds separator matches: each record is then serialised alone."""
        tricky = [{"schema": 1, "features": {"list": [{"a": 1}, {"schema": 2}]}}, {"schema": 1, "features": {}}]
        block, count = R.dumps_many(tricky)
        assert count == 2 and block.count(b"\n") == 2
        assert [orjson.loads(line) for line in block.splitlines()] == tricky

    def test_records_with_other_first_keys(self):
        records = [{"a": 1}, {"b": 2}, {"a": 3}]
        assert R.dumps_many(records)[0] == b'{"a":1}\n{"b":2}\n{"a":3}\n'


class Huge:
    """An object whose text is 5 MB."""

    def __str__(self) -> str:
        return "h" * 5_000_000


class Fatal(BaseException):
    """Not an Exception: what a hostile ``__str__`` may raise."""


class Raising:
    def __str__(self) -> str:
        raise Fatal("from __str__")


class Missing(enum.Enum):
    NONE = None
    NAN = math.nan


class TestStringsTheEncoderMakes:
    @pytest.mark.parametrize("value", [Huge(), b"b" * 5_000_000, bytearray(b"c" * 5000), {Huge()}])
    def test_cut_to_the_limit(self, value):
        """``str(obj)`` and decoded bytes are cut like any string, on every entry point."""
        from_dumps = orjson.loads(R.dumps({"v": value}, 100))["v"]
        from_encode = R.encode_value(value, 100)
        for text in (from_dumps, from_encode):
            text = text[0] if isinstance(text, list) else text
            assert len(text) == 100 and R.TRUNCATION_MARKER in text

    def test_no_limit_keeps_them_whole(self):
        assert R.encode_value(b"x" * 5000) == "x" * 5000

    def test_base_exception_from_str_gives_the_placeholder(self):
        """A ``BaseException`` (not ``KeyboardInterrupt``) from ``__str__`` never leaves the encoder."""
        assert orjson.loads(R.dumps({"v": Raising()}))["v"] == "<Raising>"
        assert R.encode_value(Raising()) == "<Raising>"
        assert R.name_text(Raising()) == "<Raising>"


class TestEveryNullIsKnown:
    @pytest.mark.parametrize("value", [decimal.Decimal("1e999"), decimal.Decimal("-1e999"), np.datetime64("NaT"),
                                       np.timedelta64("NaT"), Missing.NONE, Missing.NAN, np.float32("nan"),
                                       np.array(np.nan)])
    def test_written_as_null_and_recognised(self, value):
        """Values the encoder writes as null are null for :func:`is_null` too (the shim lists those)."""
        assert orjson.loads(R.dumps({"v": value}))["v"] is None
        assert R.is_null(value)

    @given(value=values)
    @settings(max_examples=300, deadline=None)
    def test_is_null_agrees_with_the_encoder(self, value):
        assert R.is_null(value) == (orjson.loads(R.dumps({"v": value}))["v"] is None)


class TestLayoutAndTime:
    def test_make_record_field_order(self):
        """The documented order, every field present."""
        record = R.make_record(timestamp="t", model="m", version="v", request_id="r")
        assert list(record) == [R.SCHEMA, R.TIMESTAMP, R.MODEL, R.MODEL_VERSION, R.REQUEST_ID, R.ROW,
                                R.LATENCY_MS, R.FEATURES, R.FEATURES_PRESENT, R.FEATURES_NULL, R.PREDICTION]
        assert record[R.SCHEMA] == R.SCHEMA_VERSION and record[R.ROW] == 0

    @pytest.mark.parametrize("moment,text", [
        (dt.datetime(999, 12, 31, 23, 59, 59, tzinfo=dt.UTC), "0999-12-31T23:59:59.000000Z"),
        (dt.datetime(1, 1, 1, 0, 0, 0, 5), "0001-01-01T00:00:00.000005Z"),
        (dt.datetime(2026, 11, 26, 18, tzinfo=dt.timezone(dt.timedelta(hours=-1))), "2026-11-26T19:00:00.000000Z"),
        (0.5, "1970-01-01T00:00:00.500000Z"),
    ])
    def test_years_have_four_digits(self, moment, text):
        assert R.format_timestamp(moment) == text
        assert R.parse_timestamp(text) == R.parse_timestamp(R.format_timestamp(moment))

    def test_many_at_once_match_one_at_a_time(self):
        """The vectorised form (replays) writes the same text, years before 1000 and offsets included."""
        moments = [dt.datetime(999, 12, 31, 23, 30, 0, 250000, tzinfo=dt.UTC),
                   dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.timezone(dt.timedelta(hours=2)))]
        stamps = pd.Series(pd.to_datetime(moments, utc=True))
        assert R.format_timestamps(stamps) == [R.format_timestamp(m) for m in moments]
        assert R.format_timestamps(stamps.dt.tz_convert(None).to_numpy()) == [R.format_timestamp(m) for m in moments]

    @pytest.mark.parametrize("value,text", [(123, "123"), ("m", "m"), (1.5, "1.5"), ("a\ud800", "a\ufffd")])
    def test_names_are_text(self, value, text):
        assert R.name_text(value) == text
