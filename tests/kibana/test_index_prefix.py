"""Index prefixes are checked once (``featurewatch.es.layout.check_prefix``) and `kibana build` uses it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from featurewatch.cli import main
from featurewatch.errors import ConfigError
from featurewatch.es.layout import check_prefix


class TestCheckPrefix:
    @pytest.mark.parametrize("prefix", ["featurewatch", "fw-prod.v2", "team_a+b", "x" * 235])
    def test_valid_prefixes_pass_unchanged(self, prefix: str) -> None:
        assert check_prefix(prefix) == prefix

    @pytest.mark.parametrize("prefix, problem", [
        ("Bad Prefix", "must be lowercase; may not contain ' '"),
        ("fw/prod", "may not contain '/'"),
        ('a\\b*c?d"e<f>g|h,i#j:k', "may not contain " + ", ".join(repr(c) for c in '\\*?"<>|,#:')),
        ("-fw", "may not start with '-', '_' or '+'"),
        ("_fw", "may not start with '-', '_' or '+'"),
        ("+fw", "may not start with '-', '_' or '+'"),
        ("", "may not be empty"),
        ("x" * 236, "may be at most 235 bytes (index names are at most 255)"),
    ])
    def test_invalid_prefixes_name_every_problem(self, prefix: str, problem: str) -> None:
        """A ConfigError (exit 2) that names the prefix and what is wrong with it."""
        with pytest.raises(ConfigError) as error:
            check_prefix(prefix)
        assert str(error.value) == f"invalid index prefix {prefix!r}: {problem}"
        assert error.value.exit_code == 2


class TestKibanaBuild:
    def test_bad_prefix_flag_is_exit_2(self, tmp_path: Path) -> None:
        """--index-prefix 'Bad Prefix' is one line, exit 2, and no file is written."""
        out = tmp_path / "credit.ndjson"
        result = CliRunner().invoke(main, ["kibana", "build", "--demo", "-o", str(out), "--index-prefix", "Bad Prefix"])
        assert result.exit_code == 2
        assert result.stderr == "error: invalid index prefix 'Bad Prefix': must be lowercase; may not contain ' '\n"
        assert not out.exists()

    def test_bad_prefix_from_the_environment_is_exit_2(self, tmp_path: Path, monkeypatch) -> None:
        monkeypatch.setenv("FEATUREWATCH_ES_INDEX_PREFIX", "_fw")
        result = CliRunner().invoke(main, ["kibana", "build", "--demo", "-o", str(tmp_path / "x.ndjson")])
        assert result.exit_code == 2
        assert result.stderr == "error: invalid index prefix '_fw': may not start with '-', '_' or '+'\n"

    def test_good_prefix_is_used(self, tmp_path: Path) -> None:
        out = tmp_path / "credit.ndjson"
        result = CliRunner().invoke(main, ["kibana", "build", "--demo", "-o", str(out), "--index-prefix", "fw-prod"])
        assert result.exit_code == 0, result.output
        assert b"fw-prod-requests-*" in out.read_bytes()
