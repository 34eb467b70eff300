"""The findings and metrics indices as a findings store, with deterministic ids.

A rerun of ``detect`` for the same window overwrites its documents (``index``
with the same ``_id``) and deletes that window's findings the rerun no
longer has, so the indices never hold duplicates or stale alarms. The
findings index is also the alert state's memory (:mod:`featurewatch.findings.alerts`):
the next run reads the model's previous window back, and ``featurewatch
findings --es`` reads the alert history. Writes wait for a refresh, so the
next run sees them. :meth:`~ElasticsearchFindingsStore.alert_memories` and
:meth:`~ElasticsearchFindingsStore.write_windows` do the same for many
models' windows in three requests in all (``detect --all-models``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

from elasticsearch import Elasticsearch, helpers

from ..errors import BackendError
from ..findings.documents import WindowDocuments
from . import layout
from .client import backend_errors
from .search import msearch, scroll, search

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
        with backend_errors(self.url):
            stored = self._window_ids(documents.model, documents.start, documents.end)
            self._bulk(self._window_actions(documents, stored))

    def write_windows(self, windows: Sequence[WindowDocuments],
                      recorded: Mapping[str, Sequence[Mapping[str, Any]]] | None = None) -> None:
        """:meth:`write_window` for many models' windows in one bulk request.

        ``recorded`` holds, per model, the documents its window already had
        (from :meth:`alert_memories`); without it they are looked up first
        (one ``_msearch``).
        """
        with backend_errors(self.url):
            if recorded is None:
                found = self._windows_documents([(d.model, d.start, d.end) for d in windows], ids_only=True)
                recorded = {model: docs for (model, _, _), docs in found.items()}
            actions = [a for d in windows
                       for a in self._window_actions(d, {doc["id"] for doc in recorded.get(d.model, [])})]
            self._bulk(actions)

    def alert_memories(self, windows: Sequence[tuple[str, str, str]]) -> dict[str, tuple[list[dict[str, Any]],
                                                                                     list[dict[str, Any]]]]:
        """Per ``(model, start, end)``: the documents of the model's previous window and of this window.

        What :meth:`previous_window` and :meth:`window` give one model, for
        every model at once: two ``_msearch`` requests, whatever their number.
        """
        header = {"index": self.findings_index, "ignore_unavailable": True, "allow_no_indices": True}
        with backend_errors(self.url):
            answers = msearch(self.client, [(header, _latest_window_before(model, start))
                                            for model, start, _ in windows], url=self.url, what=_WHAT)
            previous_windows: list[tuple[str, str, str]] = []
            for (model, _, _), answer in zip(windows, answers):
                hits = _hits(_raised(answer))
                if hits:
                    window = hits[0]["_source"]["window"]
                    previous_windows.append((model, window["start"], window["end"]))
            documents = self._windows_documents([*previous_windows, *windows])
        out = {}
        for model, start, end in windows:
            previous = next((documents[(m, s, e)] for m, s, e in previous_windows if m == model), [])
            out[model] = (previous, documents[(model, start, end)])
        return out

    def _windows_documents(self, windows: Sequence[tuple[str, str, str]], *,
                           ids_only: bool = False) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
        """The documents of each ``(model, start, end)`` window, keyed so: one ``_msearch``."""
        header = {"index": self.findings_index, "ignore_unavailable": True, "allow_no_indices": True}
        extra = {"_source": False} if ids_only else {}
        answers = msearch(self.client, [(header, {"size": _MAX_WINDOW_DOCUMENTS, **extra,
                                                  "query": _window_query(*window)}) for window in windows],
                          url=self.url, what=_WHAT)
        return {window: [{**hit.get("_source", {}), "id": hit["_id"]}
                         for hit in _hits(_raised(answer), self.findings_index)]
                for window, answer in zip(windows, answers)}

    def _window_actions(self, documents: WindowDocuments, stored: set[str]) -> list[dict[str, Any]]:
        actions = self.actions(documents)
        keep = {a["_id"] for a in actions if a["_index"] == self.findings_index}
        return actions + [{"_op_type": "delete", "_index": self.findings_index, "_id": i}
                          for i in sorted(stored - keep)]

    def _bulk(self, actions: list[dict[str, Any]]) -> None:
        """One bulk request for ``actions`` (up to the client's 100 MB a request), waiting for a refresh."""
        if not actions:
            return
        _, errors = helpers.bulk(self.client, actions, raise_on_error=False, refresh="wait_for",
                                 chunk_size=max(500, len(actions)))
        # Not stats_only: the errors are the failed items, not their count.
        failed = cast("list[Any]", errors)
        problems = [e for e in failed if not (isinstance(e, dict) and e.get("delete", {}).get("status") == 404)]
        if problems:
            raise BackendError(f"Elasticsearch refused {len(problems)} findings/metrics document(s), "
                               f"first: {str(problems[0])[:300]}")

    def previous_window(self, model: str, start: str) -> list[dict[str, Any]]:
        """The documents of ``model``'s latest window that ends at or before ``start``: two searches."""
        with backend_errors(self.url):
            answer = search(self.client, url=self.url, what=_WHAT, index=self.findings_index,
                            ignore_unavailable=True, allow_no_indices=True, **_latest_window_before(model, start))
            hits = answer.get("hits", {}).get("hits", [])
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
            hits = scroll(self.client, url=self.url, what="search of the findings index", index=self.findings_index,
                          query={"bool": {"filter": filters}}, sort=["_doc"], size=1000, ignore_unavailable=True,
                          allow_no_indices=True)
            return [{**hit["_source"], "id": hit["_id"]} for hit in hits]

    def _window_ids(self, model: str, start: str, end: str) -> set[str]:
        return {hit["_id"] for hit in self._search(_window_query(model, start, end), source=False)}

    def _search(self, query: dict[str, Any], **options: Any) -> Iterator[dict[str, Any]]:
        answer = search(self.client, url=self.url, what=_WHAT, index=self.findings_index,
                        ignore_unavailable=True, allow_no_indices=True, size=_MAX_WINDOW_DOCUMENTS, query=query,
                        **options)
        yield from _hits(answer, self.findings_index)


_WHAT = "search of the findings index"


def _latest_window_before(model: str, start: str) -> dict[str, Any]:
    """The search for the window of ``model`` that ended last at or before ``start``."""
    return {"size": 1, "_source": ["window"], "sort": [{"window.end": "desc"}, {"window.start": "desc"}],
            "query": {"bool": {"filter": [{"term": {"model": model}},
                                          {"range": {"window.end": {"lte": start, "format": _DATE}}}]}}}


def _raised(answer: dict[str, Any] | BackendError) -> dict[str, Any]:
    if isinstance(answer, BackendError):
        raise answer
    return answer


def _hits(answer: Mapping[str, Any], index: str | None = None) -> list[dict[str, Any]]:
    """The hits of a window search; more than one window can hold is refused, never cut."""
    hits = answer.get("hits", {})
    total = hits.get("total", {})
    # Totals are counted up to 10,000 by default: "gte" means at least that many.
    if index is not None and isinstance(total, Mapping) and (
            total.get("value", 0) > _MAX_WINDOW_DOCUMENTS
            or (total.get("relation") == "gte" and total.get("value", 0) >= _MAX_WINDOW_DOCUMENTS)):
        raise BackendError(f"more than {_MAX_WINDOW_DOCUMENTS:,} findings in one window of {index}")
    return list(hits.get("hits", []))
