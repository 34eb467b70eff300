"""Tests for the ``setup`` and ``ship`` commands (CliRunner: exit codes and messages)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import orjson
import pytest
from click.testing import CliRunner

from featurewatch.cli import main
from shiptools import count_docs, write_records


@pytest.fixture
def runner(monkeypatch) -> CliRunner:
    for name in ("FEATUREWATCH_ES_URL", "FEATUREWATCH_ES_API_KEY", "FEATUREWATCH_ES_INDEX_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    return CliRunner()


@pytest.mark.parametrize("command", ["setup", "ship"])
def test_help_has_an_example(runner, command):
    """Every command's --help shows an example invocation."""
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and f"featurewatch {command} " in result.output


def test_setup_twice_prints_created_then_unchanged(runner, es_url, es_prefix):
    """setup prints what it created; the second run reports everything unchanged."""
    env = {"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix}
    first = runner.invoke(main, ["setup", "--es", es_url], env=env)
    assert first.exit_code == 0, first.output
    assert f"created   template {es_prefix}-requests" in first.output
    second = runner.invoke(main, ["setup", "--es", es_url], env=env)
    assert second.exit_code == 0
    lines = second.output.strip().splitlines()
    assert len(lines) == 4 and all(line.startswith("unchanged") for line in lines)  # template, 3 indices


def test_ship_once_with_stats(runner, es_client, es_url, es_prefix, tmp_path):
    """ship --once indexes everything and --stats prints JSON counters on stdout."""
    logs = tmp_path / "logs"
    write_records(logs, 120)
    result = runner.invoke(main, ["ship", "--source", str(logs), "--es", es_url, "--once", "--stats", "--quiet"],
                           env={"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix})
    assert result.exit_code == 0, result.output
    stats = orjson.loads(result.stdout)
    assert stats["indexed"] == 120 and stats["dead_lettered"] == 0
    assert count_docs(es_client, es_prefix) == 120
    assert list((logs / ".featurewatch-ship").glob("checkpoint-*.json"))


@pytest.mark.parametrize("modes", [[], ["--once", "--follow"]])
def test_ship_needs_exactly_one_of_once_or_follow(runner, tmp_path, modes):
    """Neither or both of --once and --follow is a usage error (exit 2)."""
    result = runner.invoke(main, ["ship", "--source", str(tmp_path), "--es", "http://127.0.0.1:1", *modes])
    assert result.exit_code == 2
    assert "either --once or --follow" in result.output


def test_ship_without_url_is_a_config_error(runner, tmp_path):
    """No --es and no FEATUREWATCH_ES_URL: one line, exit 2."""
    result = runner.invoke(main, ["ship", "--source", str(tmp_path), "--once"])
    assert result.exit_code == 2
    assert result.output.strip() == "error: no Elasticsearch URL: pass --es URL or set FEATUREWATCH_ES_URL"


def test_unreachable_cluster_is_exit_1_without_secrets(runner, tmp_path):
    """An unreachable cluster ends in one error line and exit 1; the password never shows."""
    write_records(tmp_path / "logs", 5)
    result = runner.invoke(main, ["ship", "--source", str(tmp_path / "logs"), "--es", "http://127.0.0.1:1",
                                  "--es-username", "elastic", "--es-password", "hunter2-secret", "--once",
                                  "--max-tries", "1"])
    assert result.exit_code == 1
    assert "hunter2" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("error: giving up after 1 tries: cannot reach")
    setup = runner.invoke(main, ["setup", "--es", "http://127.0.0.1:1", "--es-api-key", "key-secret-123"])
    assert setup.exit_code == 1 and "key-secret-123" not in setup.output
    assert setup.output.strip().startswith("error: cannot reach Elasticsearch at http://127.0.0.1:1")


def test_rejected_credentials_fail_at_once_without_retrying(es_proxy, es_prefix, tmp_path):
    """A 401 is not retried: one line naming the problem, exit 1, secrets not shown."""
    from shiptools import ship_command

    write_records(tmp_path / "logs", 20)
    es_proxy.fail_next(1, status=401, path="/_bulk")
    result = ship_command(tmp_path / "logs", es_proxy.url, es_prefix, "--once", "--es-api-key", "sekrit-key-42",
                          "--checkpoint-dir", str(tmp_path / "ckpt"))
    assert result.returncode == 1
    assert "refused the credentials (401)" in result.stderr
    assert "retrying" not in result.stderr and "sekrit" not in result.stderr + result.stdout
    assert es_proxy.bulk_requests == 1


def test_sigterm_while_starting_is_a_clean_exit(runner, es_url, es_prefix, tmp_path, monkeypatch):
    """A SIGTERM that arrives while the command still loads (here: while the client is built) ends
    like one while shipping: exit 0, --stats says interrupted, nothing sent."""
    from featurewatch.es import client as client_module

    write_records(tmp_path / "logs", 30)
    build_client = client_module.build_client

    def build_then_sigterm(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        return build_client(*args, **kwargs)

    monkeypatch.setattr(client_module, "build_client", build_then_sigterm)
    unhandled: list[int] = []  # stands for the default action, which would kill the process
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: unhandled.append(signum))
    try:
        result = runner.invoke(main, ["ship", "--source", str(tmp_path / "logs"), "--es", es_url, "--once",
                                      "--stats", "--quiet"], env={"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix})
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert unhandled == []
    assert result.exit_code == 0, result.output
    stats = orjson.loads(result.stdout)
    assert stats["interrupted"] is True and stats["bulk_requests"] == 0


def test_ship_without_baselines_does_not_load_the_enrichment(es_url, es_prefix, tmp_path):
    """Without --baseline, `ship` imports neither the enrichment nor what it brings (the aggregations,
    the local reader, pyarrow)."""
    from shiptools import ship_env

    write_records(tmp_path / "logs", 5)
    script = ("import sys\nfrom featurewatch.cli import main\n"
              "try:\n    main(sys.argv[1:])\nexcept SystemExit as exit:\n    assert exit.code == 0, exit.code\n"
              "print(sorted(m for m in ('featurewatch.ship.enrich', 'featurewatch.es.aggregations') "
              "if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", script, "ship", "--source", str(tmp_path / "logs"), "--es", es_url,
                             "--once", "--quiet"], env=ship_env(es_prefix), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
