"""``ship`` without ``--baseline``: what detection needs, indexed from the baselines registered in the cluster.

The shipper reads the registered baselines at start and looks again every
few minutes while following (the hashes only; the baselines when one
changed). The loop of the issue's held-out check runs through the cluster:
records logged by the shim, ``setup --baseline``, ``ship --once`` without
``--baseline``, ``detect --es --model``: the same findings as on the local
files, unseen tokens included, and nothing on a clean window.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import featurewatch as fw
from eswindow import END, START, es_settings, log_window, training
from featurewatch.baseline import save_baseline
from featurewatch.cli import main
from featurewatch.errors import BackendError
from featurewatch.es import layout
from featurewatch.es.baselines import BaselineRegistry
from featurewatch.es.setup import run_setup
from featurewatch.ship import RetryPolicy, ShipConfig, Shipper, bulk_sender
from featurewatch.ship.registered import RegisteredEnricher

WINDOW = ["--start", START.isoformat(), "--end", END.isoformat()]


class FakeRegistry:
    """Baselines by model, with request counters."""

    def __init__(self, baselines=None):
        self.baselines = dict(baselines or {})
        self.hash_requests = 0
        self.fetches = 0
        self.fail = False

    def latest_hashes(self):
        self.hash_requests += 1
        if self.fail:
            raise BackendError("cannot reach Elasticsearch at http://es:9200: is it running and is the URL right?")
        return {model: str(id(b)) for model, b in self.baselines.items()}

    def latest_all(self):
        self.fetches += 1
        return dict(self.baselines)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _record(model: str, note: str = "pay the loan") -> dict:
    return {"model": model, "features": {"note": note}}


class TestRefresh:
    def test_reads_at_start_and_again_every_interval(self, baseline):
        registry, clock = FakeRegistry(), Clock()
        enricher = RegisteredEnricher(registry, refresh_every=300, clock=clock)
        enricher.load()
        assert enricher(_record("parity")) is None and enricher.models == ()
        registry.baselines["parity"] = baseline
        clock.now = 299
        assert enricher(_record("parity")) is None  # not yet looked again
        clock.now = 300
        extra = enricher(_record("parity"))
        assert extra is not None and sorted(extra[layout.TOKENS_FIELD]["note"]) == ["loan", "pay", "the"]
        assert enricher.models == ("parity",)

    def test_baselines_fetched_only_when_one_changed(self, baseline):
        registry, clock = FakeRegistry({"parity": baseline}), Clock()
        enricher = RegisteredEnricher(registry, refresh_every=10, clock=clock)
        enricher.load()
        for step in range(1, 6):
            clock.now = 10 * step
            enricher(_record("parity"))
        assert registry.hash_requests == 6 and registry.fetches == 1

    def test_a_failed_refresh_keeps_what_it_had_and_says_so(self, baseline):
        registry, clock, said = FakeRegistry({"parity": baseline}), Clock(), []
        enricher = RegisteredEnricher(registry, refresh_every=10, clock=clock, warn=said.append)
        enricher.load()
        registry.fail = True
        clock.now = 10
        assert enricher(_record("parity")) is not None
        assert len(said) == 1 and "shipping with the 1 read before" in said[0] and "cannot reach" in said[0]
        clock.now = 15
        enricher(_record("parity"))
        assert registry.hash_requests == 2  # the next try waits for the next interval

    def test_a_shipper_picks_up_a_newly_registered_baseline(self, tmp_path, es_url, es_client, es_prefix, baseline):
        """Against the cluster: records shipped before registering have no tokens, those after have them."""
        run_setup(es_settings(es_url, es_prefix).es)
        clock = Clock()
        enricher = RegisteredEnricher(BaselineRegistry(es_client, es_prefix), refresh_every=60, clock=clock)
        enricher.load()
        logs = tmp_path / "logs"
        config = ShipConfig(source=logs, checkpoint=tmp_path / "c.json", dead_letter=tmp_path / "d.jsonl",
                            prefix=es_prefix, retry=RetryPolicy(max_tries=3), enrich=enricher)
        fw.configure(log_dir=str(logs))
        fw.log_request(model="parity", version="1.0", request_id="before", features={"note": "pay the loan"},
                       timestamp=START)
        fw.flush()
        Shipper(config, bulk_sender(es_client, es_url)).run()
        run_setup(es_settings(es_url, es_prefix).es, baselines=[baseline])
        clock.now = 60
        fw.log_request(model="parity", version="1.0", request_id="after", features={"note": "pay the loan"},
                       timestamp=START)
        fw.flush()
        Shipper(config, bulk_sender(es_client, es_url)).run()
        es_client.indices.refresh(index=layout.requests_pattern(es_prefix))
        hits = es_client.search(index=layout.requests_pattern(es_prefix), size=10).body["hits"]["hits"]
        tokens = {h["_source"]["request_id"]: h["_source"].get(layout.TOKENS_FIELD) for h in hits}
        assert tokens["before"] is None and sorted(tokens["after"]["note"]) == ["loan", "pay", "the"]


class TestShipCommand:
    def test_registered_baselines_give_the_local_findings(self, tmp_path, es_url, es_prefix, baseline):
        """setup --baseline, ship --once without --baseline, detect --es --model == detect on the files."""
        env = {"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix}
        runner = CliRunner()
        path = save_baseline(baseline, tmp_path / "baseline.json")
        assert runner.invoke(main, ["setup", "--es", es_url, "--baseline", str(path)], env=env).exit_code == 0
        faulty, clean = tmp_path / "faulty", tmp_path / "clean"
        log_window(faulty, n=1200)
        _log_clean(clean)
        for logs in (faulty, clean):
            shipped = runner.invoke(main, ["ship", "--source", str(logs), "--es", es_url, "--once", "--stats"],
                                    env=env)
            assert shipped.exit_code == 0, shipped.output
            assert "registered baselines in " in shipped.stderr and ": parity" in shipped.stderr
            assert json.loads(shipped.stdout)["dead_lettered"] == 0
        from featurewatch.es.client import build_client

        build_client(es_settings(es_url).es).indices.refresh(index=layout.requests_pattern(es_prefix))
        remote = runner.invoke(main, ["detect", "--model", "parity", "--es", es_url, *WINDOW, "--format", "json"],
                               env=env)
        local = runner.invoke(main, ["detect", "--baseline", str(path), "--source", str(faulty), *WINDOW,
                                     "--format", "json"])
        assert remote.exit_code == local.exit_code == 3, remote.output
        assert "no tokens" not in remote.stderr and "warning" not in remote.stderr
        # Sums of floats may differ in the last bits with the order of addition (the cluster's is its own).
        assert _rounded(json.loads(remote.stdout)) == _rounded(json.loads(local.stdout))
        assert any(f["check"] == "unseen_tokens" and f["severity"] != "info"
                   for f in json.loads(remote.stdout)["findings"])
        # A clean window of the same model: nothing at warning or above.
        quiet = runner.invoke(main, ["detect", "--model", "parity", "--es", es_url, "--start", CLEAN_START,
                                     "--end", CLEAN_END, "--format", "json"], env=env)
        assert quiet.exit_code == 0, quiet.output
        assert [f for f in json.loads(quiet.stdout)["findings"] if f["severity"] != "info"] == []

    def test_baselines_that_cannot_be_read_stop_a_once_run(self, tmp_path, es_proxy, es_prefix):
        """Refused credentials on the baselines: exit 1, nothing shipped without its tokens."""
        logs = tmp_path / "logs"
        log_window(logs, n=20)
        es_proxy.fail_next(1, status=403, path="-baselines/_search")
        result = CliRunner().invoke(main, ["ship", "--source", str(logs), "--es", es_proxy.url, "--once", "--quiet"],
                                    env={"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix})
        assert result.exit_code == 1
        assert "cannot read the registered baselines" in result.output and "--baseline FILE" in result.output
        assert es_proxy.bulk_requests == 0

    def test_an_unavailable_cluster_is_tried_again(self, tmp_path, es_proxy, es_prefix):
        logs = tmp_path / "logs"
        log_window(logs, n=20)
        es_proxy.fail_next(2, status=503, path="-baselines/_search")
        result = CliRunner().invoke(main, ["ship", "--source", str(logs), "--es", es_proxy.url, "--once",
                                           "--max-tries", "4"], env={"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix})
        assert result.exit_code == 0, result.output
        assert result.stderr.count("retrying in ") == 2 and "reading the registered baselines" in result.stderr


def _rounded(value):
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


CLEAN_START, CLEAN_END = "2026-11-21T10:00:00Z", "2026-11-21T12:00:00Z"


def _log_clean(folder) -> None:
    """Two hours of records drawn from the training distribution, a day after the faulty window."""
    import datetime as dt

    fw.configure(log_dir=str(folder))
    start = dt.datetime(2026, 11, 21, 10, tzinfo=dt.UTC)
    rows = training(1500, seed=7).to_dict("records")
    for i, row in enumerate(rows):
        features = {k: v for k, v in row.items() if k != "score"}
        fw.log_request(model="parity", version="1.0", features=features, prediction=row["score"],
                       timestamp=start + dt.timedelta(seconds=i * 7200 / len(rows)))
    fw.flush()


@pytest.fixture(autouse=True)
def _quiet_client_logs():
    import logging

    logging.getLogger("elastic_transport").setLevel(logging.ERROR)
