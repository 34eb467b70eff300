"""`featurewatch report`: one line saying what was written, exit 0; bad input is one line, exit 2 or 1."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from featurewatch.baseline import save_baseline
from featurewatch.cli import main
from helpers import synthetic_frame, write_logs

RUN = CliRunner()
WINDOW = ["--start", "2026-11-20T00:00:00Z", "--end", "2026-11-20T02:00:00Z"]


@pytest.fixture(scope="module")
def files(tmp_path_factory, synth):
    """The synth baseline and a log folder with a null spike in `amount`."""
    root = tmp_path_factory.mktemp("cli-report")
    save_baseline(synth, root / "b.json")
    faulty = synthetic_frame(1500, seed=3)
    faulty.loc[np.arange(len(faulty)) % 3 == 0, "amount"] = np.nan
    write_logs(root / "logs", faulty, model="synth", prediction="score")
    return root


def report(files, *extra, env=None):
    return RUN.invoke(main, ["report", "--baseline", str(files / "b.json"), *extra], env=env or {})


class TestReport:
    def test_writes_the_file_and_says_what_is_in_it(self, files, tmp_path):
        output = tmp_path / "report.html"
        result = report(files, "--source", str(files / "logs"), *WINDOW, "-o", str(output))
        assert result.exit_code == 0, result.output
        size = output.stat().st_size / 1024
        assert result.stdout.startswith(f"wrote {output} ({size:,.0f} KB): model synth, window "
                                        "2026-11-20T00:00:00Z → 2026-11-20T02:00:00Z, 1,500 records, ")
        assert "at warning or above)" in result.stdout and result.stderr == ""
        assert 'data-feature="amount"' in output.read_text(encoding="utf-8")

    def test_findings_do_not_change_the_exit_code(self, files, tmp_path):
        """A report is for reading, not for cron's alarm: exit 0 whatever it found (detect exits 3)."""
        result = report(files, "--source", str(files / "logs"), *WINDOW, "-o", str(tmp_path / "r.html"))
        assert result.exit_code == 0 and "0 at warning" not in result.stdout

    def test_an_aligned_window(self, files, tmp_path):
        result = report(files, "--source", str(files / "logs"), "--window", "2h", "--at", "2026-11-20T02:30:00Z",
                        "-o", str(tmp_path / "r.html"))
        assert result.exit_code == 0 and "1,500 records" in result.stdout


@pytest.mark.parametrize("args,code,message", [
    (["--baseline", "missing.json", "--source", "logs", *WINDOW, "-o", "r.html"], 2,
     "error: baseline file not found: missing.json\n"),
    (["--source", "{logs}", *WINDOW, "-o", "r.html", "--metrics-file", "none.jsonl"], 2,
     "error: metrics file not found: none.jsonl\n"),
    (["--source", "{logs}", "-o", "r.html"], 2, "give the window: --start and --end, or --window"),
    (["--source", "{logs}", "--window", "1h", "--start", "2026-11-20T00:00Z", "-o", "r.html"], 2,
     "give either --start/--end or --window, not both"),
    (["--source", "{logs}", "--es", "http://127.0.0.1:9", *WINDOW, "-o", "r.html"], 2,
     "give either --source DIR or --es URL, not both"),
    (["--source", "{logs}", *WINDOW], 2, "Missing option '-o' / '--output'"),
    (["--source", "nowhere", *WINDOW, "-o", "r.html"], 2, "error: log folder not found: nowhere\n"),
    (["--es", "http://127.0.0.1:9", *WINDOW, "-o", "r.html"], 1,
     "error: cannot reach Elasticsearch at http://127.0.0.1:9: is it running and is the URL right?\n"),
    (["--source", "{logs}", *WINDOW, "-o", "{logs}"], 2, "is a directory"),
    (["--source", "{logs}", *WINDOW, "-o", "{baseline}/r.html"], 1, "error: cannot write the report "),
])
def test_bad_input_is_one_line(files, tmp_path, monkeypatch, args, code, message):
    monkeypatch.chdir(tmp_path)
    args = [a.replace("{logs}", str(files / "logs")).replace("{baseline}", str(files / "b.json")) for a in args]
    if args[0] != "--baseline":
        args = ["--baseline", str(files / "b.json"), *args]
    result = RUN.invoke(main, ["report", *args], env={})
    assert result.exit_code == code, result.output
    assert message in result.stderr and "Traceback" not in result.output
    if message.startswith("error:"):
        assert len(result.stderr.splitlines()) == 1
