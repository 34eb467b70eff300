"""The type-stable fields the shipper adds to every request document (:mod:`featurewatch.es.layout`).

Why: Elasticsearch maps a field by the first value it sees in each daily
index, rejects a whole document for an object in a numeric field, coerces or
drops strings by rules our local counting does not share, and turns dotted
names into object paths. Writing each value into the field of its JSON type
(``values.number.f``, ``values.string.f``, ``values.boolean.f``) and listing
the features by type (``types.number``, …) makes every mapping fixed, so the
cluster counts exactly what the local source counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import record as R
from ..es import layout
from ..es.templates import KEYWORD_IGNORE_ABOVE

__all__ = ["typed_fields", "indexable_name"]

# orjson.loads gives exactly these types.
_JSON_TYPE = {str: "string", int: "number", float: "number", bool: "boolean", dict: "object", list: "array"}
_INDEXED = frozenset(layout.VALUE_TYPES)


def indexable_name(name: str) -> bool:
    """Whether Elasticsearch accepts ``name`` as a field name (as a leaf under ``subobjects: false``).

    Empty names, blank ones and names with an empty dotted part are refused
    and would cost the whole document: their values are only counted by type.
    """
    return bool(name.strip()) and not name.startswith(".") and not name.endswith(".") and ".." not in name


def typed_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """``values``, ``types`` and the prediction's typed fields of one parsed record."""
    values: dict[str, dict[str, Any]] = {"number": {}, "string": {}, "boolean": {}}
    types: dict[str, list[str]] = {}
    features = record.get(R.FEATURES)
    if type(features) is dict:
        for name, value in features.items():
            if value is None:
                continue
            kind = _JSON_TYPE.get(type(value), "string")
            types.setdefault(kind, []).append(name)
            if kind in _INDEXED and indexable_name(name) and \
                    (kind != "string" or len(value) <= KEYWORD_IGNORE_ABOVE):
                values[kind][name] = value
    out: dict[str, Any] = {layout.VALUES_FIELD: {k: v for k, v in values.items() if v}, layout.TYPES_FIELD: types}
    prediction = record.get(R.PREDICTION)
    if prediction is not None:
        kind = _JSON_TYPE.get(type(prediction), "string")
        out[layout.PREDICTION_TYPE_FIELD] = kind
        if kind in _INDEXED and (kind != "string" or len(prediction) <= KEYWORD_IGNORE_ABOVE):
            out[layout.PREDICTION_VALUE_FIELD] = {kind: prediction}
    return out
