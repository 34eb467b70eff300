"""Offline checks of a saved-objects NDJSON file.

Kibana's import accepts a great deal it cannot display: a dashboard panel
pointing at a Lens object that is not there, a chart on a field the index
does not have or cannot aggregate, a visualization whose accessors name
columns its layer lacks. :func:`validate` finds those before a user does.
It is a pure function: the lines of a file and the mappings of the indices
behind each data view in, a list of problems out (empty when all is well).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ._stamps import CORE_MIGRATION_VERSION, TYPE_MIGRATION_VERSIONS
from .dashboards import GRID_WIDTH
from .lens import RECORDS_FIELD, layer_reference_name
from .mappings import CONFLICT, FieldTypes
from .ndjson import compact_json, parse_lines

__all__ = ["validate", "AGGREGATABLE_TYPES", "NUMERIC_TYPES"]

NUMERIC_TYPES = frozenset({"long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float",
                           "unsigned_long"})
DATE_TYPES = frozenset({"date", "date_nanos"})
#: Types Elasticsearch can aggregate on (doc values); ``text`` is not one of them.
AGGREGATABLE_TYPES = NUMERIC_TYPES | DATE_TYPES | frozenset(
    {"keyword", "constant_keyword", "boolean", "ip", "version", "wildcard"})

_KEYS = {"attributes", "coreMigrationVersion", "id", "references", "type", "typeMigrationVersion"}
_OPTIONAL_KEYS = {"managed", "namespaces", "originId", "created_at", "updated_at", "version"}
#: Dashboard attributes Kibana's schema knows; it refuses any other on import.
_DASHBOARD_ATTRIBUTES = {"title", "description", "kibanaSavedObjectMeta", "timeRestore", "timeFrom", "timeTo",
                         "refreshInterval", "controlGroupInput", "panelsJSON", "optionsJSON", "hits", "version"}
_BUCKET_OPERATIONS = {"date_histogram", "terms"}
_NUMERIC_OPERATIONS = {"average", "sum", "median", "percentile", "standard_deviation"}
_KQL_FIELD = re.compile(r'(?:^|[\s(])"?([A-Za-z_@][\w.@-]*)"?\s*:')

Objects = dict[tuple[str, str], dict[str, Any]]


def _data_type(es_type: str) -> str:
    if es_type in NUMERIC_TYPES:
        return "number"
    if es_type in DATE_TYPES:
        return "date"
    if es_type == "boolean":
        return "boolean"
    return "string"


class _Checker:
    def __init__(self, mappings: Mapping[str, Mapping[str, str]]) -> None:
        self.mappings = mappings
        self.problems: list[str] = []
        self.objects: Objects = {}

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    # -- lines and references -------------------------------------------------
    def read(self, number: int, line: str) -> None:
        where = f"line {number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            self.add(where, f"not JSON ({exc.msg})")
            return
        if not isinstance(obj, dict):
            self.add(where, "not a JSON object")
            return
        missing, unknown = _KEYS - obj.keys(), obj.keys() - _KEYS - _OPTIONAL_KEYS
        if missing or unknown:
            self.add(where, f"keys missing {sorted(missing)} / unknown {sorted(unknown)}")
            return
        type_, id_ = obj["type"], obj["id"]
        where = f"{type_} {id_}"
        if type_ not in TYPE_MIGRATION_VERSIONS:
            self.add(where, f"unsupported type {type_!r}")
            return
        if obj["coreMigrationVersion"] != CORE_MIGRATION_VERSION:
            self.add(where, f"coreMigrationVersion {obj['coreMigrationVersion']!r}, "
                            f"expected {CORE_MIGRATION_VERSION!r}")
        if obj["typeMigrationVersion"] != TYPE_MIGRATION_VERSIONS[type_]:
            self.add(where, f"typeMigrationVersion {obj['typeMigrationVersion']!r}, expected "
                            f"{TYPE_MIGRATION_VERSIONS[type_]!r} (imports on Kibana 8.18 to 9.x)")
        if line != compact_json(obj):
            self.add(where, "not in canonical form (sorted keys, no spaces)")
        if (type_, id_) in self.objects:
            self.add(where, "duplicate id")
        refs = obj["references"]
        if not isinstance(refs, list) or not all(
                isinstance(r, dict) and set(r) == {"id", "name", "type"} for r in refs):
            self.add(where, "references must be a list of {id, name, type}")
            obj["references"] = []
        names = [r["name"] for r in obj["references"]]
        if len(names) != len(set(names)):
            self.add(where, "duplicate reference names")
        self.objects[(type_, id_)] = obj

    def resolve_references(self) -> None:
        for (type_, id_), obj in self.objects.items():
            for ref in obj["references"]:
                if (ref["type"], ref["id"]) not in self.objects:
                    self.add(f"{type_} {id_}", f"reference {ref['name']!r} to missing {ref['type']} {ref['id']}")

    def reference(self, obj: dict[str, Any], name: str) -> dict[str, str] | None:
        return next((r for r in obj["references"] if r["name"] == name), None)

    # -- fields ----------------------------------------------------------------
    def fields_of(self, where: str, data_view_id: str) -> FieldTypes | None:
        view = self.objects.get(("index-pattern", data_view_id))
        if view is None:
            return None  # reported as a missing reference
        title = view["attributes"].get("title")
        if title not in self.mappings:
            self.add(where, f"no mappings known for data view {title!r}")
            return None
        return dict(self.mappings[title])

    def field(self, where: str, fields: FieldTypes, name: str, *, aggregatable: bool = True) -> str | None:
        kind = fields.get(name)
        if kind is None:
            self.add(where, f"field {name!r} does not exist in the mappings")
        elif kind == CONFLICT:
            self.add(where, f"field {name!r} has conflicting types across indices")
            return None
        elif aggregatable and kind not in AGGREGATABLE_TYPES:
            self.add(where, f"field {name!r} has type {kind!r}, which cannot be aggregated")
        return kind

    def query_fields(self, where: str, fields: FieldTypes, query: Any) -> None:
        text = query.get("query", "") if isinstance(query, dict) else ""
        for name in _KQL_FIELD.findall(text if isinstance(text, str) else ""):
            self.field(where, fields, name, aggregatable=False)

    # -- per type ------------------------------------------------------------
    def data_view(self, where: str, obj: dict[str, Any]) -> None:
        attributes = obj["attributes"]
        if not attributes.get("title"):
            self.add(where, "data view has no title")
            return
        fields = self.fields_of(where, obj["id"])
        time_field = attributes.get("timeFieldName")
        if fields is not None and time_field and self.field(where, fields, time_field) not in DATE_TYPES | {None}:
            self.add(where, f"time field {time_field!r} is not a date")

    def search(self, where: str, obj: dict[str, Any]) -> None:
        attributes = obj["attributes"]
        try:
            source = json.loads(attributes["kibanaSavedObjectMeta"]["searchSourceJSON"])
        except (KeyError, TypeError, json.JSONDecodeError):
            self.add(where, "searchSourceJSON missing or not JSON")
            return
        ref = self.reference(obj, source.get("indexRefName", ""))
        if ref is None or ref["type"] != "index-pattern":
            self.add(where, f"indexRefName {source.get('indexRefName')!r} names no data-view reference")
            return
        fields = self.fields_of(where, ref["id"])
        if fields is None:
            return
        for column in attributes.get("columns", []):
            self.field(where, fields, column, aggregatable=False)
        for sort in attributes.get("sort", []):
            self.field(where, fields, sort[0])
        self.query_fields(where, fields, source.get("query"))

    def lens(self, where: str, obj: dict[str, Any]) -> None:
        attributes = obj["attributes"]
        state = attributes.get("state", {})
        layers = state.get("datasourceStates", {}).get("formBased", {}).get("layers")
        if not isinstance(layers, dict) or not layers:
            self.add(where, "no formBased datasource layers")
            return
        fields_by_layer: dict[str, FieldTypes | None] = {}
        for layer_id, layer in layers.items():
            ref = self.reference(obj, layer_reference_name(layer_id))
            if ref is None or ref["type"] != "index-pattern":
                self.add(where, f"layer {layer_id} has no data-view reference")
                fields_by_layer[layer_id] = None
                continue
            fields_by_layer[layer_id] = fields = self.fields_of(where, ref["id"])
            self.lens_layer(f"{where} layer {layer_id}", layer, fields)
            if fields is not None:
                self.query_fields(where, fields, state.get("query"))
        kind = attributes.get("visualizationType")
        visualization = state.get("visualization", {})
        if kind == "lnsXY":
            self.xy(where, visualization, layers)
        elif kind == "lnsDatatable":
            self.datatable(where, visualization, layers)
        else:
            self.add(where, f"visualizationType {kind!r} is not checked by this validator")

    def lens_layer(self, where: str, layer: dict[str, Any], fields: FieldTypes | None) -> None:
        columns = layer.get("columns", {})
        order = layer.get("columnOrder", [])
        if sorted(order) != sorted(columns):
            self.add(where, "columnOrder and columns disagree")
        seen_metric = False
        for column_id in order:
            column = columns.get(column_id, {})
            if column.get("isBucketed"):
                if seen_metric:
                    self.add(where, f"bucket column {column_id} comes after a metric in columnOrder")
            else:
                seen_metric = True
        for column_id, column in columns.items():
            self.lens_column(f"{where} column {column_id}", column, columns, fields)

    def lens_column(self, where: str, column: dict[str, Any], columns: dict[str, Any],
                    fields: FieldTypes | None) -> None:
        operation = column.get("operationType")
        bucketed = operation in _BUCKET_OPERATIONS
        if column.get("isBucketed") is not bucketed:
            self.add(where, f"isBucketed must be {bucketed} for {operation}")
        params = column.get("params", {})
        order = params.get("orderBy", {})
        if order.get("type") == "column":
            ranked = columns.get(order.get("columnId"))
            if ranked is None:
                self.add(where, f"orders by missing column {order.get('columnId')}")
            elif ranked.get("isBucketed"):
                self.add(where, "orders by a bucket column, not a metric")
            elif ranked.get("operationType") == "last_value" and ranked.get("params", {}).get("showArrayValues"):
                self.add(where, "orders by a last_value column that shows array values (top_hits cannot rank)")
        source = column.get("sourceField")
        if fields is None:
            return
        if operation == "count" and source == RECORDS_FIELD:
            return
        names = [source, *params.get("secondaryFields", [])]
        if operation == "last_value":
            sort_type = self.field(where, fields, params.get("sortField", ""))
            if sort_type is not None and sort_type not in DATE_TYPES:
                self.add(where, f"last_value sorts by {params.get('sortField')!r}, which is not a date")
        for name in names:
            kind = self.field(where, fields, name) if isinstance(name, str) else None
            if kind is None or kind not in AGGREGATABLE_TYPES:
                continue
            if operation == "date_histogram" and kind not in DATE_TYPES:
                self.add(where, f"date_histogram on {name!r}, which is {kind!r}, not a date")
            if operation in _NUMERIC_OPERATIONS and kind not in NUMERIC_TYPES:
                self.add(where, f"{operation} on {name!r}, which is {kind!r}, not a number")
            if operation in {"max", "min"} and kind not in NUMERIC_TYPES | DATE_TYPES:
                self.add(where, f"{operation} on {name!r}, which is {kind!r}")
            if name == source and operation in {"terms", "last_value"} and column.get("dataType") != _data_type(kind):
                self.add(where, f"dataType {column.get('dataType')!r} does not fit {name!r} of type {kind!r}")

    def xy(self, where: str, visualization: dict[str, Any], layers: dict[str, Any]) -> None:
        used: set[str] = set()
        for vis_layer in visualization.get("layers", []):
            layer_id = vis_layer.get("layerId")
            if vis_layer.get("layerType", "data") != "data":
                continue
            if layer_id not in layers:
                self.add(where, f"visualization layer {layer_id} has no datasource layer")
                continue
            used.add(layer_id)
            columns = layers[layer_id].get("columns", {})
            accessors = list(vis_layer.get("accessors", []))
            buckets = [vis_layer[k] for k in ("xAccessor", "splitAccessor") if vis_layer.get(k)]
            if not accessors:
                self.add(where, f"visualization layer {layer_id} has no accessors")
            for accessor in accessors + buckets:
                if accessor not in columns:
                    self.add(where, f"accessor {accessor} is not a column of layer {layer_id}")
            for accessor in accessors:
                if columns.get(accessor, {}).get("isBucketed"):
                    self.add(where, f"y accessor {accessor} is a bucket column")
            for accessor in buckets:
                if accessor in columns and not columns[accessor].get("isBucketed"):
                    self.add(where, f"x/split accessor {accessor} is not a bucket column")
            unused = set(columns) - set(accessors) - set(buckets)
            if unused:
                self.add(where, f"columns {sorted(unused)} of layer {layer_id} are not shown by the visualization")
        for layer_id in set(layers) - used:
            self.add(where, f"datasource layer {layer_id} is not used by the visualization")

    def datatable(self, where: str, visualization: dict[str, Any], layers: dict[str, Any]) -> None:
        layer_id = visualization.get("layerId")
        if layer_id not in layers or len(layers) != 1:
            self.add(where, f"table layer {layer_id} does not match the datasource layers")
            return
        columns = layers[layer_id].get("columns", {})
        shown = [c.get("columnId") for c in visualization.get("columns", [])]
        if sorted(shown) != sorted(columns):
            self.add(where, f"table columns {sorted(set(shown) ^ set(columns))} are not both in the layer and shown")
        sorting = visualization.get("sorting", {}).get("columnId")
        if sorting is not None and sorting not in columns:
            self.add(where, f"sorts by missing column {sorting}")

    def dashboard(self, where: str, obj: dict[str, Any]) -> None:
        attributes = obj["attributes"]
        unknown = set(attributes) - _DASHBOARD_ATTRIBUTES
        if unknown:
            self.add(where, f"attributes Kibana does not accept: {sorted(unknown)}")
        if attributes.get("timeRestore") and not (attributes.get("timeFrom") and attributes.get("timeTo")):
            self.add(where, "timeRestore without timeFrom/timeTo")
        try:
            panels = json.loads(attributes.get("panelsJSON", "[]"))
        except json.JSONDecodeError:
            self.add(where, "panelsJSON is not JSON")
            return
        indexes: set[str] = set()
        used: set[str] = set()
        for panel in panels:
            index = panel.get("panelIndex")
            grid = panel.get("gridData", {})
            if index in indexes:
                self.add(where, f"duplicate panel {index}")
            indexes.add(index)
            if grid.get("i") != index or grid.get("x", 0) + grid.get("w", 0) > GRID_WIDTH:
                self.add(where, f"panel {index} has bad gridData {grid}")
            name = f"{index}:{panel.get('panelRefName')}"
            ref = self.reference(obj, name)
            if panel.get("panelRefName") is None or ref is None:
                self.add(where, f"panel {index} has no reference {name!r}")
                continue
            used.add(name)
            if ref["type"] != panel.get("type"):
                self.add(where, f"panel {index} is a {panel.get('type')} but references a {ref['type']}")
        for ref in obj["references"]:
            if ref["name"] not in used:
                self.add(where, f"reference {ref['name']!r} is used by no panel")


def validate(lines: bytes | str | Iterable[str], mappings: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Problems of a saved-objects NDJSON file; an empty list means it is sound.

    ``lines``: the file's bytes or text, or its lines. ``mappings``: for each
    data view title (index pattern), ``{field: Elasticsearch type}`` of the
    indices behind it — :func:`~featurewatch.kibana.mappings.flatten_mapping`
    of a ``GET <pattern>/_mapping`` answer, or
    :func:`~featurewatch.kibana.mappings.contract_mappings` offline.
    """
    checker = _Checker(mappings)
    for number, line in enumerate(parse_lines(lines), start=1):
        checker.read(number, line)
    checker.resolve_references()
    handlers = {"index-pattern": checker.data_view, "search": checker.search, "lens": checker.lens,
                "dashboard": checker.dashboard}
    for (type_, id_), obj in checker.objects.items():
        handlers[type_](f"{type_} {id_} ({obj['attributes'].get('title', '')})", obj)
    return checker.problems
