"""``featurewatch demo --workdir DIR`` replaces only its own log files in DIR/logs."""

from __future__ import annotations

from click.testing import CliRunner

from featurewatch.cli import main
from featurewatch.logfiles import log_files


def test_user_files_in_the_logs_folder_survive(tmp_path):
    """A user's files in WORKDIR/logs stay; featurewatch log files of an earlier run are replaced."""
    logs = tmp_path / "logs"
    (logs / "sub").mkdir(parents=True)
    (logs / "notes.txt").write_text("mine")
    (logs / "sub" / "app.log").write_text("also mine")
    stale = logs / "sub" / "featurewatch-20200101T00-oldhost-1-abc.jsonl"
    stale.write_text("{}\n")
    result = CliRunner().invoke(main, ["demo", "--workdir", str(tmp_path), "--per-hour", "10"])
    assert result.exit_code == 0, result.output
    assert (logs / "notes.txt").read_text() == "mine"
    assert (logs / "sub" / "app.log").read_text() == "also mine"
    assert not stale.exists()
    assert log_files(logs) and all(path.parent == logs for path in log_files(logs))
