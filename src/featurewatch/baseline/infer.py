"""Guessing a column's kind from its training values (users can override every guess)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..tokens import tokenize
from ..values import is_number
from .model import BOOLEAN, CATEGORICAL, IDENTIFIER, NUMERIC, TEXT

__all__ = ["infer_kind"]

#: A string column is text when its values average at least this many tokens.
TEXT_MIN_TOKENS = 3.0
#: A string column is identifier-like when at least this share of its values are distinct.
IDENTIFIER_MIN_DISTINCT = 0.5
#: ... and it has at least this many values (below, a column of unique labels is just small).
IDENTIFIER_MIN_VALUES = 50
#: An object column is numeric when at least this share of its values are numbers.
NUMERIC_MIN_SHARE = 0.98


def infer_kind(series: pd.Series) -> str:
    """numeric, boolean, categorical, text or identifier, from dtype and values.

    * bool dtype, or only True/False values → boolean
    * numeric dtype, an all-null column, or ≥ 98% numbers → numeric
    * datetimes → identifier (only presence, nulls and types are watched)
    * strings averaging ≥ 3 tokens → text
    * strings, ≥ 50 values, ≥ 50% distinct → identifier
    * other strings → categorical
    """
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return BOOLEAN
    if pd.api.types.is_numeric_dtype(dtype):
        return NUMERIC
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return IDENTIFIER
    values = series.dropna().tolist()
    if not values:
        return NUMERIC
    if all(isinstance(v, bool) for v in values):
        return BOOLEAN
    numbers = sum(1 for v in values if is_number(v))
    if numbers >= NUMERIC_MIN_SHARE * len(values):
        return NUMERIC
    strings = [v for v in values if isinstance(v, str)]
    if not strings:
        return CATEGORICAL
    sample = strings[:5000]
    mean_tokens = sum(len(tokenize(s)) for s in sample) / len(sample)
    if mean_tokens >= TEXT_MIN_TOKENS:
        return TEXT
    distinct = len(set(strings)) / len(strings)
    if len(strings) >= IDENTIFIER_MIN_VALUES and distinct >= IDENTIFIER_MIN_DISTINCT:
        return IDENTIFIER
    return CATEGORICAL
