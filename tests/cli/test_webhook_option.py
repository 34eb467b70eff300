"""The ``webhook_url`` option type: a bad ``--webhook`` is a usage error that never echoes the token."""

from __future__ import annotations

import click
from click.testing import CliRunner

from featurewatch.cli import main
from featurewatch.cli._common import webhook_url
from helpers import synthetic_frame, write_logs

SLACK_WITHOUT_SCHEME = "hooks.slack.com/services/T00/B00/SECRET"
MESSAGE = ("the webhook URL must be http:// or https:// with a host, "
           "e.g. https://hooks.slack.com/services/...")


@click.command()
@click.option("--webhook", type=webhook_url, default=None)
def _probe(webhook):
    click.echo(f"ok {webhook}")


class TestWebhookUrlParamType:
    def test_bad_url_is_a_usage_error(self):
        """A bad --webhook is exit 2 naming the option, and the secret is not echoed."""
        result = CliRunner().invoke(_probe, ["--webhook", SLACK_WITHOUT_SCHEME])
        assert result.exit_code == 2
        assert result.stderr.splitlines()[-1] == f"Error: Invalid value for '--webhook': {MESSAGE}"
        assert "SECRET" not in result.output

    def test_good_url_passes_unchanged(self):
        result = CliRunner().invoke(_probe, ["--webhook", "https://hooks.slack.com/services/T/B/X"])
        assert result.exit_code == 0 and result.stdout == "ok https://hooks.slack.com/services/T/B/X\n"


def test_detect_with_a_bad_webhook_exits_2_without_the_secret(tmp_path):
    """End to end: `detect --webhook host/path` is exit 2 and never prints the token."""
    result = CliRunner().invoke(main, ["baseline", "build", "--from-logs", str(_logs(tmp_path)), "--model", "synth",
                                       "--start", "2026-11-20T00:00:00Z", "--end", "2026-11-20T02:00:00Z",
                                       "-o", str(tmp_path / "b.json")])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["detect", "--baseline", str(tmp_path / "b.json"), "--source",
                                       str(tmp_path / "logs"), "--start", "2026-11-20T00:00:00Z",
                                       "--end", "2026-11-20T02:00:00Z", "--webhook", SLACK_WITHOUT_SCHEME])
    assert result.exit_code == 2, result.output
    assert MESSAGE in result.stderr and "SECRET" not in result.output


def _logs(tmp_path):
    return write_logs(tmp_path / "logs", synthetic_frame(300, seed=1), model="synth")
