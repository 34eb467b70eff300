"""Nothing the user made is overwritten: each command replaces only a file of the kind it writes, or
needs --force (issue 15 item 1; the demo's folder is tested in test_demo_workdir.py)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from click.testing import CliRunner

from featurewatch import logfiles
from featurewatch.cli import main

RUN = CliRunner()
TRAINING = "age,city\n" + "".join(f"{20 + i % 40},c{i % 3}\n" for i in range(100))


@pytest.fixture
def training(tmp_path):
    path = tmp_path / "training.csv"
    path.write_text(TRAINING)
    return path


def _baseline_build(training, output, *extra):
    return RUN.invoke(main, ["baseline", "build", str(training), "--model", "m", "-o", str(output), *extra])


class TestBaselineBuild:
    @pytest.mark.parametrize("name,content", [
        ("training.csv", TRAINING.encode()),
        ("data.jsonl", b'{"age": 1}\n{"age": 2}\n'),
        ("notes.json", b'{\n  "mine": true\n}\n'),
        ("model.bin", b"PAR1\x00\x01binary"),
    ])
    def test_refuses_a_file_that_is_not_a_baseline(self, training, tmp_path, name, content):
        target = tmp_path / name
        if target != training:
            target.write_bytes(content)
        result = _baseline_build(training, target)
        assert result.exit_code == 2 and target.read_bytes() == content
        assert result.output == (f"error: {target} exists and is not a featurewatch baseline: refusing to overwrite "
                                 f"it (give another output file, or --force to replace it)\n")

    def test_force_replaces_it(self, training, tmp_path):
        target = tmp_path / "notes.json"
        target.write_text("mine")
        assert _baseline_build(training, target, "--force").exit_code == 0
        assert '"kind": "featurewatch-baseline"' in target.read_text()

    def test_an_existing_baseline_is_replaced(self, training, tmp_path):
        target = tmp_path / "b.json"
        assert _baseline_build(training, target).exit_code == 0
        target.write_text(target.read_text().replace('"model": "m"', '"model": "old"'))
        assert _baseline_build(training, target).exit_code == 0 and '"model": "m"' in target.read_text()

    def test_a_damaged_baseline_may_be_replaced(self, training, tmp_path):
        target = tmp_path / "b.json"
        assert _baseline_build(training, target).exit_code == 0
        target.write_bytes(target.read_bytes()[:200])
        assert _baseline_build(training, target).exit_code == 0


class TestKibanaBuild:
    def _build(self, output, *extra):
        return RUN.invoke(main, ["kibana", "build", "--demo", "-o", str(output), *extra])

    def test_refuses_a_file_that_is_not_saved_objects(self, training):
        result = self._build(training)
        assert result.exit_code == 2 and training.read_text() == TRAINING
        assert "exists and is not a file of Kibana saved objects: refusing to overwrite it" in result.output

    def test_replaces_its_own_file_and_force(self, training, tmp_path):
        target = tmp_path / "credit.ndjson"
        assert self._build(target).exit_code == 0
        first = target.read_bytes()
        assert self._build(target).exit_code == 0 and target.read_bytes() == first
        assert self._build(training, "--force").exit_code == 0 and training.read_bytes() == first


class TestReplay:
    def test_files_in_the_log_folder_are_left_byte_for_byte(self, tmp_path):
        """Replay only adds files: another model's log file and the user's files in the folder stay as they are."""
        logs = tmp_path / "logs"
        logs.mkdir()
        other = logs / logfiles.file_name("20261120T10", "host-1-abc")
        other.write_bytes(b'{"model": "loan-rate"}\n')
        mine = logs / "notes.txt"
        mine.write_bytes(b"mine")
        data = tmp_path / "traffic.csv"
        pd.DataFrame({"ts": [dt.datetime(2026, 11, 20, 10, m, tzinfo=dt.UTC).isoformat() for m in range(5)],
                      "x": range(5)}).to_csv(data, index=False)
        for _ in range(2):
            result = RUN.invoke(main, ["replay", str(data), "--model", "m", "--timestamp-column", "ts",
                                       "--log-dir", str(logs)])
            assert result.exit_code == 0, result.output
        assert other.read_bytes() == b'{"model": "loan-rate"}\n' and mine.read_bytes() == b"mine"
        assert len(logfiles.log_files(logs)) == 3

    def test_a_log_dir_that_is_a_file_is_refused(self, training, tmp_path):
        """From the flag (click's check) or from FEATUREWATCH_LOG_DIR (ours): exit 2, the file untouched."""
        args = ["replay", str(training), "--model", "m", "--timestamp-column", "age"]
        flag = RUN.invoke(main, [*args, "--log-dir", str(training)])
        assert flag.exit_code == 2 and "is a file" in flag.output
        env = RUN.invoke(main, args, env={"FEATUREWATCH_LOG_DIR": str(training)})
        assert env.exit_code == 2 and training.read_text() == TRAINING
        assert env.output == f"error: {training} is a file, not a log folder: give --log-dir a folder\n"
