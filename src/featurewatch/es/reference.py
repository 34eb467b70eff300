"""A baseline from a reference window already in Elasticsearch (``baseline build --from-es``).

A baseline needs quantile bin edges, category counts and a vocabulary with
its singletons — things aggregations can only approximate — so this is the
one place featurewatch reads documents: a *bounded* scroll (``limit``
records, default 200,000) over the reference window, sorted by ``_doc``,
fed to the same builder as ``--from-logs``. It runs once per baseline, never
in ``detect``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from typing import Any

from elasticsearch import Elasticsearch

from .. import record as R
from ..baseline.build import BaselineOptions
from ..baseline.logs import baseline_from_records
from ..baseline.model import Baseline
from ..window import query_bound
from . import layout
from .client import backend_errors
from .search import scroll

__all__ = ["baseline_from_es", "window_records", "DEFAULT_LIMIT"]

DEFAULT_LIMIT = 200_000
_PAGE = 5_000
_FIELDS = [R.TIMESTAMP, R.MODEL, R.MODEL_VERSION, R.FEATURES, R.FEATURES_PRESENT, R.FEATURES_NULL, R.PREDICTION]


def window_records(client: Elasticsearch, prefix: str, model: str, start: str, end: str,
                   limit: int = DEFAULT_LIMIT, *, url: str | None = None) -> Iterator[dict[str, Any]]:
    """Up to ``limit`` records of ``model`` with ``start <= @timestamp < end`` (scroll, then cleared).

    A page with a failed shard is an error (PartialResults), never a smaller baseline.
    """
    query = {"bool": {"filter": [
        {"term": {R.MODEL: model}},
        {"range": {R.TIMESTAMP: {"gte": start, "lt": end, "format": "strict_date_optional_time"}}},
    ]}}
    for hit in scroll(client, url=url, limit=limit, what=f"reference window of model {model!r}",
                      index=layout.requests_pattern(prefix), query=query, size=min(_PAGE, limit), sort=["_doc"],
                      source_includes=_FIELDS, ignore_unavailable=True, allow_no_indices=True):
        yield hit["_source"]


def baseline_from_es(client: Elasticsearch, prefix: str, options: BaselineOptions, start: _dt.datetime,
                     end: _dt.datetime, *, url: str | None = None, limit: int = DEFAULT_LIMIT) -> Baseline:
    """Build a baseline from at most ``limit`` records of a reference window in Elasticsearch."""
    low, high = query_bound(start), query_bound(end)
    with backend_errors(url):
        records = list(window_records(client, prefix, options.model, low, high, limit, url=url))
    return baseline_from_records(records, options,
                                 source={"elasticsearch": layout.requests_pattern(prefix), "start": low, "end": high,
                                         "records": len(records), "limit": limit},
                                 where=f"in {layout.requests_pattern(prefix)} between {low} and {high}")
