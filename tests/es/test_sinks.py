"""Findings and metrics in Elasticsearch: deterministic ids, reruns replace."""

from __future__ import annotations

import dataclasses

from featurewatch.detect.report import Finding, Report
from featurewatch.es import layout, setup
from featurewatch.es.sinks import ElasticsearchFindingsSink


def report(findings: int) -> Report:
    items = [Finding(check="na_spike", feature=f"f{i}", severity="warning", statistic=0.2, threshold=0.05,
                     baseline="1% null", observed="21% null", message=f"f{i} is null", p_value=1e-9)
             for i in range(findings)]
    metrics = [{"@timestamp": "2026-11-20T12:00:00.000000Z", "model": "m",
                "window.start": "2026-11-20T10:00:00.000000Z", "window.end": "2026-11-20T12:00:00.000000Z",
                "feature": f"f{i}", "records": 100, "null_rate": 0.21, "baseline_null_rate": 0.01}
               for i in range(3)]
    return Report(model="m", start="2026-11-20T10:00:00.000000Z", end="2026-11-20T12:00:00.000000Z",
                  records=100, findings=items, metrics=metrics)


def count(client, index: str) -> int:
    client.indices.refresh(index=index)
    return client.count(index=index).body["count"]


def test_rerun_replaces_and_never_duplicates(es_client, es_prefix):
    setup.install(es_client, es_prefix)
    sink = ElasticsearchFindingsSink(es_client, es_prefix)
    findings, metrics = layout.findings_index(es_prefix), layout.metrics_index(es_prefix)
    sink.write(report(2))
    assert (count(es_client, findings), count(es_client, metrics)) == (2, 3)
    sink.write(report(2))
    assert (count(es_client, findings), count(es_client, metrics)) == (2, 3)
    sink.write(report(1))  # the rerun no longer finds f1: its old finding goes
    assert (count(es_client, findings), count(es_client, metrics)) == (1, 3)
    doc = es_client.search(index=findings, query={"match_all": {}}).body["hits"]["hits"][0]["_source"]
    assert doc["check"] == "na_spike" and doc["window"]["end"] == "2026-11-20T12:00:00.000000Z"
    assert doc["severity_rank"] == 1
    metric = es_client.search(index=metrics, query={"term": {"feature": "f0"}}).body["hits"]["hits"][0]["_source"]
    assert metric["window"]["start"] == "2026-11-20T10:00:00.000000Z" and metric["null_rate"] == 0.21


def test_other_windows_are_left_alone(es_client, es_prefix):
    setup.install(es_client, es_prefix)
    sink = ElasticsearchFindingsSink(es_client, es_prefix)
    sink.write(report(2))
    later = dataclasses.replace(report(0), start="2026-11-20T12:00:00.000000Z", end="2026-11-20T14:00:00.000000Z",
                                metrics=[])
    sink.write(later)
    assert count(es_client, layout.findings_index(es_prefix)) == 2
