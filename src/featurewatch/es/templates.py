"""Index templates and mappings: pure data, built from :mod:`featurewatch.es.layout`.

Mapping decisions for the requests indices (``<prefix>-requests-*``), the
type-stable layout of :mod:`featurewatch.es.layout`:

* ``features``, ``prediction`` and ``error`` — ``enabled: false``: kept in ``_source``
  (Discover shows the record as logged) and never parsed, so no value of any
  type can get a document rejected or map a field by its first value.
* ``values.number.*`` → ``double``, ``values.string.*`` → ``keyword``
  (``ignore_above`` 1024), ``values.boolean.*`` → ``boolean``; the same for
  ``prediction_value.*``. The shipper writes each value into the field of its
  JSON type, so these mappings cannot vary between daily indices, models or
  values.
* ``types.*`` and ``prediction_type`` — keyword lists of feature names by
  JSON type; ``features_present`` / ``features_null`` — keyword lists. One
  ``terms`` aggregation each counts presence, nulls and every type of every
  feature.
* ``subobjects: false`` on every container whose children are feature names
  (``values.*``, ``tokens``, ``text_tokens``, ``text_chars``) where the
  cluster supports it (Elasticsearch ≥ 8.3), so a feature ``a.b`` is one leaf
  field. Field names are the same either way; only a feature named both
  ``a`` and ``a.b`` needs it.
* ``tokens.*`` → keyword, ``text_tokens.*``/``text_chars.*`` → long: the
  per-record token fields of text features.
* Everything else that is dynamic: strings → keyword, never ``text``;
  ``date_detection`` and ``numeric_detection`` off.
* ``index.mapping.total_fields.limit`` is 2000 (the default is 1000), counted
  over every model shipping into the same daily index: a feature maps one
  value field per JSON type it arrives in (usually one), a text feature three
  token fields more. Room for several hundred features, while still stopping
  a runaway record with thousands of distinct keys (such a record is
  rejected and dead-lettered, with the limit named).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

from .. import record as R
from . import layout
from .layout import CHARS_FIELD, LENGTH_FIELD, TOKENS_FIELD

__all__ = [
    "TEMPLATE_VERSION",
    "TOTAL_FIELDS_LIMIT",
    "KEYWORD_IGNORE_ABOVE",
    "index_templates",
    "requests_template",
    "findings_mappings",
    "metrics_mappings",
    "fixed_indices",
    "checksum",
]

#: Bump when a mapping changes; ``setup`` then updates the installed template.
TEMPLATE_VERSION = 2  # 2: the type-stable layout (layout.LAYOUT_VERSION)
TOTAL_FIELDS_LIMIT = 2000
KEYWORD_IGNORE_ABOVE = layout.KEYWORD_LIMIT

_KEYWORD = {"type": "keyword", "ignore_above": KEYWORD_IGNORE_ABOVE}
_DOUBLE = {"type": "double", "coerce": False}


def _leaves(subobjects: bool) -> dict[str, Any]:
    """An object whose children are feature names (mapped by the dynamic templates; dotted names are leaves)."""
    node: dict[str, Any] = {"type": "object"}
    if subobjects:
        node["subobjects"] = False
    return node


def requests_template(prefix: str = layout.DEFAULT_PREFIX, *, subobjects: bool = True) -> dict[str, Any]:
    """Composable index template body for the daily requests indices."""
    by_type = {"number": dict(_DOUBLE), "string": dict(_KEYWORD), "boolean": {"type": "boolean"}}
    # Each rule names the JSON type it maps, so an intermediate object (a dotted name where
    # subobjects: false is not available) is never mapped as a leaf.
    leaves = [(f"values_{kind}", layout.value_field(kind, "*"), json_type, mapping)
              for kind, mapping in by_type.items()
              for json_type in (("long", "double") if kind == "number" else (kind,))]
    leaves += [("tokens", f"{TOKENS_FIELD}.*", "string", dict(_KEYWORD)),
               ("text_tokens", f"{LENGTH_FIELD}.*", "long", {"type": "long"}),
               ("text_chars", f"{CHARS_FIELD}.*", "long", {"type": "long"})]
    dynamic_templates: list[dict[str, Any]] = [
        {name if json_type not in ("long", "double") else f"{name}_{json_type}":
         {"path_match": path, "match_mapping_type": json_type, "mapping": mapping}}
        for name, path, json_type, mapping in leaves
    ] + [{"other_strings": {"match_mapping_type": "string", "mapping": dict(_KEYWORD)}}]
    mappings = {
        "date_detection": False,
        "numeric_detection": False,
        "dynamic_templates": dynamic_templates,
        "properties": {
            R.TIMESTAMP: {"type": "date"},
            R.SCHEMA: {"type": "integer"},
            R.MODEL: {"type": "keyword"},
            R.MODEL_VERSION: {"type": "keyword"},
            R.REQUEST_ID: {"type": "keyword"},
            R.ROW: {"type": "long"},
            R.LATENCY_MS: {"type": "double"},
            R.FEATURES: {"type": "object", "enabled": False},
            R.PREDICTION: {"type": "object", "enabled": False},
            R.FEATURES_PRESENT: {"type": "keyword"},
            R.FEATURES_NULL: {"type": "keyword"},
            R.ERROR: {"type": "object", "enabled": False},
            layout.ERROR_PRESENT_FIELD: {"type": "boolean"},
            layout.ERROR_TYPE_FIELD: dict(_KEYWORD),
            layout.ERROR_MESSAGE_FIELD: dict(_KEYWORD),
            layout.VALUES_FIELD: {"properties": {kind: _leaves(subobjects) for kind in by_type}},
            layout.TYPES_FIELD: {"properties": {kind: {"type": "keyword"} for kind in layout.JSON_TYPES}},
            layout.PREDICTION_VALUE_FIELD: {"properties": by_type},
            layout.PREDICTION_TYPE_FIELD: {"type": "keyword"},
            TOKENS_FIELD: _leaves(subobjects),
            LENGTH_FIELD: _leaves(subobjects),
            CHARS_FIELD: _leaves(subobjects),
        },
    }
    settings = {
        "index.mapping.ignore_malformed": True,
        "index.mapping.total_fields.limit": TOTAL_FIELDS_LIMIT,
    }
    body: dict[str, Any] = {
        "index_patterns": [layout.requests_pattern(prefix)],
        "priority": 200,
        "template": {"settings": settings, "mappings": mappings},
    }
    return _stamped(body)


def _properties(fields: Mapping[str, str]) -> dict[str, Any]:
    """Nested ``properties`` from dotted field names (``window.start`` → window.properties.start)."""
    properties: dict[str, Any] = {}
    for name, kind in fields.items():
        *parents, leaf = name.split(".")
        node = properties
        for parent in parents:
            node = node.setdefault(parent, {"properties": {}})["properties"]
        node[leaf] = {"type": kind}
    return properties


def _document_mappings(fields: Mapping[str, str]) -> dict[str, Any]:
    # Not strict: later versions add fields. Every field featurewatch writes is in ``fields``; the dynamic
    # templates only catch what a newer writer adds before setup ran, and map each JSON type one way
    # (numbers always double: Elasticsearch would map a first 0.5 as float and a first 3 as long).
    return {
        "date_detection": False,
        "numeric_detection": False,
        "dynamic_templates": [
            {"strings": {"match_mapping_type": "string", "mapping": dict(_KEYWORD)}},
            {"longs": {"match_mapping_type": "long", "mapping": {"type": "double"}}},
            {"doubles": {"match_mapping_type": "double", "mapping": {"type": "double"}}},
            {"booleans": {"match_mapping_type": "boolean", "mapping": {"type": "boolean"}}},
        ],
        "properties": _properties(fields),
    }


def findings_mappings() -> dict[str, Any]:
    """Mappings of the findings index (fields from ``layout.FINDING_FIELDS``)."""
    return _stamped_mappings(_document_mappings(layout.FINDING_FIELDS))


def metrics_mappings() -> dict[str, Any]:
    """Mappings of the metrics index (fields from ``layout.METRIC_FIELDS``)."""
    return _stamped_mappings(_document_mappings(layout.METRIC_FIELDS))


def index_templates(prefix: str = layout.DEFAULT_PREFIX, *, subobjects: bool = True) -> dict[str, dict[str, Any]]:
    """Every index template ``setup`` installs, by template name."""
    return {f"{prefix}-requests": requests_template(prefix, subobjects=subobjects)}


def fixed_indices(prefix: str = layout.DEFAULT_PREFIX) -> dict[str, dict[str, Any]]:
    """Regular (non-daily) indices ``setup`` creates, with their mappings."""
    return {
        layout.findings_index(prefix): findings_mappings(),
        layout.metrics_index(prefix): metrics_mappings(),
    }


def checksum(body: dict[str, Any]) -> str:
    """Stable short hash of a body without its ``_meta`` (so setup can tell "unchanged")."""
    stripped = copy.deepcopy(body)
    stripped.pop("_meta", None)
    if isinstance(stripped.get("template"), dict):
        stripped["template"].get("mappings", {}).pop("_meta", None)
    return hashlib.sha256(orjson.dumps(stripped, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def _stamped(body: dict[str, Any]) -> dict[str, Any]:
    meta = {"managed_by": "featurewatch", "version": TEMPLATE_VERSION, "checksum": checksum(body)}
    body["_meta"] = meta
    body["template"]["mappings"]["_meta"] = dict(meta)
    return body


def _stamped_mappings(mappings: dict[str, Any]) -> dict[str, Any]:
    mappings["_meta"] = {"managed_by": "featurewatch", "version": TEMPLATE_VERSION,
                         "checksum": checksum(mappings)}
    return mappings
