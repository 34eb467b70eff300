"""Index templates and mappings: pure data, built from :mod:`featurewatch.es.layout`.

Mapping decisions for the requests indices (``<prefix>-requests-*``):

* ``features.*`` — dynamic templates by JSON type: strings → ``keyword``
  (``ignore_above`` 1024), every number → ``double`` (so a feature that is
  sometimes ``3`` and sometimes ``3.5`` never conflicts with itself), booleans
  → ``boolean``. Numeric mappings set ``coerce: false`` and the index sets
  ``index.mapping.ignore_malformed: true``: a string in a numeric feature is
  *kept in _source but not indexed*, instead of rejecting the record. So the
  number of mistyped values of a numeric feature ``f`` in a window is
  ``count(features_present == f) - count(features_null == f) - value_count(features.f)``.
* ``subobjects: false`` on ``features`` where the cluster supports it
  (Elasticsearch ≥ 8.3), so feature names containing dots (``a.b`` and
  ``a``) are separate leaf fields. OpenSearch-compatible servers do not
  accept the parameter; there dotted names become object paths.
* ``features_present`` / ``features_null`` — keyword arrays, one terms
  aggregation each counts presence and nulls for every feature.
* ``prediction`` (and ``prediction.*`` for dict predictions) — numbers →
  double, strings → keyword.
* ``tokens.*`` → keyword, ``text_tokens.*``/``text_chars.*`` → long, for the per-record
  token fields a ship-time enrichment adds later.
* Everything else that is dynamic: strings → keyword, never ``text``;
  ``date_detection`` and ``numeric_detection`` off, so nothing is guessed
  from a value or a name.
* ``index.mapping.total_fields.limit`` is 2000 (the default is 1000): room for
  several hundred features plus their token fields, while still stopping a
  runaway record with thousands of distinct keys.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

from .. import record as R
from . import layout
from .layout import CHARS_FIELD, LENGTH_FIELD

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
TEMPLATE_VERSION = 1
TOTAL_FIELDS_LIMIT = 2000
KEYWORD_IGNORE_ABOVE = 1024

_KEYWORD = {"type": "keyword", "ignore_above": KEYWORD_IGNORE_ABOVE}
_DOUBLE = {"type": "double", "coerce": False}


def _typed_templates(name: str, path: str) -> list[dict[str, Any]]:
    """Dynamic templates mapping every JSON type under ``path`` deliberately."""
    return [
        {f"{name}_strings": {"path_match": path, "match_mapping_type": "string", "mapping": dict(_KEYWORD)}},
        {f"{name}_longs": {"path_match": path, "match_mapping_type": "long", "mapping": dict(_DOUBLE)}},
        {f"{name}_doubles": {"path_match": path, "match_mapping_type": "double", "mapping": dict(_DOUBLE)}},
        {f"{name}_booleans": {"path_match": path, "match_mapping_type": "boolean", "mapping": {"type": "boolean"}}},
    ]


def requests_template(prefix: str = layout.DEFAULT_PREFIX, *, subobjects: bool = True) -> dict[str, Any]:
    """Composable index template body for the daily requests indices."""
    features: dict[str, Any] = {"type": "object"}
    if subobjects:
        features["subobjects"] = False
    dynamic_templates = (
        _typed_templates("features", f"{R.FEATURES}.*")
        + _typed_templates("prediction_value", R.PREDICTION)
        + _typed_templates("prediction", f"{R.PREDICTION}.*")
        + [
            {"tokens": {"path_match": "tokens.*", "mapping": dict(_KEYWORD)}},
            {"text_tokens": {"path_match": f"{LENGTH_FIELD}.*", "mapping": {"type": "long"}}},
            {"text_chars": {"path_match": f"{CHARS_FIELD}.*", "mapping": {"type": "long"}}},
            {"other_strings": {"match_mapping_type": "string", "mapping": dict(_KEYWORD)}},
        ]
    )
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
            R.FEATURES: features,
            R.FEATURES_PRESENT: {"type": "keyword"},
            R.FEATURES_NULL: {"type": "keyword"},
            R.ERROR: {"properties": {"type": {"type": "keyword"}, "message": dict(_KEYWORD)}},
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
