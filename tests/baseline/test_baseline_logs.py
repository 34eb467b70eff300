"""Baselines from logged records: lines that are not records are skipped, never a crash."""

from __future__ import annotations

import datetime as dt

import featurewatch as fw
from featurewatch.baseline import BaselineOptions, baseline_from_logs

START = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)


def test_lines_that_are_not_records_are_skipped(tmp_path):
    fw.configure(log_dir=str(tmp_path))
    for i in range(50):
        fw.log_request(model="m", version="1", features={"x": float(i), "c": "ab"[i % 2]},
                       timestamp=START + dt.timedelta(minutes=i))
    fw.flush()
    [path] = list(tmp_path.iterdir())
    with path.open("ab") as handle:
        handle.write(b'["an", "array"]\n')
        handle.write(b'{"@timestamp": "2026-11-20T00:10:00.000000Z", "model": "m", "features": "x"}\n')
        handle.write(b'{"@timestamp": "2026-11-20T00:11:00.000000Z", "model": "m"}\n')
        handle.write(b"not json\n")
    baseline = baseline_from_logs(tmp_path, BaselineOptions(model="m"), START, START + dt.timedelta(hours=1))
    assert baseline.rows == 50 and set(baseline.features) == {"x", "c"}
    assert baseline.versions == ["1"]
