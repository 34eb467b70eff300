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
from ..es.layout import error_text, field_key, keyword_fits

__all__ = ["typed_fields"]

# orjson.loads gives exactly these types.
_JSON_TYPE = {str: "string", int: "number", float: "number", bool: "boolean", dict: "object", list: "array"}
_INDEXED = frozenset(layout.VALUE_TYPES)
#: field_key by name, for the hot path (names repeat from record to record); cleared when large.
_KEYS: dict[str, str] = {}


def _key(name: str) -> str:
    key = _KEYS.get(name)
    if key is None:
        if len(_KEYS) > 100_000:
            _KEYS.clear()
        key = _KEYS[name] = field_key(name)
    return key


def typed_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """``values``, ``types``, the prediction's and the error's fields of one parsed record (the shipper's hot path)."""
    numbers: dict[str, Any] = {}
    strings: dict[str, Any] = {}
    booleans: dict[str, Any] = {}
    types: dict[str, list[str]] = {}
    features = record.get(R.FEATURES)
    if type(features) is dict:
        number_names: list[str] = []
        string_names: list[str] = []
        for name, value in features.items():
            kind = type(value)
            if kind is float or kind is int:
                number_names.append(name)
                numbers[_key(name)] = 0.0 if value == 0 else value  # -0.0 is not 0.0 to a double field
            elif kind is str:
                string_names.append(name)
                if keyword_fits(value):
                    strings[_key(name)] = value
            elif value is not None:
                json_type = _JSON_TYPE.get(kind, "string")
                types.setdefault(json_type, []).append(name)
                if json_type == "boolean":
                    booleans[_key(name)] = value
        if number_names:
            types["number"] = number_names
        if string_names:
            types["string"] = string_names
    values = {}
    if numbers:
        values["number"] = numbers
    if strings:
        values["string"] = strings
    if booleans:
        values["boolean"] = booleans
    out: dict[str, Any] = {layout.VALUES_FIELD: values, layout.TYPES_FIELD: types}
    prediction = record.get(R.PREDICTION)
    if prediction is not None:
        prediction_type = _JSON_TYPE.get(type(prediction), "string")
        out[layout.PREDICTION_TYPE_FIELD] = prediction_type
        if prediction_type in _INDEXED and (prediction_type != "string" or keyword_fits(prediction)):
            value = 0.0 if prediction_type == "number" and prediction == 0 else prediction  # not -0.0
            out[layout.PREDICTION_VALUE_FIELD] = {prediction_type: value}
    error = record.get(R.ERROR)
    if error is not None:
        out[layout.ERROR_PRESENT_FIELD] = True
        if type(error) is dict:
            for field, key in ((layout.ERROR_TYPE_FIELD, "type"), (layout.ERROR_MESSAGE_FIELD, "message")):
                text = error_text(error.get(key))
                if text is not None:
                    out[field] = text
    return out
