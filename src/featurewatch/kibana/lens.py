"""Lens (``formBased`` datasource) visualizations: columns, layers, saved objects.

A Lens object has one or more datasource layers, each a set of columns keyed
by column id with a ``columnOrder`` (bucket columns first, so they nest in
that order: an XY chart's breakdown before its date histogram, so the top
values are chosen over the whole time range), and a visualization state that refers to those columns by id
(``xAccessor``, ``splitAccessor``, ``accessors`` for XY charts; ``columns``
for tables). Each layer references its data view through a reference named
``indexpattern-datasource-layer-<layerId>``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ._ids import stable_id
from .ndjson import reference, saved_object

__all__ = [
    "RECORDS_FIELD",
    "date_histogram",
    "count",
    "metric",
    "percentile",
    "terms",
    "last_value",
    "XYChart",
    "Table",
    "layer_reference_name",
]

#: The pseudo-field Lens counts documents with.
RECORDS_FIELD = "___records___"


def date_histogram(field: str = "@timestamp", label: str = "@timestamp") -> dict[str, Any]:
    """Buckets of time on ``field``, interval chosen by Kibana from the time range."""
    return {"dataType": "date", "isBucketed": True, "label": label, "operationType": "date_histogram",
            "params": {"dropPartials": False, "includeEmptyRows": True, "interval": "auto"},
            "scale": "interval", "sourceField": field}


def count(label: str) -> dict[str, Any]:
    """Number of documents."""
    return {"customLabel": True, "dataType": "number", "isBucketed": False, "label": label,
            "operationType": "count", "params": {"emptyAsNull": True}, "scale": "ratio",
            "sourceField": RECORDS_FIELD}


def metric(operation: str, field: str, label: str) -> dict[str, Any]:
    """A numeric metric (``average``, ``max``, ``min``, ``sum``, ``median``) of ``field``."""
    return {"customLabel": True, "dataType": "number", "isBucketed": False, "label": label,
            "operationType": operation, "params": {"emptyAsNull": True}, "scale": "ratio",
            "sourceField": field}


def percentile(field: str, percent: int, label: str) -> dict[str, Any]:
    """The ``percent``-th percentile of ``field``."""
    return {"customLabel": True, "dataType": "number", "isBucketed": False, "label": label,
            "operationType": "percentile", "params": {"percentile": percent}, "scale": "ratio",
            "sourceField": field}


def terms(field: str, label: str, *, order_by: str, size: int, data_type: str = "string",
          secondary: tuple[str, ...] = (), include: tuple[str, ...] = (), other_bucket: bool = True) -> dict[str, Any]:
    """Top ``size`` values of ``field`` (and of ``secondary`` fields: multi-terms), ordered by a column."""
    params: dict[str, Any] = {
        "exclude": [], "excludeIsRegex": False, "include": list(include), "includeIsRegex": False,
        "missingBucket": False, "orderBy": {"columnId": order_by, "type": "column"},
        "orderDirection": "desc", "otherBucket": other_bucket,
        "parentFormat": {"id": "multi_terms" if secondary else "terms"}, "size": size,
    }
    if secondary:
        params["secondaryFields"] = list(secondary)
    return {"customLabel": True, "dataType": data_type, "isBucketed": True, "label": label,
            "operationType": "terms", "params": params, "scale": "ordinal", "sourceField": field}


def last_value(field: str, label: str, data_type: str, sort_field: str = "@timestamp") -> dict[str, Any]:
    """The value of ``field`` in the latest document (by ``sort_field``).

    ``showArrayValues`` stays off: with it Lens uses a ``top_hits``
    aggregation, by which top values cannot be ranked.
    """
    return {"customLabel": True, "dataType": data_type, "filter": {"language": "kuery", "query": f'"{field}": *'},
            "isBucketed": False, "label": label, "operationType": "last_value",
            "params": {"showArrayValues": False, "sortField": sort_field},
            "scale": "ordinal" if data_type == "string" else "ratio", "sourceField": field}


def layer_reference_name(layer_id: str) -> str:
    """Name of the reference from a Lens layer to its data view."""
    return f"indexpattern-datasource-layer-{layer_id}"


def _ids(object_id: str, keys: list[str]) -> dict[str, str]:
    return {key: stable_id(object_id, "column", key) for key in keys}


def _lens_object(object_id: str, title: str, description: str, visualization_type: str, data_view_id: str,
                 query: str, layer_id: str, columns: dict[str, dict[str, Any]], order: list[str],
                 visualization: dict[str, Any]) -> dict[str, Any]:
    layer = {"columnOrder": order, "columns": columns, "incompleteColumns": {}, "sampling": 1}
    state = {
        "adHocDataViews": {},
        "datasourceStates": {"formBased": {"layers": {layer_id: layer}}},
        "filters": [],
        "internalReferences": [],
        "query": {"language": "kuery", "query": query},
        "visualization": visualization,
    }
    attributes = {"description": description, "state": state, "title": title,
                  "visualizationType": visualization_type}
    return saved_object("lens", object_id, attributes,
                        [reference(layer_reference_name(layer_id), "index-pattern", data_view_id)])


@dataclasses.dataclass(frozen=True)
class XYChart:
    """A one-layer XY chart: time on x, one or more metrics, optionally split by a bucket column.

    The split (breakdown) column comes first in ``columnOrder``, above the
    date histogram: a terms split then shows the top values of the whole
    range in every time bucket, as Kibana's own editor builds it.

    ``columns`` maps readable keys to column definitions; ``x``, ``split`` and
    ``metrics`` name those keys. Column ids are derived from the object id and
    the key, so they are stable too.
    """

    object_id: str
    title: str
    data_view_id: str
    columns: dict[str, dict[str, Any]]
    x: str
    metrics: tuple[str, ...]
    split: str | None = None
    series_type: str = "line"
    query: str = ""
    description: str = ""
    y_title: str | None = None

    def saved_object(self) -> dict[str, Any]:
        """The ``lens`` saved object."""
        ids = _ids(self.object_id, list(self.columns))
        layer_id = stable_id(self.object_id, "layer")
        # The breakdown nests above the date histogram: its terms are then the top N of the whole time
        # range, one stable set of series, not a new top N in every time bucket.
        buckets = ([self.split] if self.split else []) + [self.x]
        order = [ids[key] for key in buckets + list(self.metrics)]
        layer: dict[str, Any] = {"accessors": [ids[m] for m in self.metrics], "layerId": layer_id,
                                 "layerType": "data", "seriesType": self.series_type, "xAccessor": ids[self.x]}
        if self.split:
            layer["splitAccessor"] = ids[self.split]
        visibility = {"x": True, "yLeft": True, "yRight": True}
        visualization: dict[str, Any] = {
            "axisTitlesVisibilitySettings": {"x": False, "yLeft": True, "yRight": True},
            "fittingFunction": "None",
            "gridlinesVisibilitySettings": dict(visibility),
            "labelsOrientation": {"x": 0, "yLeft": 0, "yRight": 0},
            "layers": [layer],
            "legend": {"isVisible": True, "position": "right"},
            "preferredSeriesType": self.series_type,
            "tickLabelsVisibilitySettings": dict(visibility),
            "valueLabels": "hide",
        }
        if self.y_title:
            visualization["yTitle"] = self.y_title
        columns = {ids[key]: _resolve(column, ids) for key, column in self.columns.items()}
        return _lens_object(self.object_id, self.title, self.description, "lnsXY", self.data_view_id,
                            self.query, layer_id, columns, order, visualization)


@dataclasses.dataclass(frozen=True)
class Table:
    """A one-layer data table: bucket rows (in order) and metric columns, sorted by one column."""

    object_id: str
    title: str
    data_view_id: str
    columns: dict[str, dict[str, Any]]
    rows: tuple[str, ...]
    metrics: tuple[str, ...]
    sort_by: str
    query: str = ""
    description: str = ""

    def saved_object(self) -> dict[str, Any]:
        """The ``lens`` saved object."""
        ids = _ids(self.object_id, list(self.columns))
        layer_id = stable_id(self.object_id, "layer")
        order = [ids[key] for key in list(self.rows) + list(self.metrics)]
        visualization = {
            "columns": [{"columnId": column_id, "isTransposed": False} for column_id in order],
            "layerId": layer_id,
            "layerType": "data",
            "sorting": {"columnId": ids[self.sort_by], "direction": "desc"},
        }
        columns = {ids[key]: _resolve(column, ids) for key, column in self.columns.items()}
        return _lens_object(self.object_id, self.title, self.description, "lnsDatatable", self.data_view_id,
                            self.query, layer_id, columns, order, visualization)


def _resolve(column: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """Replace a terms column's ``orderBy`` key by the id of the column it names."""
    params = column.get("params", {})
    order = params.get("orderBy", {})
    if order.get("type") == "column" and order.get("columnId") in ids:
        params = {**params, "orderBy": {**order, "columnId": ids[order["columnId"]]}}
        return {**column, "params": params}
    return column
