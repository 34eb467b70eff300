"""Reading back what ``detect --es`` wrote: a model's metrics and findings documents over a span of time.

The report draws its "over time" charts from these (the same documents the
metrics and findings files hold locally). Both indices are scrolled, filtered
by model and by window end; absent indices read as empty (no run has
written there yet).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from elasticsearch import Elasticsearch

from ..window import format_bound
from . import layout
from .client import backend_errors
from .search import scroll

__all__ = ["search_history", "FINDING_SOURCE"]

#: The findings fields the history needs (the rest of a finding is not read).
FINDING_SOURCE = ["model", "window", "feature", "severity", "alert"]


def search_history(client: Elasticsearch, prefix: str, model: str, since: _dt.datetime, until: _dt.datetime, *,
                   url: str | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``(metrics, findings)`` documents of ``model``'s windows that end in ``(since, until]``."""
    query = {"bool": {"filter": [
        {"term": {"model": model}},
        {"range": {"window.end": {"gt": format_bound(since), "lte": format_bound(until),
                                  "format": "strict_date_optional_time"}}}]}}
    with backend_errors(url):
        # Scrolled with every page checked: a failed shard is an error, never a history with gaps.
        metrics = [hit["_source"] for hit in scroll(
            client, url=url, what="search of the metrics index", index=layout.metrics_index(prefix), query=query,
            sort=["_doc"], size=1000, ignore_unavailable=True, allow_no_indices=True)]
        findings = [hit["_source"] for hit in scroll(
            client, url=url, what="search of the findings index", index=layout.findings_index(prefix),
            query=query, source=FINDING_SOURCE, sort=["_doc"], size=1000, ignore_unavailable=True,
            allow_no_indices=True)]
    return metrics, findings
