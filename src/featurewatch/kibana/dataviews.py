"""Data views of featurewatch's indices, and the saved search of raw requests."""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import record
from ..es import layout
from ._ids import model_object_id, shared_object_id
from .ndjson import compact_json, reference, saved_object

__all__ = ["DataViews", "data_views", "raw_requests_search", "model_query"]

SEARCH_INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"


@dataclasses.dataclass(frozen=True)
class DataViews:
    """Ids and titles (index patterns) of the three data views."""

    prefix: str

    @property
    def requests_title(self) -> str:
        return layout.requests_pattern(self.prefix)

    @property
    def findings_title(self) -> str:
        return layout.findings_index(self.prefix)

    @property
    def metrics_title(self) -> str:
        return layout.metrics_index(self.prefix)

    @property
    def requests_id(self) -> str:
        return shared_object_id(self.prefix, "data-view/requests")

    @property
    def findings_id(self) -> str:
        return shared_object_id(self.prefix, "data-view/findings")

    @property
    def metrics_id(self) -> str:
        return shared_object_id(self.prefix, "data-view/metrics")


def _data_view(id_: str, title: str, name: str) -> dict[str, Any]:
    attributes = {
        "fieldAttrs": "{}",
        "fieldFormatMap": "{}",
        "fields": "[]",
        "name": name,
        "runtimeFieldMap": "{}",
        "sourceFilters": "[]",
        "timeFieldName": record.TIMESTAMP,
        "title": title,
        "typeMeta": "{}",
    }
    return saved_object("index-pattern", id_, attributes)


def data_views(views: DataViews) -> list[dict[str, Any]]:
    """The requests, findings and metrics data views (time field ``@timestamp``)."""
    return [
        _data_view(views.requests_id, views.requests_title, "featurewatch requests"),
        _data_view(views.findings_id, views.findings_title, "featurewatch findings"),
        _data_view(views.metrics_id, views.metrics_title, "featurewatch metrics"),
    ]


def model_query(model: str) -> str:
    """KQL selecting one model's documents."""
    escaped = model.replace("\\", "\\\\").replace('"', '\\"')
    return f'{record.MODEL} : "{escaped}"'


#: Columns of the raw-requests search in Discover.
SEARCH_COLUMNS = (record.MODEL_VERSION, record.REQUEST_ID, record.LATENCY_MS, record.FEATURES_NULL)


def raw_requests_search(model: str, views: DataViews) -> dict[str, Any]:
    """A Discover saved search of one model's raw requests, newest first."""
    source = {
        "filter": [],
        "highlightAll": True,
        "indexRefName": SEARCH_INDEX_REF,
        "query": {"language": "kuery", "query": model_query(model)},
        "version": True,
    }
    attributes = {
        "columns": list(SEARCH_COLUMNS),
        "description": f"Raw requests of model {model}, newest first.",
        "grid": {},
        "hideChart": False,
        "isTextBasedQuery": False,
        "kibanaSavedObjectMeta": {"searchSourceJSON": compact_json(source)},
        "sort": [[record.TIMESTAMP, "desc"]],
        "title": f"[featurewatch] {model}: raw requests",
    }
    return saved_object("search", model_object_id(model, "search/raw-requests"), attributes,
                        [reference(SEARCH_INDEX_REF, "index-pattern", views.requests_id)])
