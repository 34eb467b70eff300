"""The findings and metrics indices as a findings store: deterministic ids, reruns replace, state read back."""

from __future__ import annotations

from featurewatch.detect.report import Finding, Report
from featurewatch.es import layout, setup
from featurewatch.es.sinks import ElasticsearchFindingsStore
from featurewatch.findings import Alert, window_documents


def report(findings: int, hour: int = 10, model: str = "m") -> Report:
    start, end = f"2026-11-20T{hour:02d}:00:00Z", f"2026-11-20T{hour + 2:02d}:00:00Z"
    items = [Finding(check="na_spike", feature=f"f{i}", severity="warning", statistic=0.2, threshold=0.05,
                     baseline="1% null", observed="21% null", message=f"f{i} is null", p_value=1e-9)
             for i in range(findings)]
    metrics = [{"@timestamp": end, "model": model, "window.start": start, "window.end": end,
                "feature": f"f{i}", "records": 100, "null_rate": 0.21, "baseline_null_rate": 0.01}
               for i in range(3)]
    return Report(model=model, start=start, end=end, records=100, findings=items, metrics=metrics)


def count(client, index: str) -> int:
    client.indices.refresh(index=index)
    return client.count(index=index).body["count"]


def test_rerun_replaces_and_never_duplicates(es_client, es_prefix):
    setup.install(es_client, es_prefix)
    store = ElasticsearchFindingsStore(es_client, es_prefix)
    findings, metrics = layout.findings_index(es_prefix), layout.metrics_index(es_prefix)
    store.write_window(window_documents(report(2)))
    assert (count(es_client, findings), count(es_client, metrics)) == (2, 3)
    store.write_window(window_documents(report(2)))
    assert (count(es_client, findings), count(es_client, metrics)) == (2, 3)
    store.write_window(window_documents(report(1)))  # the rerun no longer finds f1: its old finding goes
    assert (count(es_client, findings), count(es_client, metrics)) == (1, 3)
    doc = es_client.search(index=findings, query={"match_all": {}}).body["hits"]["hits"][0]["_source"]
    assert doc["check"] == "na_spike" and doc["window"]["end"] == "2026-11-20T12:00:00Z"
    assert doc["severity_rank"] == 1
    metric = es_client.search(index=metrics, query={"term": {"feature": "f0"}}).body["hits"]["hits"][0]["_source"]
    assert metric["window"]["start"] == "2026-11-20T10:00:00Z" and metric["null_rate"] == 0.21


def test_other_windows_are_left_alone(es_client, es_prefix):
    setup.install(es_client, es_prefix)
    store = ElasticsearchFindingsStore(es_client, es_prefix)
    store.write_window(window_documents(report(2)))
    store.write_window(window_documents(report(0, hour=12)))
    assert count(es_client, layout.findings_index(es_prefix)) == 2


def test_a_rerun_replaces_documents_of_the_same_window_written_with_microseconds(es_client, es_prefix):
    """Bounds are matched as dates: an older featurewatch's 10:00:00.000000Z is this window too."""
    setup.install(es_client, es_prefix)
    store = ElasticsearchFindingsStore(es_client, es_prefix)
    old = report(1)
    old.start, old.end = "2026-11-20T10:00:00.000000Z", "2026-11-20T12:00:00.000000Z"
    store.write_window(window_documents(old))
    store.write_window(window_documents(report(0)))
    assert count(es_client, layout.findings_index(es_prefix)) == 0


def test_previous_window_and_alert_history(es_client, es_prefix):
    """The latest window ending at or before a start comes back whole; alert documents come back by model."""
    setup.install(es_client, es_prefix)
    store = ElasticsearchFindingsStore(es_client, es_prefix)
    for hour in (6, 8):
        first = report(2, hour=hour)
        alert = Alert("na_spike", "f0", "warning", 1, "new", first.start, first.end)
        store.write_window(window_documents(first, {alert.key: alert}))
    store.write_window(window_documents(report(1, hour=8, model="other")))
    previous = store.previous_window("m", "2026-11-20T10:00:00Z")
    assert sorted(d["feature"] for d in previous) == ["f0", "f1"]
    assert {d["window"]["start"] for d in previous} == {"2026-11-20T08:00:00Z"} and all(d["id"] for d in previous)
    assert store.previous_window("m", "2026-11-20T07:59:59Z") == []
    history = store.alert_documents(model="m")
    assert sorted((d["window"]["start"], d["alert"]) for d in history) == [
        ("2026-11-20T06:00:00Z", "new"), ("2026-11-20T08:00:00Z", "new")]
    assert store.alert_documents(model="m", feature="f1") == []


def test_a_store_without_an_index_has_no_previous_window(es_client, es_prefix):
    """Before `setup` (or the first run) there is nothing to compare with, and that is not an error."""
    store = ElasticsearchFindingsStore(es_client, es_prefix)
    assert store.previous_window("m", "2026-11-20T10:00:00Z") == [] and store.alert_documents() == []
