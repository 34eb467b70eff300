"""``featurewatch detect --es``: same output and exit codes as the local path, findings in the cluster."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner

from eswindow import END, START, log_window, ship
from featurewatch.baseline import save_baseline
from featurewatch.cli import main
from featurewatch.es import layout, setup

WINDOW = ["--start", START.isoformat(), "--end", END.isoformat()]


@pytest.fixture
def shipped(tmp_path, es_url, es_client, es_prefix, baseline):
    """A window of faulty records, logged locally and shipped into the test server."""
    logs = tmp_path / "logs"
    log_window(logs, n=1500)
    ship(logs, es_url, es_client, es_prefix, baseline, tmp_path)
    path = save_baseline(baseline, tmp_path / "baseline.json")
    return logs, path


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env or {}, catch_exceptions=False)


def detect_es(url, prefix, baseline_path, *extra):
    return run("detect", "--baseline", str(baseline_path), "--es", url, *WINDOW, *extra,
               env={"FEATUREWATCH_ES_INDEX_PREFIX": prefix})


class TestDetectEs:
    def test_same_json_as_local_and_findings_in_the_cluster(self, shipped, es_url, es_client, es_prefix):
        logs, baseline_path = shipped
        remote = detect_es(es_url, es_prefix, baseline_path, "--format", "json")
        local = run("detect", "--baseline", str(baseline_path), "--source", str(logs), *WINDOW, "--format", "json")
        assert remote.exit_code == local.exit_code == 3
        assert orjson.loads(remote.stdout) == orjson.loads(local.stdout)

        findings, metrics = layout.findings_index(es_prefix), layout.metrics_index(es_prefix)
        es_client.indices.refresh(index=[findings, metrics])
        counts = (es_client.count(index=findings).body["count"], es_client.count(index=metrics).body["count"])
        assert counts[0] == len(orjson.loads(remote.stdout)["findings"]) and counts[1] > 0
        again = detect_es(es_url, es_prefix, baseline_path, "--format", "json")
        assert again.exit_code == 3
        es_client.indices.refresh(index=[findings, metrics])
        assert (es_client.count(index=findings).body["count"],
                es_client.count(index=metrics).body["count"]) == counts

    def test_window_without_documents_is_no_data(self, shipped, es_url, es_prefix):
        _, baseline_path = shipped
        result = run("detect", "--baseline", str(baseline_path), "--es", es_url,
                     "--start", "2026-01-01T00:00:00Z", "--end", "2026-01-01T01:00:00Z", "--format", "json",
                     env={"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix})
        assert result.exit_code == 3
        assert [f["check"] for f in orjson.loads(result.stdout)["findings"]] == ["no_data"]


class TestDetectEsErrors:
    def test_missing_index(self, tmp_path, es_url, es_prefix, baseline):
        path = save_baseline(baseline, tmp_path / "baseline.json")
        result = CliRunner().invoke(main, ["detect", "--baseline", str(path), "--es", es_url, *WINDOW],
                                    env={"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix})
        assert result.exit_code == 1
        assert "no requests indices match" in result.output and "Traceback" not in result.output

    def test_cluster_down(self, tmp_path, baseline):
        path = save_baseline(baseline, tmp_path / "baseline.json")
        result = CliRunner().invoke(main, ["detect", "--baseline", str(path), "--es", "http://127.0.0.1:9", *WINDOW])
        assert result.exit_code == 1
        assert result.output.startswith("error: ") and len(result.output.strip().splitlines()) == 1

    def test_wrong_credentials(self, tmp_path, es_proxy, baseline):
        path = save_baseline(baseline, tmp_path / "baseline.json")
        es_proxy.fail_next(20, status=401, path="/")
        result = CliRunner().invoke(main, ["detect", "--baseline", str(path), "--es", es_proxy.url,
                                           "--es-username", "elastic", "--es-password", "hunter2", *WINDOW])
        assert result.exit_code == 1
        assert "hunter2" not in result.output
        assert len(result.output.strip().splitlines()) == 1

    def test_source_and_es_together_is_usage(self, tmp_path, baseline):
        path = save_baseline(baseline, tmp_path / "baseline.json")
        result = CliRunner().invoke(main, ["detect", "--baseline", str(path), "--es", "http://x:9200",
                                           "--source", str(tmp_path), *WINDOW])
        assert result.exit_code == 2 and "not both" in result.output


class TestBaselineFromEs:
    def test_reference_window_in_the_cluster_gives_the_local_baseline(self, shipped, es_url, es_prefix, tmp_path):
        """--from-es reads the same records as --from-logs and builds the same baseline."""
        logs, _ = shipped
        common = ["--model", "parity", "--text", "note", "--categorical", "accounts", "--prediction", "score",
                  "--start", START.isoformat(), "--end", END.isoformat()]
        es_out, local_out = tmp_path / "es.json", tmp_path / "local.json"
        remote = run("baseline", "build", "--from-es", es_url, *common, "-o", str(es_out),
                     env={"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix})
        local = run("baseline", "build", "--from-logs", str(logs), *common, "-o", str(local_out))
        assert remote.exit_code == local.exit_code == 0, remote.output + local.output
        strip = lambda doc: {k: v for k, v in doc.items() if k not in {"created", "source"}}  # noqa: E731
        assert strip(orjson.loads(es_out.read_bytes())) == strip(orjson.loads(local_out.read_bytes()))

    def test_limit_bounds_the_records_read(self, shipped, es_url, es_prefix, tmp_path):
        out = tmp_path / "b.json"
        result = run("baseline", "build", "--from-es", es_url, "--model", "parity", "--limit", "100",
                     "--start", START.isoformat(), "--end", END.isoformat(), "-o", str(out),
                     env={"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix})
        assert result.exit_code == 0, result.output
        assert "100 records in Elasticsearch" in result.output

    def test_empty_reference_window(self, shipped, es_url, es_prefix, tmp_path):
        result = CliRunner().invoke(main, ["baseline", "build", "--from-es", es_url, "--model", "parity",
                                           "--start", "2020-01-01", "--end", "2020-01-02", "-o",
                                           str(tmp_path / "b.json")], env={"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix})
        assert result.exit_code == 2 and "no records of model 'parity'" in result.output


def test_text_without_token_fields_is_a_warning(tmp_path, es_url, es_client, es_prefix, baseline):
    """Shipped without --baseline: detect says why unseen tokens cannot be counted."""
    from featurewatch.ship import RetryPolicy, ShipConfig, Shipper, bulk_sender

    logs = tmp_path / "logs"
    log_window(logs, n=300)
    setup.install(es_client, es_prefix)
    config = ShipConfig(source=logs, checkpoint=tmp_path / "c.json", dead_letter=tmp_path / "d.jsonl",
                        prefix=es_prefix, retry=RetryPolicy(max_tries=3))
    Shipper(config, bulk_sender(es_client, es_url)).run()
    es_client.indices.refresh(index=layout.requests_pattern(es_prefix))
    path = save_baseline(baseline, tmp_path / "baseline.json")
    result = CliRunner().invoke(main, ["detect", "--baseline", str(path), "--es", es_url, *WINDOW],
                                env={"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix})
    assert result.exit_code == 3
    assert "warning: text feature 'note' has no tokens.note field" in result.stderr


def test_bad_webhook_is_a_usage_error_before_any_work(tmp_path, baseline):
    """A webhook URL without a scheme is refused up front (exit 2), and its token is not echoed."""
    path = save_baseline(baseline, tmp_path / "baseline.json")
    result = CliRunner().invoke(main, ["detect", "--baseline", str(path), "--source", str(tmp_path), *WINDOW,
                                       "--webhook", "hooks.slack.com/services/T00/B00/SECRETTOKEN"])
    assert result.exit_code == 2 and "SECRETTOKEN" not in result.output
