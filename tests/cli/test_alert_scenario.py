"""The on-call scenario of issue 14: six hourly cron runs, a feature null from hour 2 to hour 4.

One post marks it new (hour 2's run), none at hours 3 and 4, one marks it resolved (hour 5's run);
with --remind-every 2h one reminder at hour 4; reruns replace findings and metrics (and post nothing
twice); `featurewatch findings` lists one incident. The same with the Elasticsearch findings index
as the store.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import orjson
import pytest
from click.testing import CliRunner

from featurewatch.baseline import save_baseline
from featurewatch.cli import main
from helpers import synthetic_frame, write_logs
from webhooks import webhook_receiver

T0 = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
HOURS = range(6)
NULL_HOURS = {2, 3, 4}


def hour(h: int) -> str:
    return (T0 + dt.timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def traffic(tmp_path_factory, synth):
    """Six hours of model synth's traffic; `amount` is null in every record of hours 2, 3 and 4."""
    root = tmp_path_factory.mktemp("scenario")
    for h in HOURS:
        frame = synthetic_frame(400, seed=20 + h)
        if h in NULL_HOURS:
            frame["amount"] = np.nan
        write_logs(root / "logs", frame, model="synth", prediction="score", start=T0 + dt.timedelta(hours=h),
                   end=T0 + dt.timedelta(hours=h + 1), seed=100 + h)
    return root / "logs", save_baseline(synth, root / "baseline.json")


@pytest.fixture
def receiver():
    with webhook_receiver() as (url, received):
        yield url, received


def cron(h: int, baseline, where: list[str], webhook: str, *extra: str, env=None):
    """The cron run a few minutes after the end of hour ``h``: `detect --window 1h`."""
    at = (T0 + dt.timedelta(hours=h + 1, minutes=7)).isoformat()
    result = CliRunner().invoke(main, ["detect", "--baseline", str(baseline), *where, "--window", "1h", "--at", at,
                                       "--webhook", webhook, "--format", "json", *extra], env=env or {})
    assert result.exit_code == (3 if h in NULL_HOURS else 0), result.output
    return orjson.loads(result.stdout)


def statuses(posts: list[dict]) -> list[list[tuple[str, str, str]]]:
    return [[(a["feature"], a["status"], a["since"]) for a in post["featurewatch"]["alerts"]] for post in posts]


def run_day(baseline, where, receiver, *extra, env=None) -> list[list[tuple[str, str, str]]]:
    """The six runs; returns, per run, the statuses of the posts it made."""
    url, received = receiver
    per_run = []
    for h in HOURS:
        before = len(received)
        cron(h, baseline, where, url, *extra, env=env)
        per_run.append(statuses(received[before:]))
    return per_run


NEW = [[("amount", "new", hour(2))]]
ONGOING = [[("amount", "ongoing", hour(2))]]
RESOLVED = [[("amount", "resolved", hour(2))]]


class TestLocal:
    def test_one_post_when_new_one_when_resolved(self, traffic, receiver, tmp_path):
        logs, baseline = traffic
        where = ["--source", str(logs), "--findings-file", str(tmp_path / "findings.jsonl")]
        assert run_day(baseline, where, receiver) == [[], [], NEW, [], [], RESOLVED]

    def test_a_reminder_every_two_hours(self, traffic, receiver, tmp_path):
        logs, baseline = traffic
        where = ["--source", str(logs), "--findings-file", str(tmp_path / "findings.jsonl")]
        assert run_day(baseline, where, receiver, "--remind-every", "2h") == [[], [], NEW, [], ONGOING, RESOLVED]
        _url, received = receiver
        assert received[1]["text"].splitlines()[0].endswith("1 ongoing (reminder)")

    def test_the_alert_shows_in_json_and_table(self, traffic, receiver, tmp_path):
        logs, baseline = traffic
        where = ["--source", str(logs), "--findings-file", str(tmp_path / "findings.jsonl")]
        url, _ = receiver
        docs = [cron(h, baseline, where, url) for h in HOURS]
        amount = [[(f["alert"], f["since"]) for f in d["findings"] if f["feature"] == "amount"] for d in docs]
        assert amount == [[], [], [("new", hour(2))], [("ongoing", hour(2))], [("ongoing", hour(2))], []]
        assert [d["resolved"] for d in docs][5] == [{"check": "na_spike", "feature": "amount", "severity": "critical",
                                                     "status": "resolved", "since": hour(2)}]
        table = CliRunner().invoke(main, ["detect", "--baseline", str(baseline), *where, "--window", "1h",
                                          "--at", hour(6), "--webhook", url], env={"COLUMNS": "200"})
        assert table.exit_code == 0 and "resolved:\n  resolved critical na_spike on amount no longer alarms " \
                                        f"(it did since {hour(2)})" in table.stdout

    def test_reruns_replace_findings_and_metrics_and_post_nothing_twice(self, traffic, receiver, tmp_path):
        logs, baseline = traffic
        findings, metrics = tmp_path / "findings.jsonl", tmp_path / "metrics.jsonl"
        where = ["--source", str(logs), "--findings-file", str(findings), "--metrics-file", str(metrics)]
        run_day(baseline, where, receiver, "--remind-every", "2h")
        url, received = receiver
        kept = findings.read_bytes(), metrics.read_bytes()
        posts = len(received)
        for h in HOURS:
            cron(h, baseline, where, url, "--remind-every", "2h")
            assert (findings.read_bytes(), metrics.read_bytes()) == kept, f"rerun of hour {h} changed the files"
        assert len(received) == posts
        lines = [orjson.loads(line) for line in metrics.read_bytes().splitlines()]
        assert len(lines) == 6 * len({m["feature"] for m in lines})
        assert [m["window"]["start"] for m in lines][::len(lines) // 6] == [hour(h) for h in HOURS]

    def test_findings_lists_one_incident(self, traffic, receiver, tmp_path):
        logs, baseline = traffic
        findings = tmp_path / "findings.jsonl"
        run_day(baseline, ["--source", str(logs), "--findings-file", str(findings)], receiver)
        result = CliRunner().invoke(main, ["findings", "--findings-file", str(findings), "--format", "json"])
        assert result.exit_code == 0, result.output
        assert orjson.loads(result.stdout) == [{
            "model": "synth", "check": "na_spike", "feature": "amount", "worst_severity": "critical",
            "status": "resolved", "first_window_start": hour(2), "last_window_end": hour(5), "windows": 3}]


def test_the_same_through_elasticsearch(traffic, receiver, tmp_path, es_url, es_client, es_prefix, synth):
    """The findings index is the store: the same posts, reruns replace, and `findings --es` lists the incident."""
    from featurewatch.es import layout, setup
    from featurewatch.ship import RetryPolicy, ShipConfig, Shipper, bulk_sender

    logs, baseline = traffic
    setup.install(es_client, es_prefix)
    config = ShipConfig(source=logs, checkpoint=tmp_path / "ckpt.json", dead_letter=tmp_path / "dead.jsonl",
                        prefix=es_prefix, retry=RetryPolicy(max_tries=3))
    assert Shipper(config, bulk_sender(es_client, es_url)).run().as_dict()["dead_lettered"] == 0
    es_client.indices.refresh(index=layout.requests_pattern(es_prefix))
    env = {"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix}
    where = ["--es", es_url]
    assert run_day(baseline, where, receiver, "--remind-every", "2h", env=env) == [
        [], [], NEW, [], ONGOING, RESOLVED]
    findings, metrics = layout.findings_index(es_prefix), layout.metrics_index(es_prefix)
    es_client.indices.refresh(index=[findings, metrics])
    counts = es_client.count(index=findings).body["count"], es_client.count(index=metrics).body["count"]
    url, received = receiver
    posts = len(received)
    for h in HOURS:
        cron(h, baseline, where, url, "--remind-every", "2h", env=env)
    es_client.indices.refresh(index=[findings, metrics])
    assert (es_client.count(index=findings).body["count"], es_client.count(index=metrics).body["count"]) == counts
    assert len(received) == posts
    result = CliRunner().invoke(main, ["findings", "--es", es_url, "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout) == [{
        "model": "synth", "check": "na_spike", "feature": "amount", "worst_severity": "critical",
        "status": "resolved", "first_window_start": hour(2), "last_window_end": hour(5), "windows": 3}]
