"""The saved objects against the mappings `setup` really installs, read back from the test server.

Kibana checks none of this on import: a chart on a field that is missing or
not aggregatable just shows an error on the dashboard at 3 a.m.
"""

from __future__ import annotations

from featurewatch.demo.run import demo_spec
from featurewatch.detect.report import Finding, Report
from featurewatch.es import layout, setup
from featurewatch.es.sinks import ElasticsearchFindingsStore
from featurewatch.findings import alert_state, window_documents
from featurewatch.kibana import build_ndjson, flatten_mapping, validate
from featurewatch.kibana.dataviews import DataViews
from featurewatch.kibana.mappings import sample_record


def _server_mappings(es_client, prefix: str, spec) -> dict[str, dict[str, str]]:
    setup.install(es_client, prefix)
    es_client.index(index=layout.requests_index("2026-11-20T00:00:00Z", prefix), id="sample",
                    document=sample_record(spec), refresh=True)
    report = Report(model=spec.model, start="2026-11-20T00:00:00.000000Z", end="2026-11-20T01:00:00.000000Z",
                    records=1, findings=[Finding(check="na_spike", feature="income", severity="warning",
                                                 statistic=0.3, threshold=0.05, baseline="1%", observed="31%",
                                                 message="m", p_value=1e-6)],
                    metrics=[{"@timestamp": "2026-11-20T01:00:00.000000Z", "model": spec.model,
                              "window.start": "2026-11-20T00:00:00.000000Z",
                              "window.end": "2026-11-20T01:00:00.000000Z", "feature": "income", "records": 1,
                              "null_rate": 0.3}])
    # One alarming finding and one resolved alert: the findings index maps the alert fields too.
    current = [dict(doc) for doc in report.finding_documents()]
    previous = [{"check": "unseen_category", "feature": "region", "severity": "warning", "severity_rank": 1,
                 "alert": "ongoing", "since": "2026-11-19T22:00:00Z", "window": {"start": "x", "end": "y"}}]
    state = alert_state(previous, current, report.start, report.end)
    ElasticsearchFindingsStore(es_client, prefix).write_window(window_documents(report, state.by_key(), state.resolved))
    views = DataViews(prefix)
    read = lambda index: flatten_mapping(es_client.indices.get_mapping(index=index).body)  # noqa: E731
    return {views.requests_title: read(layout.requests_pattern(prefix)),
            views.findings_title: read(layout.findings_index(prefix)),
            views.metrics_title: read(layout.metrics_index(prefix))}


def test_generated_objects_match_the_installed_mappings(es_client, es_prefix):
    """The demo objects (the committed file, built for this test's index prefix) validate against the
    server's mappings; the committed file is these bytes for the default prefix (test_kibana_build)."""
    spec = demo_spec()
    mappings = _server_mappings(es_client, es_prefix, spec)
    requests = mappings[DataViews(es_prefix).requests_title]
    assert (requests["values.number.income"], requests["values.string.region"]) == ("double", "keyword")
    assert not [field for field in requests if field.startswith("features.")]  # not indexed (enabled: false)
    assert validate(build_ndjson(spec, es_prefix), mappings) == []


def test_a_field_the_server_lacks_is_caught(es_client, es_prefix):
    """Drop one field from the server's answer: the validator names it (it can fail)."""
    spec = demo_spec()
    mappings = _server_mappings(es_client, es_prefix, spec)
    del mappings[DataViews(es_prefix).requests_title]["values.string.region"]
    problems = validate(build_ndjson(spec, es_prefix), mappings)
    assert problems and any("values.string.region" in p for p in problems)
