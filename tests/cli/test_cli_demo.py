"""`featurewatch demo` runs the whole loop and reports incidents found and quiet clean windows."""

from __future__ import annotations

from click.testing import CliRunner

from featurewatch.cli import main


def test_demo_end_to_end(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--workdir", str(tmp_path / "demo"), "--per-hour", "400"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "demo" / "baseline.json").exists()
    assert "=== 10:00-12:00 (incident: na_spike on income) ===" in result.output
    assert result.output.rstrip().endswith(
        "incidents found: 5 of 5; clean windows with nothing at warning or above: 7 of 7")
