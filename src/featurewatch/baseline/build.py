"""Build a :class:`Baseline` from training data (a DataFrame) or from logged records."""

from __future__ import annotations

import collections
import dataclasses
import datetime as _dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..keys import category_key
from ..tokens import distinct_tokens
from .infer import infer_kind, is_number
from .model import (
    BOOLEAN,
    CATEGORICAL,
    KINDS,
    NUMERIC,
    PREDICTION,
    TEXT,
    Baseline,
    CategorySummary,
    FeatureBaseline,
    NumericSummary,
    TextSummary,
)

__all__ = ["BaselineOptions", "build_baseline", "MAX_BINS", "MAX_CATEGORIES", "MAX_VOCABULARY"]

#: Numeric features get at most this many quantile bins inside the training range
#: (one bin per value when they have no more distinct values than this).
MAX_BINS = 20
#: Categories kept per feature; the rest is stored as one "other" count.
MAX_CATEGORIES = 1000
#: Tokens kept per text feature; the rest is stored as one "other" count.
MAX_VOCABULARY = 20000


@dataclasses.dataclass(frozen=True)
class BaselineOptions:
    """How to read the training columns: kind overrides, exclusions, the prediction."""

    model: str
    versions: tuple[str, ...] = ()
    #: Column → kind, overriding inference.
    kinds: Mapping[str, str] = dataclasses.field(default_factory=dict)
    exclude: frozenset[str] = frozenset()
    #: Column holding the model's prediction, watched like a feature under the name "prediction".
    prediction: str | None = None
    bins: int = 10


def build_baseline(frame: pd.DataFrame, options: BaselineOptions, *,
                   present: Mapping[str, int] | None = None,
                   source: Mapping[str, Any] | None = None) -> Baseline:
    """Summarise ``frame`` (one training row per row) into a baseline.

    ``present`` gives, per column, how many rows actually carried the feature
    (for baselines built from logs, where a feature can be absent); by
    default every column is present in every row.
    """
    for column, kind in options.kinds.items():
        if kind not in KINDS:
            raise DataError(f"unknown kind {kind!r} for column {column!r}: use one of {', '.join(KINDS)}")
    columns = [str(c) for c in frame.columns]
    wanted = set(options.kinds) | set(options.exclude) | ({options.prediction} if options.prediction else set())
    missing = sorted(c for c in wanted if c not in columns)
    if missing:
        raise DataError(f"column(s) not in the data: {', '.join(missing)} (columns are: {', '.join(columns[:20])})")
    if len(frame) == 0:
        raise DataError("the training data has no rows")
    if options.prediction and PREDICTION in columns and options.prediction != PREDICTION \
            and PREDICTION not in options.exclude:
        raise DataError(f"a feature is named {PREDICTION!r}, which is the name the prediction is watched under; "
                        f"rename it or --exclude it")
    frame = frame.set_axis(columns, axis=1)
    rows = len(frame)
    present = present or {}
    features: dict[str, FeatureBaseline] = {}
    prediction = None
    for column in columns:
        if column in options.exclude:
            continue
        kind = options.kinds.get(column) or infer_kind(frame[column])
        summary = summarise(column, frame[column], kind, rows, present.get(column, rows), options.bins)
        if column == options.prediction:
            summary.name = PREDICTION
            prediction = summary
        else:
            features[column] = summary
    if not features and prediction is None:
        raise DataError("no columns left to watch (all excluded?)")
    return Baseline(model=options.model, features=features, rows=rows, versions=list(options.versions),
                    prediction=prediction, created=_now(), source=dict(source or {}))


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def summarise(name: str, series: pd.Series, kind: str, records: int, present: int, bins: int = 10) -> FeatureBaseline:
    """One column's counts for ``kind``; nulls are counted among the present rows.

    Identifiers keep only presence and null counts (they are not type-checked).
    """
    values = [v for v in series.tolist() if not _is_null(v)]
    nulls = max(0, present - len(values))
    feature = FeatureBaseline(name=name, kind=kind, records=records, present=present, nulls=nulls)
    if kind == NUMERIC:
        numbers = [float(v) for v in values if is_number(v)]
        feature.violations = len(values) - len(numbers)
        feature.numeric = numeric_summary(np.asarray(numbers, dtype=float), bins)
    elif kind in (CATEGORICAL, BOOLEAN):
        keys = [category_key(v) for v in values]
        feature.violations = sum(1 for k in keys if k is None)
        feature.categories = category_summary(collections.Counter(k for k in keys if k is not None))
    elif kind == TEXT:
        keys = [category_key(v) for v in values]
        feature.violations = sum(1 for k in keys if k is None)
        feature.text = text_summary([k for k in keys if k is not None])
    return feature


def _is_null(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, np.floating):
        return not np.isfinite(value)
    return False


def numeric_summary(values: np.ndarray, bins: int = 10) -> NumericSummary:
    """Quantile edges (see :class:`NumericSummary`) and the training counts on them."""
    if values.size == 0:
        return NumericSummary(edges=[], counts=[0], count=0, min=None, max=None, mean=None, std=None)
    low, high = float(values.min()), float(values.max())
    top = float(np.nextafter(high, math.inf))
    distinct = np.unique(values)
    if distinct.size <= MAX_BINS:
        inner = [float(v) for v in distinct]
    else:
        quantiles = np.quantile(values, np.linspace(0, 1, max(2, min(bins, MAX_BINS)) + 1)[1:-1])
        inner = [low] + sorted({float(q) for q in quantiles if low < q < top})
    edges = inner + [top]
    counts = np.bincount(np.searchsorted(np.asarray(edges), values, side="right"), minlength=len(edges) + 1)
    return NumericSummary(edges=edges, counts=[int(c) for c in counts], count=int(values.size), min=low, max=high,
                          mean=float(values.mean()), std=float(values.std()))


def _capped(counter: collections.Counter[str], cap: int) -> tuple[dict[str, int], int]:
    kept = dict(sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:cap])
    other = sum(counter.values()) - sum(kept.values())
    return kept, other


def category_summary(counter: collections.Counter[str], cap: int = MAX_CATEGORIES) -> CategorySummary:
    kept, other = _capped(counter, cap)
    return CategorySummary(counts=kept, other_count=other, total=sum(counter.values()), distinct=len(counter),
                           singletons=sum(1 for c in counter.values() if c == 1))


def text_summary(texts: Iterable[str], cap: int = MAX_VOCABULARY) -> TextSummary:
    counter: collections.Counter[str] = collections.Counter()
    values = 0
    for text in texts:
        counter.update(distinct_tokens(text))
        values += 1
    kept, other = _capped(counter, cap)
    return TextSummary(vocabulary=kept, other_count=other, tokens=sum(counter.values()), distinct=len(counter),
                       singletons=sum(1 for c in counter.values() if c == 1), values=values)
