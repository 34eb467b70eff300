"""The findings and metrics indices as a findings store, with deterministic ids.

A rerun of ``detect`` for the same window overwrites its documents (``index``
with the same ``_id``) and deletes that window's findings the rerun no
longer has, so the indices never hold duplicates or stale alarms. The
findings index is also the alert state's memory (:mod:`featurewatch.findings.alerts`):
the next run reads the model's previous window back, and ``featurewatch
findings --es`` reads the alert history. Writes wait for a refresh, so the
next run sees them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from elasticsearch import Elasticsearch, helpers

from ..errors import BackendError
from ..findings.documents import WindowDocuments
from . import layout
from .client import backend_errors

__all__ = ["ElasticsearchFindingsStore"]

#: Most documents one window of one model has (checks × features); more are refused, not silently cut.
_MAX_WINDOW_DOCUMENTS = 10_000
_DATE = "strict_date_optional_time"


def _window_query(model: str, start: str, end: str) -> dict[str, Any]:
    return {"bool": {"filter": [{"term": {"model": model}},
                                {"range": {"window.start": {"gte": start, "lte": start, "format": _DATE}}},
                                {"range": {"window.end": {"gte": end, "lte": end, "format": _DATE}}}]}}


class ElasticsearchFindingsStore:
    """Findings in ``<prefix>-findings``, metrics in ``<prefix>-metrics``."""

    def __init__(self, client: Elasticsearch, prefix: str = layout.DEFAULT_PREFIX, *, url: str | None = None) -> None:
        self.client = client
        self.prefix = prefix
        self.url = url

    @property
    def findings_index(self) -> str:
        """``<prefix>-findings``: findings, resolved alerts, and so the alert state."""
        return layout.findings_index(self.prefix)

    @property
    def metrics_index(self) -> str:
        """``<prefix>-metrics``: per window and feature the numbers behind the checks."""
        return layout.metrics_index(self.prefix)

    def actions(self, documents: WindowDocuments) -> list[dict[str, Any]]:
        """The bulk ``index`` actions for ``documents`` (pure; tests read them)."""
        actions = []
        for index, docs in ((self.findings_index, documents.findings), (self.metrics_index, documents.metrics)):
            for doc in docs:
                body = {k: v for k, v in doc.items() if k != "id"}
                actions.append({"_op_type": "index", "_index": index, "_id": doc["id"], "_source": body})
        return actions

    def write_window(self, documents: WindowDocuments) -> None:
        """Index the window's documents and drop that window's findings the rerun no longer has."""
        actions = self.actions(documents)
        keep = {a["_id"] for a in actions if a["_index"] == self.findings_index}
        with backend_errors(self.url):
            stale = self._window_ids(documents.model, documents.start, documents.end) - keep
            actions += [{"_op_type": "delete", "_index": self.findings_index, "_id": i} for i in sorted(stale)]
            if not actions:
                return
            _, errors = helpers.bulk(self.client, actions, raise_on_error=False, refresh="wait_for")
        # Not stats_only: the errors are the failed items, not their count.
        failed = cast("list[Any]", errors)
        problems = [e for e in failed if not (isinstance(e, dict) and e.get("delete", {}).get("status") == 404)]
        if problems:
            raise BackendError(f"Elasticsearch refused {len(problems)} findings/metrics document(s), "
                               f"first: {str(problems[0])[:300]}")

    def previous_window(self, model: str, start: str) -> list[dict[str, Any]]:
        """The documents of ``model``'s latest window that ends at or before ``start``: two searches."""
        with backend_errors(self.url):
            answer = self.client.search(
                index=self.findings_index, ignore_unavailable=True, allow_no_indices=True, size=1,
                # _source takes a list of fields too; the client's annotation has only bool or a mapping.
                source=["window"],  # type: ignore[arg-type]
                sort=[{"window.end": "desc"}, {"window.start": "desc"}],
                query={"bool": {"filter": [{"term": {"model": model}},
                                           {"range": {"window.end": {"lte": start, "format": _DATE}}}]}})
            hits = answer.body.get("hits", {}).get("hits", [])
            if not hits:
                return []
            window = hits[0]["_source"]["window"]
            return [{**hit["_source"], "id": hit["_id"]}
                    for hit in self._search(_window_query(model, window["start"], window["end"]))]

    def window(self, model: str, start: str, end: str) -> list[dict[str, Any]]:
        """The documents of ``model``'s window ``[start, end)`` (bounds compared as dates)."""
        with backend_errors(self.url):
            return [{**hit["_source"], "id": hit["_id"]} for hit in self._search(_window_query(model, start, end))]

    def alert_documents(self, *, model: str | None = None, feature: str | None = None) -> list[dict[str, Any]]:
        """Every document with an ``alert`` matching the filters (scrolled: the history may be long)."""
        filters: list[dict[str, Any]] = [{"exists": {"field": "alert"}}]
        if model is not None:
            filters.append({"term": {"model": model}})
        if feature is not None:
            filters.append({"term": {"feature": feature}})
        with backend_errors(self.url):
            hits = helpers.scan(self.client, index=self.findings_index, query={"query": {"bool": {"filter": filters}}},
                                ignore_unavailable=True, allow_no_indices=True, size=1000)
            return [{**hit["_source"], "id": hit["_id"]} for hit in hits]

    def _window_ids(self, model: str, start: str, end: str) -> set[str]:
        return {hit["_id"] for hit in self._search(_window_query(model, start, end), source=False)}

    def _search(self, query: dict[str, Any], **options: Any) -> Iterator[dict[str, Any]]:
        answer = self.client.search(index=self.findings_index, ignore_unavailable=True, allow_no_indices=True,
                                    size=_MAX_WINDOW_DOCUMENTS, query=query, **options)
        hits = answer.body.get("hits", {})
        total = hits.get("total", {})
        if isinstance(total, dict) and total.get("value", 0) > _MAX_WINDOW_DOCUMENTS:
            raise BackendError(f"more than {_MAX_WINDOW_DOCUMENTS:,} findings in one window of {self.findings_index}")
        yield from hits.get("hits", [])
