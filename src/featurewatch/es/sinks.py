"""Findings and per-window metrics into Elasticsearch, with deterministic ids.

A rerun of ``detect`` for the same window overwrites its documents (``index``
with the same ``_id``) and deletes findings of that window the rerun no
longer finds, so the indices never hold duplicates or stale alarms.
"""

from __future__ import annotations

import hashlib
from typing import Any

from elasticsearch import Elasticsearch, helpers

from ..detect.report import Report
from ..errors import BackendError
from . import layout
from .client import backend_errors

__all__ = ["ElasticsearchFindingsSink", "metric_id"]


def metric_id(model: str, start: str, end: str, feature: str) -> str:
    """Deterministic id of one metrics document (model, window, feature)."""
    key = "\x1f".join([model, start, end, feature])
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


def _nested(doc: dict[str, Any]) -> dict[str, Any]:
    """``{"window.start": x}`` → ``{"window": {"start": x}}`` (one level, as the mappings expect)."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if "." in key and not key.startswith("@"):
            parent, child = key.split(".", 1)
            out.setdefault(parent, {})[child] = value
        else:
            out[key] = value
    return out


class ElasticsearchFindingsSink:
    """Writes a report's findings to ``<prefix>-findings`` and its metrics to ``<prefix>-metrics``."""

    def __init__(self, client: Elasticsearch, prefix: str = layout.DEFAULT_PREFIX, *, url: str | None = None) -> None:
        self.client = client
        self.prefix = prefix
        self.url = url

    def actions(self, report: Report) -> list[dict[str, Any]]:
        """The bulk actions for ``report`` (pure; tests read them)."""
        findings_index = layout.findings_index(self.prefix)
        metrics_index = layout.metrics_index(self.prefix)
        actions: list[dict[str, Any]] = []
        for doc in report.finding_documents():
            body = {k: v for k, v in doc.items() if k != "id"}
            actions.append({"_op_type": "index", "_index": findings_index, "_id": doc["id"], "_source": body})
        for metric in report.metrics:
            doc_id = metric_id(report.model, report.start, report.end, str(metric["feature"]))
            actions.append({"_op_type": "index", "_index": metrics_index, "_id": doc_id, "_source": _nested(metric)})
        return actions

    def write(self, report: Report) -> None:
        """Index the report's documents and drop that window's findings the rerun no longer has."""
        actions = self.actions(report)
        findings_index = layout.findings_index(self.prefix)
        keep = {a["_id"] for a in actions if a["_index"] == findings_index}
        with backend_errors(self.url):
            stale = self._window_finding_ids(report) - keep
            actions += [{"_op_type": "delete", "_index": findings_index, "_id": i} for i in sorted(stale)]
            if not actions:
                return
            ok, errors = helpers.bulk(self.client, actions, raise_on_error=False, refresh="wait_for")
            problems = [e for e in errors if not (isinstance(e, dict) and e.get("delete", {}).get("status") == 404)]
            if problems:
                first = problems[0]
                raise BackendError(f"Elasticsearch refused {len(problems)} findings/metrics document(s), "
                                   f"first: {str(first)[:300]}")

    def _window_finding_ids(self, report: Report) -> set[str]:
        answer = self.client.search(
            index=layout.findings_index(self.prefix), ignore_unavailable=True, allow_no_indices=True,
            size=1000, source=False,
            query={"bool": {"filter": [{"term": {"model": report.model}},
                                       {"term": {"window.start": report.start}},
                                       {"term": {"window.end": report.end}}]}})
        return {hit["_id"] for hit in answer.body.get("hits", {}).get("hits", [])}
