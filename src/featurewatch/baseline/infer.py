"""Guessing a column's kind from its training values (users can override every guess).

One rule for every source. It looks at the values as the shim logs them, so
a CSV, a Parquet file, a JSON-lines file, a DataFrame, logged records and
Elasticsearch documents of the same data get the same kinds: a datetime
column is logged as ISO 8601 text, so datetimes and ISO 8601 strings are one
case; a dtype is only a fast way to the answer its values would give; and
nothing depends on the order of the rows (the sources do not keep it).
"""

from __future__ import annotations

import collections
import dataclasses
import re
import zlib
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..tokens import tokenize
from ..values import is_number
from .model import BOOLEAN, CATEGORICAL, IDENTIFIER, NUMERIC, TEXT

__all__ = ["Inference", "infer", "infer_kind", "ISO_DATETIME"]

#: A string column is text when its values average at least this many tokens.
TEXT_MIN_TOKENS = 3.0
#: A string column is identifier-like when at least this share of its values are distinct.
IDENTIFIER_MIN_DISTINCT = 0.5
#: ... and it has at least this many values (below, a column of unique labels is just small).
IDENTIFIER_MIN_VALUES = 50
#: A column is numeric (or datetime) when at least this share of its values are numbers (datetimes).
NUMERIC_MIN_SHARE = 0.98
#: Distinct strings whose tokens are counted for the text rule (chosen by a hash of the value, not by position).
_TOKEN_SAMPLE = 5000
#: ISO 8601 dates and datetimes, as the shim writes datetimes and as CSV files hold them.
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?")


@dataclasses.dataclass(frozen=True)
class Inference:
    """A column's kind, the rule that decided it (``baseline show`` prints it), and what looked wrong."""

    kind: str
    reason: str
    warnings: tuple[str, ...] = ()


def infer_kind(series: pd.Series) -> str:
    """numeric, boolean, categorical, text or identifier (see :func:`infer`)."""
    return infer(series).kind


def infer(series: pd.Series) -> Inference:
    """The kind of a column, from its non-null values.

    * only true/false → boolean
    * ≥ 98% numbers → numeric (the others are kept as type violations)
    * ≥ 98% datetimes or ISO 8601 strings → identifier (only presence and nulls are watched)
    * strings averaging ≥ 3 tokens → text
    * strings, ≥ 50 values, ≥ 50% distinct → identifier
    * other strings → categorical
    * no value at all → identifier (nothing but presence and nulls can be watched), with a warning
    """
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return Inference(BOOLEAN, "only true/false values")
    if pd.api.types.is_numeric_dtype(dtype) and series.notna().any():
        return Inference(NUMERIC, "numbers")
    if pd.api.types.is_datetime64_any_dtype(dtype) and series.notna().any():
        return Inference(IDENTIFIER, "dates and times (only presence and nulls are watched)")
    return infer_values(series.dropna().tolist())


def infer_values(values: Sequence[Any]) -> Inference:
    """The kind of a column from its non-null values (of any JSON type)."""
    if not values:
        return Inference(IDENTIFIER, "no values (only presence and nulls can be watched)",
                         ("every value is null in the training data: only presence and nulls can be watched",))
    if all(isinstance(v, bool) or type(v).__name__ == "bool_" for v in values):
        return Inference(BOOLEAN, "only true/false values")
    total = len(values)
    numbers = sum(1 for v in values if is_number(v))
    if numbers == total:
        return Inference(NUMERIC, "numbers")
    if numbers >= NUMERIC_MIN_SHARE * total:
        return Inference(NUMERIC, f"{numbers / total:.1%} of values are numbers")
    strings = [v if isinstance(v, str) else v.isoformat() for v in values
               if isinstance(v, str) or hasattr(v, "isoformat")]
    if not strings:
        return Inference(CATEGORICAL, "values that are neither numbers nor strings")
    dates = sum(1 for s in strings if ISO_DATETIME.fullmatch(s))
    if dates >= NUMERIC_MIN_SHARE * len(strings):
        return Inference(IDENTIFIER, "dates and times (only presence and nulls are watched)")
    counts = collections.Counter(strings)
    tokens = _mean_tokens(counts)
    if tokens >= TEXT_MIN_TOKENS:
        return Inference(TEXT, f"strings of {tokens:.1f} tokens on average (text from {TEXT_MIN_TOKENS:g})")
    share = len(counts) / len(strings)
    if len(strings) >= IDENTIFIER_MIN_VALUES and share >= IDENTIFIER_MIN_DISTINCT:
        return Inference(IDENTIFIER, f"{share:.0%} of {len(strings):,} strings are distinct (identifier from "
                                     f"{IDENTIFIER_MIN_DISTINCT:.0%}; only presence and nulls are watched)")
    return Inference(CATEGORICAL, f"{len(counts):,} distinct strings among {len(strings):,}")


def _mean_tokens(counts: collections.Counter[str]) -> float:
    """Tokens per value, over the distinct values (a hash-chosen sample of them when there are many).

    Chosen by a hash of the value rather than by row position, so the same data
    in another order (logged files are read by hour and process) gives the same figure.
    """
    items = list(counts.items())
    if len(items) > _TOKEN_SAMPLE:
        items = sorted(items, key=lambda kv: zlib.crc32(kv[0].encode("utf-8", "surrogatepass")))[:_TOKEN_SAMPLE]
    weight = sum(count for _, count in items)
    return sum(len(tokenize(value)) * count for value, count in items) / weight
