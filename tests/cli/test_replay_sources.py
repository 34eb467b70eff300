"""``featurewatch replay``: epoch-second timestamps, request ids per file contents, FEATUREWATCH_LOG_DIR."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from featurewatch import record as R
from featurewatch.cli import main
from tests.conftest import read_records


def _replay(path, logs, *extra):
    return CliRunner().invoke(main, ["replay", str(path), "--model", "credit", "--timestamp-column", "ts",
                                     "--log-dir", str(logs), *extra])


class TestEpochSeconds:
    @pytest.mark.parametrize("suffix", ["csv", "jsonl"])
    def test_numbers_are_seconds_since_the_epoch(self, tmp_path, suffix):
        """1700000000 is 2023-11-14T22:13:20Z, not a few seconds after 1970 (pandas' nanoseconds)."""
        frame = pd.DataFrame({"ts": [1700000000, 1700003600.5], "age": [30, 40]})
        path = tmp_path / f"t.{suffix}"
        if suffix == "csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_json(path, orient="records", lines=True)
        result = _replay(path, tmp_path / "logs")
        assert result.exit_code == 0, result.output
        stamps = sorted(r[R.TIMESTAMP] for r in read_records(tmp_path / "logs"))
        assert stamps == ["2023-11-14T22:13:20.000000Z", "2023-11-14T23:13:20.500000Z"]

    def test_milliseconds_are_one_clear_line(self, tmp_path):
        """Epoch milliseconds are not taken for seconds in the year 55840: exit 2 and what to do."""
        path = tmp_path / "t.csv"
        pd.DataFrame({"ts": [1700000000, 1700000000000], "age": [30, 40]}).to_csv(path, index=False)
        result = _replay(path, tmp_path / "logs")
        assert result.exit_code == 2
        assert result.stderr.splitlines()[-1] == ("error: column 'ts' has numbers too large for seconds since "
                                                  "the epoch (first at row 1): give seconds, not milliseconds")

    def test_help_says_numbers_are_epoch_seconds(self):
        result = CliRunner().invoke(main, ["replay", "--help"])
        assert "seconds since the epoch" in " ".join(result.output.split())


class TestRequestIds:
    def _ids(self, tmp_path, path, name):
        result = _replay(path, tmp_path / name)
        assert result.exit_code == 0, result.output
        return sorted(r[R.REQUEST_ID] for r in read_records(tmp_path / name))

    def test_different_files_of_the_same_name_get_different_ids(self, tmp_path):
        """Two traffic.csv files from different folders must not collide (the shipper would drop one)."""
        for folder, ages in (("monday", [30, 40]), ("tuesday", [31, 41])):
            (tmp_path / folder).mkdir()
            pd.DataFrame({"ts": ["2026-11-20T10:00:00Z"] * 2, "age": ages}).to_csv(
                tmp_path / folder / "traffic.csv", index=False)
        monday = self._ids(tmp_path, tmp_path / "monday" / "traffic.csv", "logs1")
        tuesday = self._ids(tmp_path, tmp_path / "tuesday" / "traffic.csv", "logs2")
        assert len(monday) == len(tuesday) == 2 and not set(monday) & set(tuesday)

    def test_the_same_contents_get_the_same_ids_under_any_name(self, tmp_path):
        """Ids follow the file's bytes (and the model), not its name: a copy replays as duplicates."""
        frame = pd.DataFrame({"ts": ["2026-11-20T10:00:00Z"] * 3, "age": [1, 2, 3]})
        frame.to_csv(tmp_path / "a.csv", index=False)
        frame.to_csv(tmp_path / "b.csv", index=False)
        first = self._ids(tmp_path, tmp_path / "a.csv", "logs1")
        assert self._ids(tmp_path, tmp_path / "b.csv", "logs2") == first
        assert self._ids(tmp_path, tmp_path / "a.csv", "logs3") == first
        assert len(set(first)) == 3
