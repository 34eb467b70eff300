"""Every field a findings or metrics document carries is mapped explicitly, with the layout's type.

Nothing is left to Elasticsearch's dynamic mapping, which would type a
number by its first value (``0.5`` → ``float``, ``3`` → ``long``) and so
differently in two installs. The documents come from a real detection run
(findings of every severity, alerts new and resolved, metrics of every kind).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from eswindow import END, START, log_window, parity_baseline
from featurewatch.detect import detect_profile
from featurewatch.es import layout, setup, templates
from featurewatch.es.sinks import ElasticsearchFindingsStore
from featurewatch.findings import alert_state, window_documents
from featurewatch.kibana import flatten_mapping
from featurewatch.profile import LocalSource


def _paths(doc: Mapping[str, Any], parent: str = "") -> set[str]:
    out = set()
    for key, value in doc.items():
        path = f"{parent}{key}"
        if isinstance(value, Mapping) and key != "@timestamp":
            out |= _paths(value, f"{path}.")
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for item in value:  # an array of objects maps like one object
                out |= _paths(item, f"{path}.")
        else:
            out.add(path)
    return out


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    """One window's documents with new alerts, and a resolved alert carried from a made-up previous window."""
    baseline = parity_baseline()
    logs = tmp_path_factory.mktemp("logs")
    log_window(logs, n=1500)
    report = detect_profile(baseline, LocalSource(logs, workers=1).profile(baseline, START, END))
    current = [doc for doc in report.finding_documents() if doc["severity"] != "info"]
    previous = [{"check": "na_spike", "feature": "gone", "severity": "warning", "severity_rank": 1,
                 "alert": "ongoing", "since": "2026-11-20T08:00:00Z",
                 "window": {"start": "2026-11-20T08:00:00Z", "end": "2026-11-20T10:00:00Z"}}]
    state = alert_state(previous, current, report.start, report.end)
    return window_documents(report, state.by_key(), state.resolved)


class TestEveryFieldIsMapped:
    def test_findings(self, documents):
        written = set().union(*(_paths({k: v for k, v in doc.items() if k != "id"}) for doc in documents.findings))
        assert {"effect", "baseline_value", "observed_value", "reference", "alert", "since", "new_values.value",
                "new_distinct", "examples.value", "examples.type", "examples.count"} <= written
        assert written - set(layout.FINDING_FIELDS) == set()

    def test_metrics(self, documents):
        written = set().union(*(_paths({k: v for k, v in doc.items() if k != "id"}) for doc in documents.metrics))
        assert written - set(layout.METRIC_FIELDS) == set()

    def test_numbers_are_never_mapped_by_their_first_value(self):
        """Fields a newer writer adds before setup ran: every JSON number becomes a double."""
        for mappings in (templates.findings_mappings(), templates.metrics_mappings()):
            rules = {name: rule for entry in mappings["dynamic_templates"] for name, rule in entry.items()}
            assert {rules[n]["match_mapping_type"]: rules[n]["mapping"]["type"] for n in rules} == {
                "string": "keyword", "long": "double", "double": "double", "boolean": "boolean"}

    def test_the_cluster_maps_them_as_the_layout_says(self, documents, es_client, es_prefix):
        setup.install(es_client, es_prefix)
        ElasticsearchFindingsStore(es_client, es_prefix).write_window(documents)
        for index, fields in ((layout.findings_index(es_prefix), layout.FINDING_FIELDS),
                              (layout.metrics_index(es_prefix), layout.METRIC_FIELDS)):
            mapped = flatten_mapping(es_client.indices.get_mapping(index=index).body)
            assert {f: mapped.get(f) for f in fields} == dict(fields), index
