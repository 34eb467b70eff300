"""``featurewatch demo --workdir DIR`` writes only into a folder it made, and replaces only its own files."""

from __future__ import annotations

import hashlib

import orjson
import pytest
from click.testing import CliRunner

from featurewatch import logfiles
from featurewatch.cli import main
from featurewatch.demo.workdir import MARKER

RUN = CliRunner()
OTHER_LOG = b'{"model": "loan-rate", "features": {"rate": 4.2}}\n' * 3


def _demo(folder, per_hour=10):
    return RUN.invoke(main, ["demo", "--workdir", str(folder), "--per-hour", str(per_hour)])


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def users_folder(tmp_path):
    """A demo-output/ that already holds another model's logs and the user's training.csv."""
    folder = tmp_path / "demo-output"
    (folder / "logs").mkdir(parents=True)
    (folder / "logs" / logfiles.file_name("20261120T10", "prod-1-abc")).write_bytes(OTHER_LOG)
    (folder / "training.csv").write_text("age,income\n41,48.2\n")
    return folder


class TestRefused:
    def test_a_folder_it_did_not_make_is_left_byte_for_byte(self, users_folder):
        before = _snapshot(users_folder)
        result = _demo(users_folder)
        assert result.exit_code == 2 and _snapshot(users_folder) == before
        assert result.output == (f"error: {users_folder} is not empty and was not made by featurewatch demo: "
                                 f"give --workdir a new or empty folder (nothing was changed)\n")

    def test_a_file_is_refused(self, tmp_path):
        target = tmp_path / "f"
        target.write_text("mine")
        result = _demo(target)
        assert result.exit_code == 2 and target.read_text() == "mine"

    def test_an_edited_demo_file_is_refused(self, tmp_path):
        folder = tmp_path / "demo"
        assert _demo(folder).exit_code == 0
        (folder / "training.csv").write_text("my own edits\n")
        before = _snapshot(folder)
        result = _demo(folder)
        assert result.exit_code == 2 and _snapshot(folder) == before
        assert "training.csv has changed since the demo wrote it" in result.output

    def test_a_user_file_where_the_demo_writes_is_refused(self, tmp_path):
        """The demo's baseline.json was deleted and the user put theirs there: it is not the demo's to replace."""
        folder = tmp_path / "demo"
        assert _demo(folder).exit_code == 0
        (folder / "baseline.json").unlink()
        assert _demo(folder).exit_code == 0
        (folder / "baseline.json").unlink()
        marker = (folder / MARKER).read_text()
        (folder / MARKER).write_text(marker.replace('"baseline.json"', '"other.json"'))
        (folder / "baseline.json").write_text("{}")
        result = _demo(folder)
        assert result.exit_code == 2 and (folder / "baseline.json").read_text() == "{}"
        assert "baseline.json was not written by the demo" in result.output

    def test_a_damaged_marker_is_refused(self, tmp_path):
        folder = tmp_path / "demo"
        assert _demo(folder).exit_code == 0
        (folder / MARKER).write_text("{")
        result = _demo(folder)
        assert result.exit_code == 2 and "is damaged" in result.output


class TestAgainAndAgain:
    def test_a_new_or_empty_folder_is_taken(self, tmp_path):
        empty = tmp_path / "empty"
        empty.mkdir()
        for folder in (tmp_path / "new" / "nested", empty):
            result = _demo(folder)
            assert result.exit_code == 0, result.output
            assert (folder / MARKER).is_file() and (folder / "baseline.json").is_file()

    def test_a_rerun_replaces_only_its_own_files(self, tmp_path):
        """Its logs are replaced (not doubled); a file the user added since, even a log file, stays."""
        folder = tmp_path / "demo"
        assert _demo(folder).exit_code == 0
        first_logs = set(logfiles.log_files(folder / "logs"))
        added = folder / "logs" / logfiles.file_name("20261120T10", "prod-1-abc")
        added.write_bytes(OTHER_LOG)
        (folder / "notes.txt").write_text("mine")
        result = _demo(folder)
        assert result.exit_code == 0, result.output
        logs = set(logfiles.log_files(folder / "logs"))
        assert added in logs and not (first_logs & logs - {added}) and len(logs) == len(first_logs) + 1
        assert added.read_bytes() == OTHER_LOG and (folder / "notes.txt").read_text() == "mine"
        assert "logged 240 requests" in result.output

    def test_it_says_how_to_reproduce_a_window(self, tmp_path):
        """The printed command, run as printed, flags the incident of its window."""
        folder = tmp_path / "demo"
        result = _demo(folder, per_hour=100)
        lines = result.output.splitlines()
        heading = next(line for line in lines if line.startswith("reproduce one window by hand"))
        command = lines[lines.index(heading) + 1]
        args = command.split()
        assert args[:2] == ["featurewatch", "detect"]
        again = RUN.invoke(main, args[1:] + ["--fail-on", "never", "--format", "json"])
        assert again.exit_code == 0, again.output
        assert "vanished_feature" in {f["check"] for f in orjson.loads(again.output)["findings"]}
