"""How a feature value's JSON type is told apart (one rule for every source).

Booleans are never numbers (``True`` is an ``int`` in Python but not in JSON);
numpy scalars count as the JSON type they are written as.
"""

from __future__ import annotations

from typing import Any

__all__ = ["is_number", "json_type", "SCALAR_TYPES"]

#: JSON types a category-like value may have (objects and arrays never have a key).
SCALAR_TYPES = ("boolean", "number", "string")


def is_number(value: Any) -> bool:
    """True for JSON numbers (ints and floats, numpy included), never for bools."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return False
    return isinstance(value, (int, float)) or (hasattr(value, "dtype") and value.dtype.kind in "iuf")


def json_type(value: Any) -> str:
    """The JSON type ``value`` is written as: ``boolean``, ``number``, ``string``, ``null``, ``object`` or ``array``."""
    if value is None:
        return "null"
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return "string"  # anything else the shim encodes is written as its text
