"""``handle_errors``: unexpected errors are one line whose --debug hint works as printed."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from featurewatch.cli import _common, main
from featurewatch.cli import replay as replay_cli
from featurewatch.kibana import importer
from featurewatch.settings import MissingSetting, environment_variable


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


class TestMissingSettingAdvice:
    """The library names the missing setting; the CLI says which flag or variable gives it."""

    @pytest.mark.parametrize("args, line", [
        (["setup"], "error: no Elasticsearch URL: pass --es URL or set FEATUREWATCH_ES_URL"),
        (["setup", "--es", "http://127.0.0.1:9", "--es-username", "elastic"],
         "error: an Elasticsearch user name needs a password: pass --es-password or set FEATUREWATCH_ES_PASSWORD"),
        (["kibana", "import", "x.ndjson"], "error: no Kibana URL: pass --kibana URL or set FEATUREWATCH_KIBANA_URL"),
        (["kibana", "import", "--kibana", "http://127.0.0.1:9", "--kibana-username", "elastic", "x.ndjson"],
         "error: a Kibana user name needs a password: pass --kibana-password or set "
         "FEATUREWATCH_KIBANA_PASSWORD"),
    ])
    def test_one_line_with_the_flag_and_the_variable(self, args, line):
        result = CliRunner().invoke(main, args, env={"FEATUREWATCH_ES_URL": None, "FEATUREWATCH_KIBANA_URL": None})
        assert (result.exit_code, result.stderr) == (2, line + "\n")

    def test_a_setting_without_a_flag_gets_its_variable(self):
        assert _common.message(MissingSetting("no log folder", "log_dir")) == "no log folder: set FEATUREWATCH_LOG_DIR"

    def test_environment_variable_names(self):
        assert environment_variable("es.index_prefix") == "FEATUREWATCH_ES_INDEX_PREFIX"
        assert environment_variable("kibana.space") == "FEATUREWATCH_KIBANA_SPACE"
        with pytest.raises(ValueError):
            environment_variable("es.nope")
