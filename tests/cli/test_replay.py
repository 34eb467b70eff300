"""``featurewatch replay``: rows become historical requests; bad input is one clear line."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from featurewatch import record as R
from featurewatch.cli import main
from tests.conftest import read_records


@pytest.fixture
def traffic(tmp_path):
    frame = pd.DataFrame({
        "ts": ["2026-11-20T10:15:00Z", "2026-11-20T11:45:00Z", "2026-11-20T11:50:00+01:00"],
        "age": [30, None, 50], "city": ["Oslo", "Lima", None], "score": [0.1, 0.2, 0.3],
    })
    return frame


@pytest.mark.parametrize("suffix", ["csv", "parquet", "jsonl"])
def test_replay_each_format(tmp_path, traffic, suffix):
    path = tmp_path / f"traffic.{suffix}"
    if suffix == "csv":
        traffic.to_csv(path, index=False)
    elif suffix == "parquet":
        traffic.to_parquet(path)
    else:
        traffic.to_json(path, orient="records", lines=True)
    logs = tmp_path / "logs"
    result = CliRunner().invoke(main, ["replay", str(path), "--model", "credit", "--version", "1.0",
                                       "--timestamp-column", "ts", "--prediction-column", "score",
                                       "--log-dir", str(logs)])
    assert result.exit_code == 0, result.output
    assert "replayed 3 rows" in result.output
    recs = sorted(read_records(logs), key=lambda r: r[R.TIMESTAMP])
    assert [r[R.TIMESTAMP] for r in recs] == ["2026-11-20T10:15:00.000000Z", "2026-11-20T10:50:00.000000Z",
                                             "2026-11-20T11:45:00.000000Z"]
    assert [r[R.PREDICTION] for r in recs] == [0.1, 0.3, 0.2]
    assert recs[2][R.FEATURES_NULL] == ["age"] and recs[1][R.FEATURES_NULL] == ["city"]
    assert all(set(r[R.FEATURES]) == {"age", "city"} for r in recs)


def test_replay_twice_gives_the_same_request_ids(tmp_path, traffic):
    path = tmp_path / "t.csv"
    traffic.to_csv(path, index=False)
    ids = []
    for run in range(2):
        logs = tmp_path / f"logs{run}"
        CliRunner().invoke(main, ["replay", str(path), "--model", "m", "--timestamp-column", "ts",
                                  "--log-dir", str(logs)])
        ids.append(sorted(r[R.REQUEST_ID] for r in read_records(logs)))
    assert ids[0] == ids[1] and len(set(ids[0])) == 3


@pytest.mark.parametrize("args, message", [
    (["--timestamp-column", "nope"], "column(s) not in the data: nope"),
    (["--timestamp-column", "city"], "cannot parse timestamps in column 'city'"),
])
def test_bad_columns_are_one_line_usage_errors(tmp_path, traffic, args, message):
    path = tmp_path / "t.csv"
    traffic.to_csv(path, index=False)
    result = CliRunner().invoke(main, ["replay", str(path), "--model", "m", "--log-dir", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_missing_and_unsupported_files(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["replay", str(tmp_path / "none.csv"), "--model", "m", "--timestamp-column", "t"])
    assert result.exit_code == 2 and "data file not found" in result.output
    odd = tmp_path / "x.xlsx"
    odd.write_text("x")
    result = runner.invoke(main, ["replay", str(odd), "--model", "m", "--timestamp-column", "t"])
    assert result.exit_code == 2 and "unsupported data file x.xlsx" in result.output
