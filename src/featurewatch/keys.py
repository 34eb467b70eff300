"""Canonical category keys: how any scalar feature value becomes a category string.

One rule, in one function, used by baselines, the local window source and the
Elasticsearch source (which applies it to ``terms`` aggregation keys):

==================  ===============================================
value               key
==================  ===============================================
str                 the string itself
bool                ``"true"`` / ``"false"``
int                 decimal digits (``3`` → ``"3"``)
integral float      as the int (``3.0`` → ``"3"``): CSV columns with
                    gaps turn ints into floats, so 3 and 3.0 must meet
other float         ``repr`` (shortest round-trip, ``0.1`` → ``"0.1"``)
==================  ===============================================

Nulls (None, NaN, ±inf) have no key; objects and arrays are type violations
for every category-like kind, so they have no key either (``None`` is returned).
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["category_key"]


_EXACT = 2**53


def category_key(value: Any) -> str | None:
    """The category string of a scalar ``value``; None for nulls and non-scalars."""
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        # Beyond 2**53 a JSON number is a double to Elasticsearch and Arrow: keyed as that double everywhere.
        return str(value) if -_EXACT <= value <= _EXACT else category_key(float(value))
    if kind is float:
        if not math.isfinite(value):
            return None
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if value is None:
        return None
    # numpy / pandas scalars from a DataFrame: go through the plain Python value.
    item = getattr(value, "item", None)
    if item is not None and getattr(value, "ndim", 1) == 0:
        return category_key(item())
    if isinstance(value, str):
        return str(value)
    return None
