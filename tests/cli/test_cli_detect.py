"""The CLI: baseline build and detect, exit codes, JSON contract, one-line errors, help examples."""

from __future__ import annotations

import numpy as np
import orjson
import pytest
from click.testing import CliRunner

from featurewatch.cli import main
from helpers import synthetic_frame, write_logs

RUN = CliRunner()
WINDOW = ["--start", "2026-11-20T00:00:00Z", "--end", "2026-11-20T02:00:00Z"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A baseline built by the CLI, a clean log folder and one with a null spike in `amount`."""
    root = tmp_path_factory.mktemp("cli")
    synthetic_frame(5000, seed=1).to_csv(root / "training.csv", index=False)
    result = RUN.invoke(main, ["baseline", "build", str(root / "training.csv"), "--model", "synth", "--version",
                               "1.0", "--prediction", "score", "--exclude", "user_id", "-o", str(root / "b.json")])
    assert result.exit_code == 0, result.output
    write_logs(root / "clean", synthetic_frame(1500, seed=2), model="synth", prediction="score")
    faulty = synthetic_frame(1500, seed=3)
    faulty.loc[np.arange(len(faulty)) % 3 == 0, "amount"] = np.nan
    write_logs(root / "faulty", faulty, model="synth", prediction="score")
    return root


def _detect(files, folder, *extra):
    return RUN.invoke(main, ["detect", "--baseline", str(files / "b.json"), "--source", str(files / folder),
                             *WINDOW, *extra])


class TestBaselineBuild:
    def test_summary_line(self, files):
        result = RUN.invoke(main, ["baseline", "build", str(files / "training.csv"), "--model", "synth",
                                   "--text", "note", "--categorical", "age", "-o", str(files / "b2.json")])
        assert result.exit_code == 0
        assert result.output.startswith("baseline of model 'synth': 9 features")

    def test_from_logs(self, files):
        result = RUN.invoke(main, ["baseline", "build", "--from-logs", str(files / "clean"), *WINDOW,
                                   "--model", "synth", "--prediction", "prediction", "-o", str(files / "b3.json")])
        assert result.exit_code == 0, result.output
        assert "1,500 logged records" in result.output and "+ prediction" in result.output

    @pytest.mark.parametrize("args,message", [
        (["missing.csv", "--model", "m", "-o", "x.json"], "error: data file not found: missing.csv"),
        (["--model", "m", "-o", "x.json"], "give the training DATA file"),
    ])
    def test_errors_are_one_line_exit_2(self, args, message):
        result = RUN.invoke(main, ["baseline", "build", *args])
        assert result.exit_code == 2 and message in result.output
        assert "Traceback" not in result.output


class TestDetect:
    def test_clean_window_exits_0(self, files):
        result = _detect(files, "clean")
        assert result.exit_code == 0, result.output
        assert "1,500 records" in result.output and "no findings" in result.output

    def test_flagged_window_exits_3(self, files):
        result = _detect(files, "faulty")
        assert result.exit_code == 3
        row = next(line for line in result.output.splitlines() if "na_spike" in line)
        assert row.split()[:4] == ["critical", "new", "na_spike", "amount"]

    @pytest.mark.parametrize("fail_on,code", [("never", 0), ("critical", 3), ("info", 3)])
    def test_fail_on(self, files, fail_on, code):
        assert _detect(files, "faulty", "--fail-on", fail_on).exit_code == code

    def test_json_contract(self, files):
        """DESIGN.md §3: model, window{start,end}, records, findings with the documented fields, resolved."""
        result = _detect(files, "faulty", "--format", "json")
        doc = orjson.loads(result.output)
        assert set(doc) == {"model", "window", "records", "findings", "unreadable", "metrics", "resolved"}
        from featurewatch.detect.metrics import METRIC_NAMES

        assert doc["metrics"] and all(set(m) == {"records", *METRIC_NAMES} for m in doc["metrics"].values())
        assert doc["resolved"] == [] and doc["unreadable"] == {"lines": 0, "files": []}
        flagged = [f for f in doc["findings"] if f["severity"] in {"warning", "critical"}]
        assert flagged and all((f["alert"], f["since"]) == ("new", doc["window"]["start"]) for f in flagged)
        assert all("alert" not in f for f in doc["findings"] if f["severity"] == "info")
        assert doc["model"] == "synth" and set(doc["window"]) == {"start", "end"} and doc["records"] == 1500
        assert doc["window"]["start"].startswith("2026-11-20T00:00:00")
        required = {"check", "feature", "severity", "statistic", "threshold", "baseline", "observed", "message"}
        assert doc["findings"] and all(required <= set(f) for f in doc["findings"])
        assert {f["severity"] for f in doc["findings"]} <= {"info", "warning", "critical"}
        from featurewatch.detect import CHECKS

        assert {f["check"] for f in doc["findings"]} <= set(CHECKS)

    def test_window_option(self, files):
        result = _detect(files, "clean", "--format", "json")
        by_window = RUN.invoke(main, ["detect", "--baseline", str(files / "b.json"), "--source",
                                      str(files / "clean"), "--window", "2h", "--at", "2026-11-20T02:00Z",
                                      "--format", "json"])
        assert orjson.loads(by_window.output) == orjson.loads(result.output)

    def test_window_is_aligned_to_the_clock(self, files):
        """At 02:07 and again at 02:40, `--window 1h` checks 01:00-02:00, written without a fraction."""
        runs = [RUN.invoke(main, ["detect", "--baseline", str(files / "b.json"), "--source", str(files / "clean"),
                                  "--window", "1h", "--at", moment, "--format", "json"])
                for moment in ("2026-11-20T02:07:00Z", "2026-11-20T02:40:13.5Z")]
        windows = [orjson.loads(run.output)["window"] for run in runs]
        assert windows == [{"start": "2026-11-20T01:00:00Z", "end": "2026-11-20T02:00:00Z"}] * 2

    def test_reruns_in_the_same_hour_replace_each_other(self, files, tmp_path):
        """The issue's bug: a window shifted by seconds doubled the findings file. Aligned, it cannot."""
        path = tmp_path / "f.jsonl"
        for moment in ("2026-11-20T02:07:00Z", "2026-11-20T02:07:01Z", "2026-11-20T02:59:59Z"):
            RUN.invoke(main, ["detect", "--baseline", str(files / "b.json"), "--source", str(files / "faulty"),
                              "--window", "2h", "--at", moment, "--findings-file", str(path)])
        docs = [orjson.loads(line) for line in path.read_bytes().splitlines()]
        assert docs and {d["window"]["start"] for d in docs} == {"2026-11-20T00:00:00Z"}
        assert len({d["id"] for d in docs}) == len(docs)

    def test_no_align_ends_the_window_at_the_moment(self, files):
        result = RUN.invoke(main, ["detect", "--baseline", str(files / "b.json"), "--source", str(files / "clean"),
                                   "--window", "90m", "--at", "2026-11-20T02:00:30.25Z", "--no-align",
                                   "--format", "json"])
        assert orjson.loads(result.output)["window"] == {"start": "2026-11-20T00:30:30Z",
                                                         "end": "2026-11-20T02:00:30Z"}

    def test_table_header_shows_the_window_without_a_fraction(self, files):
        result = _detect(files, "clean")
        assert result.output.splitlines()[0] == ("model synth · window 2026-11-20T00:00:00Z → 2026-11-20T02:00:00Z"
                                                 " · 1,500 records")

    def test_colour_on_a_terminal_plain_when_piped(self, files):
        """click drops the colour codes when stdout is not a terminal (a pipe, cron mail, CliRunner by default)."""
        piped = _detect(files, "faulty")
        terminal = RUN.invoke(main, ["detect", "--baseline", str(files / "b.json"), "--source", str(files / "faulty"),
                                     *WINDOW], color=True)
        assert "\x1b[" not in piped.output and "\x1b[1;31mcritical" in terminal.output
        assert piped.exit_code == terminal.exit_code == 3

    def test_the_table_fits_the_terminal_width(self, files):
        result = RUN.invoke(main, ["detect", "--baseline", str(files / "b.json"), "--source", str(files / "faulty"),
                                   *WINDOW], env={"COLUMNS": "70"})
        rows = result.output.splitlines()[1:]
        assert rows and all(len(line) <= 70 for line in rows), [line for line in rows if len(line) > 70]

    def test_metrics_file(self, files, tmp_path):
        """--metrics-file holds per window and feature what the metrics index would (a rerun replaces)."""
        path = tmp_path / "metrics.jsonl"
        for _ in range(2):
            _detect(files, "faulty", "--metrics-file", str(path))
        lines = [orjson.loads(line) for line in path.read_bytes().splitlines()]
        assert len(lines) == len({m["feature"] for m in lines}) and "amount" in {m["feature"] for m in lines}
        amount = next(m for m in lines if m["feature"] == "amount")
        assert amount["window"] == {"start": "2026-11-20T00:00:00Z", "end": "2026-11-20T02:00:00Z"}
        assert 0.3 < amount["null_rate"] < 0.4 and amount["model"] == "synth"

    def test_findings_file_rerun(self, files, tmp_path):
        path = tmp_path / "f.jsonl"
        for _ in range(2):
            _detect(files, "faulty", "--findings-file", str(path))
        lines = path.read_bytes().splitlines()
        assert lines and len({orjson.loads(line)["id"] for line in lines}) == len(lines)

    def test_failed_webhook_is_reported_not_fatal(self, files):
        result = _detect(files, "faulty", "--webhook", "http://127.0.0.1:9/hook")
        assert result.exit_code == 3
        assert "warning: cannot post to webhook" in result.output

    @pytest.mark.parametrize("args,code,message", [
        (["--window", "1h", "--start", "2026-11-20T00:00Z"], 2, "not both"),
        (["--window", "soon"], 2, "is not a duration"),
        (["--start", "yesterday", "--end", "2026-11-20T00:00Z"], 2, "not an ISO 8601 time"),
        ([], 2, "give the window"),
        (["--at", "2026-11-20T00:00Z", *WINDOW], 2, "--at goes with --window"),
        (["--no-align", *WINDOW], 2, "--no-align goes with --window"),
        (["--window", "1h", "--at", "noon"], 2, "not an ISO 8601 time"),
        (["--start", "2026-11-20T00:00:00.2Z", "--end", "2026-11-20T00:00:00.7Z"], 2, "is not after its start"),
        (["--remind-every", "6h", *WINDOW], 2, "--remind-every goes with --webhook"),
        (["--remind-every", "often", "--webhook", "http://127.0.0.1:9/h", *WINDOW], 2, "is not a duration"),
    ])
    def test_usage_errors(self, files, args, code, message):
        result = RUN.invoke(main, ["detect", "--baseline", str(files / "b.json"), "--source",
                                   str(files / "clean"), *args])
        assert result.exit_code == code and message in result.output

    def test_corrupt_baseline_is_one_line_exit_2(self, files, tmp_path):
        bad = tmp_path / "bad.json"
        bad.write_text('{"kind": "featurewatch-baseline", "schema_version": 1, "features": {')
        result = RUN.invoke(main, ["detect", "--baseline", str(bad), "--source", str(files / "clean"), *WINDOW])
        assert result.exit_code == 2
        assert result.output.strip().count("\n") == 0 and "not valid JSON" in result.output

    def test_newer_baseline_is_exit_2(self, files, tmp_path):
        doc = orjson.loads((files / "b.json").read_bytes())
        doc["schema_version"] = 7
        (tmp_path / "new.json").write_bytes(orjson.dumps(doc))
        result = RUN.invoke(main, ["detect", "--baseline", str(tmp_path / "new.json"), "--source",
                                   str(files / "clean"), *WINDOW])
        assert result.exit_code == 2 and "upgrade featurewatch" in result.output

    def test_missing_source_is_runtime_failure_exit_1(self, files, tmp_path):
        result = RUN.invoke(main, ["detect", "--baseline", str(files / "b.json"), "--source",
                                   str(tmp_path / "nowhere"), *WINDOW])
        assert result.exit_code == 2 and "log folder not found" in result.output

    def test_bad_detect_config_is_exit_2(self, files, tmp_path, monkeypatch):
        (tmp_path / "featurewatch.toml").write_text("[detect]\nalhpa = 0.1\n")
        monkeypatch.chdir(tmp_path)
        result = _detect(files, "clean")
        assert result.exit_code == 2 and "unknown setting 'alhpa'" in result.output


@pytest.mark.parametrize("command", [["baseline"], ["baseline", "build"], ["detect"], ["demo"]])
def test_help_has_an_example(command):
    result = RUN.invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output


class TestCronOptions:
    def test_reference_window_and_widening(self, tmp_path):
        """--reference-window adds findings against recent traffic; --min-records/--max-lookback widen a
        quiet window and say so."""
        import datetime as dt

        from featurewatch.baseline import save_baseline
        from helpers import START, raw_record, synthetic_baseline, synthetic_frame, write_records

        baseline = tmp_path / "b.json"
        save_baseline(synthetic_baseline(5000), baseline)
        hour = dt.timedelta(hours=1)
        rows = synthetic_frame(260, seed=41).drop(columns=["score"]).to_dict("records")
        write_records(tmp_path / "logs", [raw_record(r, row=i, at=START + dt.timedelta(seconds=i))
                                          for i, r in enumerate(rows[:200])])
        quiet = [dict(r, amount=r["amount"] * 4) for r in rows[200:]]
        write_records(tmp_path / "logs", [raw_record(r, row=300 + i, at=START + hour + dt.timedelta(seconds=i))
                                          for i, r in enumerate(quiet)], hour=START + hour)
        common = ["detect", "--baseline", str(baseline), "--source", str(tmp_path / "logs"),
                  "--start", "2026-11-20T01:00:00Z", "--end", "2026-11-20T02:00:00Z", "--format", "json",
                  "--fail-on", "never"]
        widened = RUN.invoke(main, [*common, "--min-records", "150", "--max-lookback", "2h"])
        assert widened.exit_code == 0, widened.output
        assert "counted 260 records from 2026-11-20T00:00:00" in widened.stderr
        assert orjson.loads(widened.stdout)["window"]["start"].startswith("2026-11-20T01:00:00")
        alone = RUN.invoke(main, [*common, "--min-records", "150"])
        assert alone.exit_code == 2 and "--max-lookback" in alone.output
        recent = RUN.invoke(main, [*common, "--reference-window", "1h"])
        assert recent.exit_code == 0, recent.output
        assert "reference" in orjson.loads(recent.stdout)["findings"][0]
