"""One kind rule for every source: the same data as CSV, Parquet, JSON lines, a DataFrame, logged records
and Elasticsearch documents gets the same kinds (issue 15 item 3)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from eswindow import ship
from featurewatch.baseline import BaselineOptions, baseline_from_logs, build_baseline, infer_kind
from featurewatch.baseline.files import baseline_from_file
from featurewatch.baseline.infer import infer
from featurewatch.es.client import build_client
from featurewatch.es.reference import baseline_from_es
from featurewatch.replay import ReplayColumns, replay_frame
from featurewatch.settings import load_settings
from featurewatch.shim import _state

START = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
END = START + dt.timedelta(days=1)
EXPECTED = {
    "job_title": "identifier", "region": "categorical", "age": "numeric", "income": "numeric",
    "member": "boolean", "joined": "identifier", "signup_day": "identifier", "zip": "identifier",
    "note": "text", "empty": "identifier",
}


def _frame(n: int = 400) -> pd.DataFrame:
    """One table of every case a source may type differently: nulls, codes, dates, booleans."""
    rng = np.random.default_rng(5)
    titles = np.array([f"{a} {b}" for a in ("senior", "junior", "lead", "chief", "staff", "head")
                       for b in range(60)], dtype=object)
    return pd.DataFrame({
        "ts": pd.date_range(START, periods=n, freq="1min"),
        "job_title": pd.Series(rng.choice(titles, n), dtype=object).where(rng.random(n) > 0.1, None),
        "region": rng.choice(np.array(["north", "south", "NA"], dtype=object), n),
        "age": pd.array([None if i % 9 == 0 else int(v) for i, v in enumerate(rng.integers(18, 80, n))],
                        dtype="Int64"),
        "income": rng.lognormal(3, 0.5, n).round(2),
        "member": pd.array([None if i % 11 == 0 else bool(i % 2) for i in range(n)], dtype="boolean"),
        "joined": pd.Timestamp("2020-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 10**8, n), unit="s"),
        "signup_day": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 5, n), unit="D"),
        "zip": [f"{v:05d}" for v in rng.integers(0, 3000, n)],
        "note": [" ".join(rng.choice(["pay", "the", "bill", "now", "car"], 4)) for _ in range(n)],
        "empty": pd.Series([None] * n, dtype=float),
    })


def _kinds(baseline):
    return {name: feature.kind for name, feature in baseline.features.items()}


OPTIONS = BaselineOptions(model="m", exclude=frozenset({"ts"}))


@pytest.fixture(scope="module")
def frame():
    return _frame()


@pytest.fixture(scope="module")
def logs(frame, tmp_path_factory):
    folder = tmp_path_factory.mktemp("logs")
    _state.configure(log_dir=str(folder))
    replay_frame(frame, ReplayColumns(timestamp="ts"), model="m", version="1")
    _state.reset()
    return folder


class TestSameKindsFromEverySource:
    def test_dataframe(self, frame):
        assert _kinds(build_baseline(frame.drop(columns=["ts"]), BaselineOptions(model="m"))) == EXPECTED

    @pytest.mark.parametrize("suffix", ["csv", "parquet", "jsonl"])
    def test_files(self, frame, tmp_path, suffix):
        path = tmp_path / f"training.{suffix}"
        if suffix == "csv":
            frame.to_csv(path, index=False)
        elif suffix == "parquet":
            frame.to_parquet(path)
        else:
            frame.to_json(path, orient="records", lines=True, date_format="iso")
        assert _kinds(baseline_from_file(path, OPTIONS)) == EXPECTED

    def test_logged_records(self, logs):
        assert _kinds(baseline_from_logs(logs, BaselineOptions(model="m"), START, END)) == EXPECTED

    def test_elasticsearch(self, frame, logs, tmp_path, es_url, es_client, es_prefix):
        ship(logs, es_url, es_client, es_prefix, build_baseline(frame.drop(columns=["ts"]), BaselineOptions(model="m")),
             tmp_path)
        client = build_client(load_settings({"es_url": es_url}).es)
        assert _kinds(baseline_from_es(client, es_prefix, BaselineOptions(model="m"), START, END)) == EXPECTED


class TestRules:
    def test_datetimes_and_iso_strings_are_one_case(self):
        """A datetime column is logged as ISO 8601 text: both are identifiers, never text (their digits are not
        words)."""
        stamps = pd.Series(pd.date_range("2026-01-01", periods=100, freq="37min"))
        assert infer_kind(stamps) == infer_kind(stamps.astype(str)) == "identifier"
        assert infer_kind(pd.Series(stamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ").tolist())) == "identifier"

    def test_the_row_order_does_not_matter(self):
        """Logged files are read by hour and process, not in training order: the text rule samples by value."""
        short = [f"v{i}" for i in range(6000)]
        long_ = [f"a b c d e {i}" for i in range(6000)]
        values = pd.Series(short + long_, dtype=object)
        assert infer(values) == infer(values.iloc[::-1].reset_index(drop=True))

    def test_codes_with_leading_zeros_stay_strings_in_a_csv(self, tmp_path):
        path = tmp_path / "t.csv"
        path.write_text("zip,n\n" + "".join(f"{i:05d},{i}\n" for i in range(100)))
        baseline = baseline_from_file(path, BaselineOptions(model="m"))
        assert baseline.features["zip"].kind == "identifier" and baseline.features["n"].kind == "numeric"

    def test_json_lines_keep_absent_apart_from_null(self, tmp_path):
        """A key missing from a line is absent (as in the logs), a JSON null is null."""
        path = tmp_path / "t.jsonl"
        path.write_text('{"a": 1, "b": 2}\n{"a": null}\n{"b": 3}\n')
        baseline = baseline_from_file(path, BaselineOptions(model="m"))
        a, b = baseline.features["a"], baseline.features["b"]
        assert (a.present, a.nulls, b.present, b.nulls) == (2, 1, 2, 0)
