"""Reading the metrics and findings indices back for the report's history."""

from __future__ import annotations

import datetime as dt

from featurewatch.es import layout, setup
from featurewatch.es.history import search_history

T0 = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)


def bound(hour: int) -> str:
    return (T0 + dt.timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_absent_indices_read_as_no_history(es_client, es_prefix):
    assert search_history(es_client, es_prefix, "credit", T0, T0 + dt.timedelta(days=1)) == ([], [])


def test_documents_of_the_model_whose_window_ends_in_the_span(es_client, es_prefix):
    setup.install(es_client, es_prefix)
    for hour in range(4):
        for model in ("credit", "other"):
            window = {"start": bound(hour), "end": bound(hour + 1)}
            es_client.index(index=layout.metrics_index(es_prefix), id=f"{model}{hour}",
                            document={"@timestamp": bound(hour + 1), "model": model, "window": window,
                                      "feature": "income", "null_rate": hour / 10})
            es_client.index(index=layout.findings_index(es_prefix), id=f"{model}{hour}",
                            document={"@timestamp": bound(hour + 1), "model": model, "window": window,
                                      "feature": "income", "check": "na_spike", "severity": "warning",
                                      "message": "long text the history does not need"})
    es_client.indices.refresh(index=[layout.metrics_index(es_prefix), layout.findings_index(es_prefix)])
    # Windows ending in (01:00, 03:00]: those of hours 1 and 2.
    metrics, findings = search_history(es_client, es_prefix, "credit", T0 + dt.timedelta(hours=1),
                                       T0 + dt.timedelta(hours=3))
    assert sorted(m["null_rate"] for m in metrics) == [0.1, 0.2]
    assert sorted(f["window"]["start"] for f in findings) == [bound(1), bound(2)]
    assert all("message" not in f and f["model"] == "credit" for f in findings)
