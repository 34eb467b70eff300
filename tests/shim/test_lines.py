"""The DataFrame path (column by column) writes exactly what the dict path writes."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from featurewatch import logfiles
from featurewatch import record as R
from featurewatch.settings import Settings
from featurewatch.shim import _lines
from featurewatch.shim._core import Shim

LIMIT = 40
TRICKY = ['","', '"', ",", 'x",', "\\", '\\"', "a,b", "\n", "€", "", "%b", "%s", "x" * 60, "\x00featurewatch:slot\x00"]
texts = st.one_of(st.sampled_from(TRICKY), st.text(max_size=50))
floats = st.floats(allow_nan=True, allow_infinity=True)
class Big(enum.Enum):
    """An enum whose value orjson refuses."""

    HUGE = 2**200


objects = st.one_of(st.none(), st.integers(-(2**70), 2**70), floats, texts, st.booleans(),
                    st.dictionaries(st.text(max_size=3), st.integers(-(2**70), 2**70), max_size=2),
                    st.lists(st.one_of(st.integers(), st.text(max_size=3)), max_size=3),
                    st.just(pd.NaT), st.just(dt.date(2026, 1, 2)), st.just(Big.HUGE), st.just("\ud800"),
                    st.floats(width=32).map(np.float32),
                    st.datetimes(timezones=st.just(dt.timezone(dt.timedelta(hours=1)))),
                    st.just(np.datetime64("2020-01-01T00:00:00.000000001")),
                    st.sampled_from([decimal.Decimal("1e999"), decimal.Decimal("2.5"), np.datetime64("NaT"),
                                     pd.NA, b"\xffbytes" * 10]))


def generated(examples: int):
    """Hypothesis settings of the parity tests (each example writes files, so no deadline)."""
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def column(kind: str, count: int) -> st.SearchStrategy[pd.Series]:
    """A column of ``count`` values of one kind, as a user's DataFrame would hold it."""
    of = {
        "int": (st.integers(-(2**63), 2**63 - 1), "int64"),
        "uint": (st.integers(0, 2**64 - 1), "uint64"),
        "float": (floats, "float64"),
        "float32": (st.floats(width=32, allow_nan=True), "float32"),
        "bool": (st.booleans(), "bool"),
        "str": (st.one_of(st.none(), texts), "str"),
        "object-str": (st.one_of(st.none(), texts), object),
        "object": (objects, object),
        "nullable-int": (st.one_of(st.none(), st.integers(-1000, 1000)), "Int64"),
        "Int32": (st.one_of(st.none(), st.integers(-1000, 1000)), "Int32"),
        "UInt8": (st.one_of(st.none(), st.integers(0, 255)), "UInt8"),
        "boolean": (st.one_of(st.none(), st.booleans()), "boolean"),
        "Float64": (st.one_of(st.none(), floats), "Float64"),
        "int64[pyarrow]": (st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)), "int64[pyarrow]"),
        "bool[pyarrow]": (st.one_of(st.none(), st.booleans()), "bool[pyarrow]"),
        "double[pyarrow]": (st.one_of(st.none(), floats), "double[pyarrow]"),
        "string[pyarrow]": (st.one_of(st.none(), texts), "string[pyarrow]"),
        "object-float": (st.one_of(st.none(), floats), object),
        "category": (st.one_of(st.none(), st.sampled_from(["a", '","', "c"])), "category"),
        "datetime": (st.one_of(st.none(), st.integers(0, 2**31)), "datetime"),
    }
    values, dtype = of[kind]

    def build(items: list) -> pd.Series:
        if dtype == "datetime":
            return pd.Series(pd.to_datetime(items, unit="s"))
        return pd.Series(items, dtype=dtype)

    return st.lists(values, min_size=count, max_size=count).map(build)


KINDS = ["int", "uint", "float", "float32", "bool", "str", "object-str", "object", "nullable-int", "Int32", "UInt8",
         "boolean", "Float64", "int64[pyarrow]", "bool[pyarrow]", "double[pyarrow]", "string[pyarrow]",
         "object-float", "category", "datetime"]


@st.composite
def frames(draw) -> pd.DataFrame:
    count = draw(st.integers(0, 12))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    names = draw(st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=6)),
                          min_size=len(kinds), max_size=len(kinds), unique=True))
    return pd.DataFrame({name: draw(column(kind, count)) for name, kind in zip(names, kinds)})


def predictions(count: int) -> st.SearchStrategy:
    return st.one_of(
        st.none(), floats, texts,
        st.lists(floats, min_size=count, max_size=count).map(np.array),
        st.lists(objects, min_size=count, max_size=count),
        st.lists(st.integers(0, 9), min_size=count, max_size=count).map(pd.Series),
    )


def logged(folder: Path, frame: pd.DataFrame, prediction, *, dict_path: bool, latency_ms: float = 2.5) -> bytes:
    """The bytes one request writes; an identity processor forces the dict path."""
    processors = [lambda logger, method, event: event] if dict_path else []
    shim = Shim(Settings(log_dir=str(folder), max_string_length=LIMIT, flush_interval=60), processors)
    shim.log("m%s", "1,0", frame, prediction=prediction, timestamp="2026-11-26T10:00:00Z", request_id='r","1',
             latency_ms=latency_ms)
    shim.close()
    assert shim.stats()["failed"] == 0
    lines = b"".join(path.read_bytes() for path in sorted(folder.glob("featurewatch-*.jsonl")))
    assert_nulls_listed(lines)
    return lines


def assert_nulls_listed(lines: bytes) -> None:
    """Every feature written as null is listed in ``features_null``, and only those."""
    for record in map(orjson.loads, lines.splitlines()):
        assert record[R.FEATURES_NULL] == [k for k, v in record[R.FEATURES].items() if v is None], record


class TestSameLinesAsTheDictPath:
    @generated(examples=200)
    @given(data=st.data())
    def test_generated_frames(self, tmp_path_factory, data):
        """Any frame, any prediction: the same bytes as one dict per row through ``record.dumps``."""
        frame = data.draw(frames())
        prediction = data.draw(predictions(len(frame)))
        fast = logged(tmp_path_factory.mktemp("fast"), frame, prediction, dict_path=False)
        slow = logged(tmp_path_factory.mktemp("slow"), frame, prediction, dict_path=True)
        assert fast == slow
        assert fast.count(b"\n") == len(frame)

    def test_more_rows_than_one_block(self, tmp_path):
        """Blocks of ``CHUNK_ROWS`` rows join into one run of lines, rows numbered throughout."""
        count = _lines.CHUNK_ROWS * 2 + 7
        rng = np.random.default_rng(3)
        frame = pd.DataFrame({"x": rng.normal(size=count), "c": pd.Series(rng.choice(["a", None], count), dtype="str"),
                              "n": rng.integers(0, 5, count),
                              "u": pd.Series([f"u{i}," if i % 7 else None for i in range(count)], dtype="str"),
                              "v": pd.Series([f"v{i}" if i % 7 else None for i in range(count)], dtype="str")})
        frame.loc[5, "x"] = np.nan
        scores = rng.random(count)
        fast = logged(tmp_path / "fast", frame, scores, dict_path=False)
        assert fast == logged(tmp_path / "slow", frame, scores, dict_path=True)
        rows = [orjson.loads(line) for line in fast.splitlines()]
        assert [r[R.ROW] for r in rows] == list(range(count))
        assert rows[5][R.FEATURES_NULL] == ["x"] + (["c"] if rows[5][R.FEATURES]["c"] is None else [])


def replayed(folder: Path, frame: pd.DataFrame, stamps: list[int], ids: list[str], scores: list | None,
             versions: list[str] | None, *, dict_path: bool) -> dict[str, bytes]:
    """Each hour's bytes from ``Shim.log_rows``; an identity processor forces the dict path."""
    processors = [lambda logger, method, event: event] if dict_path else []
    shim = Shim(Settings(log_dir=str(folder), max_string_length=LIMIT, flush_interval=60), processors)
    iso = R.format_timestamps(pd.Series(pd.to_datetime(stamps, unit="s", utc=True)))
    hours = [logfiles.hour_key_of(stamp) for stamp in iso]
    assert shim.log_rows("m", "1", frame, timestamps=(iso, hours), request_ids=ids, predictions=scores,
                         versions=versions) == len(frame)
    shim.close()
    hours = {str(logfiles.hour_of(path)): path.read_bytes() for path in folder.glob("featurewatch-*.jsonl")}
    for lines in hours.values():
        assert_nulls_listed(lines)
    return hours


class TestReplaysWriteTheSameLines:
    @generated(examples=100)
    @given(data=st.data())
    def test_generated_replays(self, tmp_path_factory, data):
        """Rows at their own times, ids and versions: per hour, the same bytes as the dict path."""
        frame = data.draw(frames())
        count = len(frame)
        stamps = data.draw(st.lists(st.integers(1_700_000_000, 1_700_020_000), min_size=count, max_size=count))
        ids = data.draw(st.lists(texts, min_size=count, max_size=count))
        scores = data.draw(st.one_of(st.none(), st.lists(objects, min_size=count, max_size=count)))
        versions = data.draw(st.one_of(st.none(), st.lists(texts, min_size=count, max_size=count)))
        fast = replayed(tmp_path_factory.mktemp("fast"), frame, stamps, ids, scores, versions, dict_path=False)
        slow = replayed(tmp_path_factory.mktemp("slow"), frame, stamps, ids, scores, versions, dict_path=True)
        assert fast == slow
        assert sum(lines.count(b"\n") for lines in fast.values()) == count


class TestValuesOrjsonRefuses:
    """A refused value is replaced alone: its neighbours are written as in any other record."""

    @pytest.mark.parametrize("neighbour", [np.float32(0.1),
                                           dt.datetime(2020, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))),
                                           np.datetime64("2020-01-01T00:00:00.000000001")])
    def test_neighbour_of_a_huge_int(self, tmp_path, neighbour):
        frame = pd.DataFrame({"a": pd.Series([2**70, 1], dtype=object), "b": pd.Series([neighbour] * 2, dtype=object)})
        fast = logged(tmp_path / "fast", frame, [2**70, 1], dict_path=False)
        assert fast == logged(tmp_path / "slow", frame, [2**70, 1], dict_path=True)
        first, second = (orjson.loads(line) for line in fast.splitlines())
        assert first[R.FEATURES]["a"] == str(2**70) and first[R.PREDICTION] == str(2**70)
        assert first[R.FEATURES]["b"] == second[R.FEATURES]["b"]  # not changed by the refused neighbour

    def test_lone_surrogate_after_the_first_block(self, tmp_path):
        """Every row is written (the surrogate as U+FFFD), on both paths."""
        values = ["x"] * (_lines.CHUNK_ROWS + 44)
        values[-1] = "\ud800"
        frame = pd.DataFrame({"a": pd.Series(values, dtype=object)})
        fast = logged(tmp_path / "fast", frame, None, dict_path=False)
        assert fast == logged(tmp_path / "slow", frame, None, dict_path=True)
        assert fast.count(b"\n") == len(values)
        assert orjson.loads(fast.splitlines()[-1])[R.FEATURES]["a"] == "\ufffd"

    def test_categories_holding_a_huge_int(self, tmp_path):
        frame = pd.DataFrame({"a": pd.Categorical([(2**70, "y" * 50), None, (2**70, "y" * 50)])})
        assert logged(tmp_path / "fast", frame, None, dict_path=False) == \
            logged(tmp_path / "slow", frame, None, dict_path=True)


@pytest.mark.parametrize("dtype", [">i8", ">u2", ">f8", "<i4"])
def test_byte_order_of_numeric_columns(tmp_path, dtype):
    """orjson writes only native-order arrays: other columns take the general column path."""
    frame = pd.DataFrame({"a": np.array([1, 2], dtype=dtype)})
    fast = logged(tmp_path / "fast", frame, None, dict_path=False)
    assert fast == logged(tmp_path / "slow", frame, None, dict_path=True)
    assert [orjson.loads(line)[R.FEATURES]["a"] for line in fast.splitlines()] == [1, 2]


def test_replay_lists_must_match_the_rows(tmp_path):
    shim = Shim(Settings(log_dir=str(tmp_path), flush_interval=60))
    frame = pd.DataFrame({"a": [1, 2]})
    with pytest.raises(ValueError, match="2 rows but 1 request ids"):
        shim.log_rows("m", "1", frame, timestamps=(["2026-01-01T00:00:00.000000Z"] * 2, ["20260101T00"] * 2),
                      request_ids=["r"])
    shim.close()
    assert not list(tmp_path.glob("featurewatch-*.jsonl"))


class TestFallsBackToTheDictPath:
    def test_repeated_column_names(self, tmp_path):
        """A JSON object cannot hold a key twice: such a frame is written one dict per row, last value winning."""
        frame = pd.DataFrame([[1, 2]], columns=["a", "a"])
        assert _lines.frame_lines({}, frame, [None], LIMIT) is None
        [line] = logged(tmp_path, frame, None, dict_path=False).splitlines()
        record = orjson.loads(line)
        assert record[R.FEATURES] == {"a": 2} and record[R.FEATURES_PRESENT] == ["a"]

    def test_constant_orjson_refuses(self, tmp_path):
        """A latency beyond 64 bits: the dict path's exact encoder writes it, as for any record."""
        frame = pd.DataFrame({"a": [1, 2]})
        assert _lines.frame_lines({R.LATENCY_MS: 2**70}, frame, [None, None], LIMIT) is None
        lines = logged(tmp_path, frame, None, dict_path=False, latency_ms=2**70).splitlines()
        assert [orjson.loads(line)[R.LATENCY_MS] for line in lines] == [str(2**70)] * 2

    def test_constant_holding_the_slot_marker(self):
        """A model name equal to the slot marker would shift every value: the template is refused."""
        frame = pd.DataFrame({"a": [1]})
        assert _lines.frame_lines({R.MODEL: _lines.SLOT}, frame, [None], LIMIT) is None


@pytest.mark.parametrize("values", [
    [1, 2, None, 3.5, True], ["a", '","', None, "\\", ""], [",", "", None, "x,", 'y",', ","],
    [{"a": 1}, [1, ","], None, "x"], [2**70, "é"], [],
])
def test_encode_values_matches_one_dumps_per_value(values):
    expected = [orjson.dumps(R.encode_value(v, LIMIT), option=orjson.OPT_NON_STR_KEYS) for v in values]
    assert _lines.encode_values(values) == expected
