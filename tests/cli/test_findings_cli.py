"""`featurewatch findings`: the incidents of a findings file (or the findings index), filtered, as a table or JSON."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest
from click.testing import CliRunner

from featurewatch.cli import main
from featurewatch.detect.job import IncidentQuery, list_incidents
from featurewatch.settings import load_settings


def _doc(h: int, alert: str, since: int, feature: str = "amount", model: str = "credit", severity="critical"):
    return {"id": f"{model}-{feature}-{h}-{alert}", "model": model, "check": "na_spike", "feature": feature,
            "severity": severity, "severity_rank": 2 if severity == "critical" else 1, "alert": alert,
            "since": f"2026-11-{since // 24 + 20:02d}T{since % 24:02d}:00:00Z",
            "window": {"start": f"2026-11-{h // 24 + 20:02d}T{h % 24:02d}:00:00Z",
                       "end": f"2026-11-{(h + 1) // 24 + 20:02d}T{(h + 1) % 24:02d}:00:00Z"}}


@pytest.fixture
def findings_file(tmp_path):
    """Two incidents of `amount` (one resolved on the 20th, one open on the 23rd) and one of `age`."""
    docs = [_doc(2, "new", 2), _doc(3, "ongoing", 2), _doc(4, "resolved", 2),
            _doc(3, "new", 3, feature="age", severity="warning"),
            _doc(72, "new", 72), _doc(73, "ongoing", 72)]
    path = tmp_path / "findings.jsonl"
    path.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    return path


def run(*args, env=None):
    return CliRunner().invoke(main, ["findings", *args], env=env or {"FEATUREWATCH_ES_URL": None, "COLUMNS": "120"})


class TestFindings:
    def test_json_lists_incidents_oldest_first(self, findings_file):
        result = run("--findings-file", str(findings_file), "--format", "json")
        assert result.exit_code == 0, result.output
        found = orjson.loads(result.stdout)
        assert [(i["feature"], i["status"], i["windows"]) for i in found] == [
            ("amount", "resolved", 2), ("age", "open", 1), ("amount", "open", 2)]
        assert set(found[0]) == {"model", "check", "feature", "worst_severity", "status", "first_window_start",
                                 "last_window_end", "windows"}

    def test_filters(self, findings_file):
        by_feature = orjson.loads(run("--findings-file", str(findings_file), "--feature", "age",
                                      "--format", "json").stdout)
        assert [i["feature"] for i in by_feature] == ["age"]
        assert orjson.loads(run("--findings-file", str(findings_file), "--model", "nope", "--format",
                                "json").stdout) == []

    def test_since_keeps_whole_incidents_that_ended_recently(self, findings_file):
        """--since is relative to now; the library takes `now` so the test does not depend on the clock."""
        query = IncidentQuery(findings_file=findings_file, since=dt.timedelta(days=2),
                              now=dt.datetime(2026, 11, 24, tzinfo=dt.UTC))
        found = list_incidents(query, load_settings(environ={}))
        assert [(i.feature, i.first_window_start, i.windows) for i in found] == [
            ("amount", "2026-11-23T00:00:00Z", 2)]

    def test_table(self, findings_file):
        result = run("--findings-file", str(findings_file))
        lines = result.stdout.splitlines()
        assert lines[0].split() == ["STATUS", "MODEL", "CHECK", "FEATURE", "WORST", "FROM", "TO", "WINDOWS"]
        assert lines[1].split() == ["resolved", "credit", "na_spike", "amount", "critical", "2026-11-20",
                                    "02:00:00Z", "2026-11-20", "04:00:00Z", "2"]
        assert lines[-1] == "3 incidents, 2 open" and "\x1b[" not in result.stdout

    def test_an_80_column_terminal_wraps_the_table(self, findings_file):
        result = run("--findings-file", str(findings_file), env={"FEATUREWATCH_ES_URL": None, "COLUMNS": "80"})
        assert all(len(line) <= 80 for line in result.stdout.splitlines()), result.stdout
        assert "02:00:00Z" in result.stdout and "…" not in result.stdout

    def test_an_empty_history(self, tmp_path):
        (tmp_path / "f.jsonl").write_text("")
        assert run("--findings-file", str(tmp_path / "f.jsonl")).stdout == "no incidents\n"

    @pytest.mark.parametrize("args, message", [
        ([], "give --findings-file PATH or --es URL"),
        (["--findings-file", "f.jsonl", "--es", "http://127.0.0.1:9"], "not both"),
        (["--findings-file", "nowhere.jsonl"], "error: findings file not found: nowhere.jsonl"),
        (["--findings-file", "f.jsonl", "--since", "a while"], "is not a duration"),
    ])
    def test_bad_usage_is_one_line_exit_2(self, args, message):
        result = run(*args)
        assert result.exit_code == 2 and message in result.stderr, result.output
        assert "Traceback" not in result.output

    def test_an_unreachable_cluster_is_exit_1(self):
        result = run("--es", "http://127.0.0.1:9")
        assert result.exit_code == 1 and result.stderr.startswith("error: cannot reach Elasticsearch")
