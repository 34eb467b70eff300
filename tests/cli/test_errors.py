"""``handle_errors``: unexpected errors are one line whose --debug hint works as printed."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from featurewatch.cli import _common, main
from featurewatch.cli import replay as replay_cli
from featurewatch.kibana import importer


@pytest.fixture
def broken_read(monkeypatch):
    """Reading the replay data fails with an error featurewatch did not expect."""
    def boom(path):
        raise RuntimeError("boom")
    monkeypatch.setattr(replay_cli, "read_table", boom)


class TestUnexpectedError:
    def test_one_line_with_a_debug_hint_that_names_the_command(self, broken_read, tmp_path):
        """The hint puts --debug where the group accepts it, before the command."""
        result = CliRunner().invoke(main, ["replay", str(tmp_path / "t.csv"), "--model", "m",
                                           "--timestamp-column", "ts"])
        assert result.exit_code == 1
        assert result.stderr == ("error: RuntimeError: boom "
                                 "(run `featurewatch --debug replay ...` for the traceback)\n")

    def test_hint_names_a_subcommand_in_full(self, monkeypatch, tmp_path):
        """A command of a group is named with its group: `kibana import`."""
        def boom(*args, **kwargs):
            raise RuntimeError("boom")
        monkeypatch.setattr(importer, "import_file", boom)
        result = CliRunner().invoke(main, ["kibana", "import", str(tmp_path / "x.ndjson")])
        assert result.exit_code == 1
        assert result.stderr == ("error: RuntimeError: boom "
                                 "(run `featurewatch --debug kibana import ...` for the traceback)\n")

    def test_the_hinted_command_line_shows_the_traceback(self, broken_read, tmp_path):
        """`featurewatch --debug replay ...` lets the exception through (click prints its traceback)."""
        result = CliRunner().invoke(main, ["--debug", "replay", str(tmp_path / "t.csv"), "--model", "m",
                                           "--timestamp-column", "ts"])
        assert isinstance(result.exception, RuntimeError) and "error:" not in result.stderr

    def test_debug_after_the_command_is_not_an_option(self, tmp_path):
        """The commands themselves have no --debug: the hint must not suggest it there."""
        result = CliRunner().invoke(main, ["replay", str(tmp_path / "t.csv"), "--debug"])
        assert result.exit_code == 2 and "No such option '--debug'" in result.stderr


def test_unused_option_helpers_are_gone():
    """debug_option and model_option were never used: one way to spell each option."""
    assert not hasattr(_common, "debug_option") and not hasattr(_common, "model_option")
