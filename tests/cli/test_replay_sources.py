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


class TestReplayColumns:
    """The library call behind the command: the non-feature columns grouped in one frozen value."""

    FRAME = pd.DataFrame({"ts": ["2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z"], "age": [30, 40],
                          "score": [0.1, 0.2], "rid": ["a", "b"], "v": ["1.0", "2.0"]})

    def test_columns_are_not_features(self, log_dir):
        from featurewatch.replay import ReplayColumns, replay_frame

        columns = ReplayColumns(timestamp="ts", prediction="score", request_id="rid", version="v")
        assert replay_frame(self.FRAME, columns, model="credit", source="x") == 2
        records = sorted(read_records(log_dir), key=lambda r: r[R.TIMESTAMP])
        assert [r[R.REQUEST_ID] for r in records] == ["a", "b"]
        assert [r[R.PREDICTION] for r in records] == [0.1, 0.2]
        assert [r[R.MODEL_VERSION] for r in records] == ["1.0", "2.0"]
        assert all(set(r[R.FEATURES]) == {"age"} for r in records)

    def test_columns_are_frozen(self):
        import dataclasses

        from featurewatch.replay import ReplayColumns

        with pytest.raises(dataclasses.FrozenInstanceError):
            ReplayColumns(timestamp="ts").timestamp = "other"  # type: ignore[misc]


class TestLogDir:
    """FEATUREWATCH_LOG_DIR reaches replay through the settings, the only reader of the environment."""

    @pytest.fixture
    def data(self, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv("FEATUREWATCH_CONFIG", raising=False)
        pd.DataFrame({"ts": ["2026-11-20T10:00:00Z"], "age": [30]}).to_csv(tmp_path / "t.csv", index=False)
        return tmp_path / "t.csv"

    def _run(self, data, *extra, env):
        return CliRunner().invoke(main, ["replay", str(data), "--model", "m", "--timestamp-column", "ts", *extra],
                                  env=env)

    def test_the_option_reads_no_environment_variable(self):
        """Click does not read FEATUREWATCH_LOG_DIR itself (settings.py does), but the help names it."""
        from featurewatch.cli import replay

        option = next(p for p in replay.command.params if p.name == "log_dir")
        assert option.envvar is None and "FEATUREWATCH_LOG_DIR" in (option.help or "")

    def test_environment_variable_is_honoured(self, data, tmp_path):
        result = self._run(data, env={"FEATUREWATCH_LOG_DIR": str(tmp_path / "from-env")})
        assert result.exit_code == 0, result.output
        assert len(read_records(tmp_path / "from-env")) == 1
        assert not (tmp_path / "featurewatch-logs").exists()

    def test_flag_beats_environment_variable(self, data, tmp_path):
        result = self._run(data, "--log-dir", str(tmp_path / "from-flag"),
                           env={"FEATUREWATCH_LOG_DIR": str(tmp_path / "from-env")})
        assert result.exit_code == 0, result.output
        assert len(read_records(tmp_path / "from-flag")) == 1 and not (tmp_path / "from-env").exists()

    def test_environment_variable_beats_the_config_file(self, data, tmp_path):
        (tmp_path / "featurewatch.toml").write_text(f'log_dir = "{tmp_path / "from-toml"}"\n')
        result = self._run(data, env={"FEATUREWATCH_LOG_DIR": str(tmp_path / "from-env")})
        assert result.exit_code == 0, result.output
        assert len(read_records(tmp_path / "from-env")) == 1 and not (tmp_path / "from-toml").exists()
