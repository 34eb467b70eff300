"""One index-prefix rule (``featurewatch.prefix.check_prefix``), and every command that takes a prefix
refuses a bad one with exit 2 and one line, before any work."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from featurewatch.cli import main
from featurewatch.errors import ConfigError
from featurewatch.es import layout
from featurewatch.prefix import check_prefix
from featurewatch.settings import load_settings


class TestCheckPrefix:
    @pytest.mark.parametrize("prefix", ["featurewatch", "fw-prod.v2", "team_a+b", "0fw", "x" * 235])
    def test_valid_prefixes_pass_unchanged(self, prefix: str) -> None:
        assert check_prefix(prefix) == prefix

    @pytest.mark.parametrize("prefix, problem", [
        ("Bad Prefix", "must be lowercase; may not contain ' '"),
        ("fw/prod", "may not contain '/'"),
        ('a\\b*c?d"e<f>g|h,i#j:k', "may not contain " + ", ".join(repr(c) for c in '\\*?"<>|,#:')),
        ("fw!", "may not contain '!'"),
        ("fü", "may not contain 'ü'"),
        ("-fw", "may not start with '-', '_', '+' or '.'"),
        ("_fw", "may not start with '-', '_', '+' or '.'"),
        ("+fw", "may not start with '-', '_', '+' or '.'"),
        (".fw", "may not start with '-', '_', '+' or '.'"),
        ("", "may not be empty"),
        ("x" * 236, "may be at most 235 bytes (index names are at most 255)"),
    ])
    def test_invalid_prefixes_name_every_problem(self, prefix: str, problem: str) -> None:
        """A ConfigError (exit 2) that names the prefix and what is wrong with it."""
        with pytest.raises(ConfigError) as error:
            check_prefix(prefix)
        assert str(error.value) == f"invalid index prefix {prefix!r}: {problem}"
        assert error.value.exit_code == 2

    def test_the_layout_and_the_settings_use_the_same_rule(self) -> None:
        """es.layout re-exports the rule; the settings apply it to FEATUREWATCH_ES_INDEX_PREFIX."""
        assert layout.check_prefix is check_prefix
        with pytest.raises(ConfigError, match="may not contain '!'"):
            load_settings(environ={"FEATUREWATCH_ES_INDEX_PREFIX": "fw!"})

    def test_settings_do_not_import_the_elasticsearch_layout(self) -> None:
        """Imports flow with the pipeline: the settings know nothing of es/."""
        code = "import featurewatch.settings, sys; print(sorted(m for m in sys.modules if 'featurewatch.es' in m))"
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert result.stdout == "[]\n"


BAD = {"FEATUREWATCH_ES_INDEX_PREFIX": "fw!"}
LINE = "error: invalid index prefix 'fw!': may not contain '!'\n"
WINDOW = ["--start", "2026-11-20T00:00:00Z", "--end", "2026-11-20T01:00:00Z"]
NOWHERE = "http://127.0.0.1:9"


@pytest.mark.parametrize("args", [
    ["ship", "--source", "{tmp}", "--es", NOWHERE, "--once"],
    ["detect", "--baseline", "{tmp}/b.json", "--es", NOWHERE, *WINDOW],
    ["detect", "--baseline", "{tmp}/b.json", "--source", "{tmp}", *WINDOW],
    ["setup", "--es", NOWHERE],
    ["kibana", "build", "--demo", "-o", "{tmp}/k.ndjson"],
    ["baseline", "build", "--from-es", NOWHERE, "--model", "m", *WINDOW, "-o", "{tmp}/b.json"],
], ids=lambda args: " ".join(args[:2]))
def test_every_command_refuses_a_bad_prefix_with_exit_2(tmp_path: Path, args: list[str]) -> None:
    """FEATUREWATCH_ES_INDEX_PREFIX='fw!' is one line on stderr and exit 2, never a traceback hint."""
    result = CliRunner().invoke(main, [a.replace("{tmp}", str(tmp_path)) for a in args], env=BAD)
    assert (result.exit_code, result.stderr) == (2, LINE)


class TestKibanaBuildFlag:
    def test_bad_prefix_flag_is_exit_2(self, tmp_path: Path) -> None:
        """--index-prefix 'Bad Prefix' is one line, exit 2, and no file is written."""
        out = tmp_path / "credit.ndjson"
        result = CliRunner().invoke(main, ["kibana", "build", "--demo", "-o", str(out), "--index-prefix", "Bad Prefix"])
        assert result.exit_code == 2
        assert result.stderr == "error: invalid index prefix 'Bad Prefix': must be lowercase; may not contain ' '\n"
        assert not out.exists()

    def test_the_flag_wins_over_the_environment(self, tmp_path: Path) -> None:
        out = tmp_path / "credit.ndjson"
        result = CliRunner().invoke(main, ["kibana", "build", "--demo", "-o", str(out), "--index-prefix", "fw-prod"],
                                    env=BAD)
        assert result.exit_code == 0, result.output
        assert b"fw-prod-requests-*" in out.read_bytes()
