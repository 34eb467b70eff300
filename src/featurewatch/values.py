"""How a feature value's JSON type is told apart (one rule for every source).

Booleans are never numbers (``True`` is an ``int`` in Python but not in JSON);
numpy scalars count as the JSON type they are written as.
"""

from __future__ import annotations

from typing import Any

__all__ = ["is_number"]


def is_number(value: Any) -> bool:
    """True for JSON numbers (ints and floats, numpy included), never for bools."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return False
    return isinstance(value, (int, float)) or (hasattr(value, "dtype") and value.dtype.kind in "iuf")
