"""Where a window's documents are kept: the protocol, and the local findings and metrics files.

A :class:`FindingsStore` is also the alert state's memory: the next run asks
it for the model's previous window (:mod:`.alerts`), and ``featurewatch
findings`` asks it for the alert history (:mod:`.history`). The
Elasticsearch findings and metrics indices implement the same protocol
(:class:`featurewatch.es.sinks.ElasticsearchFindingsStore`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import Any, Protocol

from .. import record as R
from .documents import WindowDocuments
from .jsonl import WindowFile

__all__ = ["FindingsStore", "JsonlFindingsFile", "JsonlMetricsFile", "previous_window", "alert_documents"]


class FindingsStore(Protocol):
    """Keeps each window's finding documents; a rerun of a window replaces that window's documents."""

    def previous_window(self, model: str, start: str) -> list[dict[str, Any]]:
        """The documents of ``model``'s latest window that ends at or before ``start`` (empty: none)."""
        ...

    def window(self, model: str, start: str, end: str) -> list[dict[str, Any]]:
        """The documents the store holds for ``model``'s window ``[start, end)`` (from an earlier run)."""
        ...

    def write_window(self, documents: WindowDocuments) -> None:
        """Store ``documents``, replacing whatever the store held for that model and window."""
        ...

    def alert_documents(self, *, model: str | None = None, feature: str | None = None) -> list[dict[str, Any]]:
        """Every document carrying an ``alert`` (of ``model``, of ``feature`` when given)."""
        ...


def _moment(text: Any) -> _dt.datetime | None:
    try:
        return R.parse_timestamp(str(text))
    except ValueError:
        return None


def previous_window(docs: Iterable[dict[str, Any]], model: str, start: str) -> list[dict[str, Any]]:
    """Among ``docs``, those of ``model``'s latest window ending at or before ``start`` (pure)."""
    bound = _moment(start)
    best: tuple[_dt.datetime, _dt.datetime] | None = None
    chosen: list[dict[str, Any]] = []
    for doc in docs:
        window = doc.get("window") or {}
        end, begin = _moment(window.get("end")), _moment(window.get("start"))
        if doc.get("model") != model or end is None or begin is None or bound is None or end > bound:
            continue
        if best is None or (end, begin) > best:
            best, chosen = (end, begin), [doc]
        elif (end, begin) == best:
            chosen.append(doc)
    return chosen


def alert_documents(docs: Iterable[dict[str, Any]], *, model: str | None = None,
                    feature: str | None = None) -> list[dict[str, Any]]:
    """Among ``docs``, those with an ``alert`` that match the filters (pure)."""
    return [doc for doc in docs if doc.get("alert") and (model is None or doc.get("model") == model)
            and (feature is None or doc.get("feature") == feature)]


class JsonlFindingsFile(WindowFile):
    """The findings file (``detect --findings-file``): one finding document per line, in window order."""

    kind = "findings file"

    def previous_window(self, model: str, start: str) -> list[dict[str, Any]]:
        return previous_window(self.read(), model, start)

    def window(self, model: str, start: str, end: str) -> list[dict[str, Any]]:
        return [doc for doc in self.read() if doc.get("model") == model and doc.get("window") == {"start": start,
                                                                                                  "end": end}]

    def write_window(self, documents: WindowDocuments) -> None:
        self.replace_window(documents.model, documents.start, documents.end, documents.findings)

    def alert_documents(self, *, model: str | None = None, feature: str | None = None) -> list[dict[str, Any]]:
        return alert_documents(self.read(), model=model, feature=feature)


class JsonlMetricsFile(WindowFile):
    """The metrics file (``detect --metrics-file``): per window and feature the metrics-index document."""

    kind = "metrics file"

    def write_window(self, documents: WindowDocuments) -> None:
        self.replace_window(documents.model, documents.start, documents.end, documents.metrics)
