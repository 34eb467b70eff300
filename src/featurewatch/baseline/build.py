"""Build a :class:`Baseline` from training data (a DataFrame) or from logged records.

Two steps, the same for every source: each column's kind learns its schema
from the column's values (:meth:`featurewatch.kinds.Kind.learn`: bin edges,
known keys, vocabulary, Good–Turing figures), then the data is counted on
that schema by the window counters (:mod:`featurewatch.profile.frame`), which
gives the reference profile detection compares windows with.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import DataError
from ..kinds import KINDS
from ..profile.frame import non_null_values, profile_frame
from .infer import infer_kind
from .model import PREDICTION, Baseline, FeatureBaseline

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BaselineOptions", "build_baseline", "learn_schema"]


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


def build_baseline(frame: pd.DataFrame, options: BaselineOptions, *,
                   source: Mapping[str, Any] | None = None) -> Baseline:
    """Summarise ``frame`` (one training row per row) into a baseline."""
    baseline = learn_schema(frame, options, source=source)
    reference = profile_frame(baseline, frame.set_axis([str(c) for c in frame.columns], axis=1),
                              prediction=options.prediction)
    for feature in baseline.monitored():
        feature.reference = reference.features[feature.name]
    return baseline


def learn_schema(frame: pd.DataFrame, options: BaselineOptions, *,
                 source: Mapping[str, Any] | None = None) -> Baseline:
    """A baseline with every column's kind and schema learnt, and empty reference counts."""
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
    features: dict[str, FeatureBaseline] = {}
    prediction = None
    for column in columns:
        if column in options.exclude:
            continue
        series = frame[column]
        kind = options.kinds.get(column) or infer_kind(series)
        feature = FeatureBaseline(name=PREDICTION if column == options.prediction else column, kind=kind,
                                  records=rows)
        KINDS[kind].learn(feature, non_null_values(series))
        if column == options.prediction:
            prediction = feature
        else:
            features[column] = feature
    if not features and prediction is None:
        raise DataError("no columns left to watch (all excluded?)")
    return Baseline(model=options.model, features=features, rows=rows, versions=list(options.versions),
                    prediction=prediction, created=_now(), source=dict(source or {}),
                    excluded=sorted(options.exclude))


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
