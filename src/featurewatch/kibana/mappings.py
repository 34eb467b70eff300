"""Index mappings as the validator sees them: ``{field path: Elasticsearch type}``.

:func:`flatten_mapping` reads what a cluster answers (``GET <index>/_mapping``,
a composable index template, or bare mappings), including fields that exist
only through dynamic templates when given a sample document to resolve them.
:func:`contract_mappings` derives the same offline from the templates that
``setup`` installs (:mod:`featurewatch.es.templates`).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from typing import Any

from .. import record
from ..es import layout, templates
from .dataviews import DataViews
from .spec import Feature, ModelSpec

__all__ = ["FieldTypes", "flatten_mapping", "contract_mappings", "sample_record", "CONFLICT"]

#: ``{field path: type}`` of one index or index pattern.
FieldTypes = dict[str, str]

#: Type given to a field mapped differently in two indices of one pattern.
CONFLICT = "conflict"

_DEFAULT_DYNAMIC = {"string": "text", "long": "long", "double": "float", "boolean": "boolean"}


def _mappings_of(response: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The mapping bodies in any of the answer shapes we accept."""
    if "properties" in response or "dynamic_templates" in response:
        return [response]
    if "mappings" in response:
        return [response["mappings"]]
    if "template" in response:
        return _mappings_of(response["template"])
    if "index_templates" in response:
        found: list[Mapping[str, Any]] = []
        for entry in response["index_templates"]:
            found += _mappings_of(entry.get("index_template", {}))
        return found
    found = []
    for body in response.values():  # {index name: {"mappings": ...}}
        if isinstance(body, Mapping):
            found += _mappings_of(body)
    return found


def _walk(properties: Mapping[str, Any], prefix: str, out: FieldTypes, disabled: set[str]) -> None:
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        if spec.get("enabled") is False:  # kept in _source, never parsed: no field, whatever it holds
            disabled.add(path)
        elif "properties" in spec:
            _walk(spec["properties"], path + ".", out, disabled)
        elif spec.get("type") not in (None, "object", "nested"):
            out[path] = spec["type"]
        for sub, sub_spec in spec.get("fields", {}).items():
            if "type" in sub_spec:
                out[f"{path}.{sub}"] = sub_spec["type"]


def _json_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    return None


def _leaves(document: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    leaves: dict[str, str] = {}
    for name, value in document.items():
        path = f"{prefix}{name}"
        if isinstance(value, list):
            value = next((v for v in value if v is not None), None)
        if isinstance(value, Mapping):
            leaves.update(_leaves(value, path + "."))
        elif (kind := _json_type(value)) is not None:
            leaves[path] = kind
    return leaves


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _matches(rule: Mapping[str, Any], path: str, json_type: str) -> bool:
    leaf = path.rsplit(".", 1)[-1]
    types = _as_list(rule.get("match_mapping_type", "*"))
    if "*" not in types and json_type not in types:
        return False
    regex = rule.get("match_pattern") == "regex"

    def hit(patterns: list[str], text: str) -> bool:
        return any(re.fullmatch(p, text) if regex else fnmatch.fnmatchcase(text, p) for p in patterns)

    if "path_match" in rule and not hit(_as_list(rule["path_match"]), path):
        return False
    if "path_unmatch" in rule and hit(_as_list(rule["path_unmatch"]), path):
        return False
    if "match" in rule and not hit(_as_list(rule["match"]), leaf):
        return False
    return not ("unmatch" in rule and hit(_as_list(rule["unmatch"]), leaf))


def _dynamic_type(body: Mapping[str, Any], path: str, json_type: str) -> dict[str, str]:
    """Fields Elasticsearch would create for a new ``path`` holding a ``json_type`` value."""
    for entry in body.get("dynamic_templates", []):
        for rule in entry.values():
            if _matches(rule, path, json_type):
                mapping = rule.get("mapping", {})
                kind = str(mapping.get("type", "{dynamic_type}"))
                if kind == "{dynamic_type}":
                    kind = _DEFAULT_DYNAMIC[json_type]
                fields = {path: kind}
                for sub, sub_spec in mapping.get("fields", {}).items():
                    fields[f"{path}.{sub}"] = sub_spec.get("type", "keyword")
                return fields
    if str(body.get("dynamic", "true")).lower() in {"false", "strict", "runtime"}:
        return {}
    if json_type == "string":
        return {path: "text", f"{path}.keyword": "keyword"}
    return {path: _DEFAULT_DYNAMIC[json_type]}


def flatten_mapping(response: Mapping[str, Any], sample: Mapping[str, Any] | None = None) -> FieldTypes:
    """``{field: type}`` of a ``_mapping`` answer (all indices merged).

    ``sample`` is a document as it would be indexed (for example a record):
    its fields that the explicit mappings lack are resolved through the
    dynamic templates, as Elasticsearch would map them on first sight. A field
    typed differently in two indices gets the type :data:`CONFLICT`.
    """
    merged: FieldTypes = {}
    for body in _mappings_of(response):
        fields: FieldTypes = {}
        disabled: set[str] = set()
        _walk(body.get("properties", {}), "", fields, disabled)
        if sample is not None:
            for path, json_type in _leaves(sample).items():
                if path not in fields and not any(path == off or path.startswith(f"{off}.") for off in disabled):
                    fields.update(_dynamic_type(body, path, json_type))
        for path, kind in fields.items():
            merged[path] = kind if merged.get(path, kind) == kind else CONFLICT
    return merged


#: One value of each JSON type, as the shim would log it, to resolve the dynamic templates.
_SAMPLE_VALUES: dict[str, Any] = {"number": 1.5, "string": "a", "boolean": True}
#: Text features get a text, identifiers a string of their own.
_SAMPLE_STRINGS: dict[str, str] = {"text": "a b", "identifier": "id-1"}


def _sample_value(feature: Feature) -> Any:
    json_type = feature.value_type
    return _SAMPLE_STRINGS.get(feature.kind, "a") if json_type == "string" else _SAMPLE_VALUES[json_type]


def sample_record(spec: ModelSpec) -> dict[str, Any]:
    """A request document of ``spec``'s model as the shipper indexes it, one value of each feature's kind.

    The record as the shim writes it, plus the fields the shipper adds
    (:mod:`featurewatch.es.layout`): each value in ``values.<json type>``, the
    features by JSON type in ``types``, the prediction in
    ``prediction_value.<json type>`` and ``prediction_type``, and the token
    fields of text features.
    """
    features = {f.name: _sample_value(f) for f in spec.features}
    values: dict[str, dict[str, Any]] = {}
    types: dict[str, list[str]] = {}
    for feature in spec.features:
        values.setdefault(feature.value_type, {})[layout.field_key(feature.name)] = features[feature.name]
        types.setdefault(feature.value_type, []).append(feature.name)
    texts = {f.name: str(features[f.name]) for f in spec.of_kind("text")}
    prediction = 0.5 if spec.prediction is None else _sample_value(spec.prediction)
    prediction_type = "number" if spec.prediction is None else spec.prediction.value_type
    return {record.SCHEMA: record.SCHEMA_VERSION, record.TIMESTAMP: "2026-11-20T00:00:00.000000Z",
            record.MODEL: spec.model, record.MODEL_VERSION: "1", record.REQUEST_ID: "r-1", record.ROW: 0,
            record.LATENCY_MS: 1.5, record.FEATURES: features, record.FEATURES_PRESENT: list(features),
            record.FEATURES_NULL: [], record.PREDICTION: prediction,
            layout.VALUES_FIELD: values, layout.TYPES_FIELD: types,
            layout.PREDICTION_VALUE_FIELD: {prediction_type: prediction}, layout.PREDICTION_TYPE_FIELD: prediction_type,
            layout.TOKENS_FIELD: {layout.field_key(n): sorted(set(text.split())) for n, text in texts.items()},
            layout.LENGTH_FIELD: {layout.field_key(n): len(text.split()) for n, text in texts.items()},
            layout.CHARS_FIELD: {layout.field_key(n): len(text) for n, text in texts.items()}}


def contract_mappings(spec: ModelSpec, prefix: str = layout.DEFAULT_PREFIX) -> dict[str, FieldTypes]:
    """``{data view title: {field: type}}`` from the templates ``setup`` installs, offline.

    The requests fields come from the requests template's mappings and
    dynamic templates applied to :func:`sample_record`; findings and metrics
    from their index mappings. A test against a server reads the same back
    with :func:`flatten_mapping` after ``setup``.
    """
    views = DataViews(prefix)
    requests = templates.requests_template(prefix)["template"]["mappings"]
    return {
        views.requests_title: flatten_mapping(requests, sample_record(spec)),
        views.findings_title: flatten_mapping(templates.findings_mappings()),
        views.metrics_title: flatten_mapping(templates.metrics_mappings()),
    }
