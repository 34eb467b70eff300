"""Build a :class:`Baseline` from training data (a DataFrame) or from logged records.

Two steps, the same for every source: each column's kind learns its schema
from the column's values (:meth:`featurewatch.kinds.Kind.learn`: bin edges,
known keys, vocabulary, Good–Turing figures), then the data is counted on
that schema by the window counters (:mod:`featurewatch.profile.frame`), which
gives the reference profile detection compares windows with.

Dirty training data gets a clear word rather than a useless baseline: what
cannot be right is a :class:`DataError` (duplicated column names, a column
given two kinds); what is probably wrong is a warning kept on the feature
(an all-null or constant column, values of a numeric feature that are not
numbers, a column named like the model's prediction).
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as _dt
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..datafiles import parse_numbers
from ..errors import DataError
from ..keys import category_key
from ..kinds import KINDS
from ..profile.frame import non_null_values, profile_frame
from ..values import is_number
from .infer import infer
from .model import NUMERIC, PREDICTION, Baseline, FeatureBaseline

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BaselineOptions", "build_baseline", "learn_schema", "kind_overrides", "hint_prediction",
           "PREDICTION_NAMES"]

#: Column names commonly holding a model's prediction (case-insensitive).
PREDICTION_NAMES = re.compile(r"prediction|score|target|label|y|pred.*|proba.*", re.IGNORECASE)


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


def kind_overrides(columns_by_kind: Mapping[str, Iterable[str]], exclude: Iterable[str] = ()) -> dict[str, str]:
    """Column → kind from the columns given for each kind (``--text c`` ...); a column given twice is an error."""
    given: dict[str, list[str]] = collections.defaultdict(list)
    for kind, columns in columns_by_kind.items():
        for column in columns:
            given[column].append(f"--{kind}")
    for column in exclude:
        given[column].append("--exclude")
    conflicts = {c: options for c, options in given.items() if len(set(options)) > 1}
    if conflicts:
        raise DataError("each column can have one kind: " + "; ".join(
            f"{c!r} is given {' and '.join(dict.fromkeys(options))}" for c, options in conflicts.items()))
    return {column: kind for kind, columns in columns_by_kind.items() for column in columns}


def build_baseline(frame: pd.DataFrame, options: BaselineOptions, *,
                   source: Mapping[str, Any] | None = None) -> Baseline:
    """Summarise ``frame`` (one training row per row) into a baseline.

    Columns set to numeric have their numeric strings read as numbers (the
    other strings stay, as type violations).
    """
    frame = _named_columns(frame)
    forced = [c for c, kind in options.kinds.items() if kind == NUMERIC and c in frame.columns]
    if forced:
        frame = frame.assign(**{c: parse_numbers(frame[c], force=True) for c in forced})
    baseline = learn_schema(frame, options, source=source)
    reference = profile_frame(baseline, frame, prediction=options.prediction)
    for feature in baseline.monitored():
        feature.reference = reference.features[feature.name]
    hint_prediction(baseline, options)
    return baseline


def learn_schema(frame: pd.DataFrame, options: BaselineOptions, *,
                 source: Mapping[str, Any] | None = None) -> Baseline:
    """A baseline with every column's kind, schema and warnings learnt, and empty reference counts."""
    for column, kind in options.kinds.items():
        if kind not in KINDS:
            raise DataError(f"unknown kind {kind!r} for column {column!r}: use one of {', '.join(KINDS)}")
    frame = _named_columns(frame)
    columns = list(frame.columns)
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
    rows = len(frame)
    features: dict[str, FeatureBaseline] = {}
    prediction = None
    for column in columns:
        if column in options.exclude:
            continue
        series = frame[column]
        inference = infer(series)
        if column in options.kinds:
            given = options.kinds[column]
            inference = dataclasses.replace(inference, kind=given, reason=f"set by --{given}")
        feature = FeatureBaseline(name=PREDICTION if column == options.prediction else column, kind=inference.kind,
                                  records=rows, reason=inference.reason, warnings=list(inference.warnings))
        values = non_null_values(series)
        KINDS[feature.kind].learn(feature, values)
        feature.warnings += _value_warnings(feature, values)
        if column == options.prediction:
            prediction = feature
        else:
            features[column] = feature
    if not features and prediction is None:
        raise DataError("no columns left to watch (all excluded?)")
    return Baseline(model=options.model, features=features, rows=rows, versions=list(options.versions),
                    prediction=prediction, created=_now(), source=dict(source or {}),
                    excluded=sorted(options.exclude))


def hint_prediction(baseline: Baseline, options: BaselineOptions) -> None:
    """Warn on features named like a prediction when none was given: logged records carry the prediction
    apart from the features, so such a feature would be missing from every record."""
    if options.prediction is not None:
        return
    for name, feature in baseline.features.items():
        if PREDICTION_NAMES.fullmatch(name):
            feature.warnings.append(f"named like a model's prediction: if it is one, give --prediction {name} "
                                    f"(logged records carry the prediction apart from the features, so as a "
                                    f"feature it would be missing from every record)")


def _value_warnings(feature: FeatureBaseline, values: Any) -> list[str]:
    """What looks wrong in a column's values: one value only, or values a numeric feature cannot count."""
    warnings: list[str] = []
    if len(values) == 0:
        return warnings
    if feature.kind == NUMERIC:
        others = [v for v in values if not is_number(v)] if isinstance(values, list) else []
        if others:
            shown = ", ".join(repr(v) for v, _ in collections.Counter(map(str, others)).most_common(3))
            warnings.append(f"{len(others):,} of {len(values):,} values are not numbers (for example {shown}): "
                            f"kept as type violations")
    keys = {category_key(v) for v in (values if isinstance(values, list) else np.unique(values).tolist())} - {None}
    if len(keys) == 1:
        [key] = keys
        warnings.append(f"every value is {key!r}: a constant column (only nulls, absence and other values "
                        f"can be seen)")
    return warnings


def _named_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with string column names; the same name twice is an error (which column would it be?)."""
    columns = [str(c) for c in frame.columns]
    repeated = [name for name, count in collections.Counter(columns).items() if count > 1]
    if repeated:
        raise DataError(f"column names appear more than once: {', '.join(map(repr, repeated))} "
                        f"(each column needs its own name)")
    return frame if list(frame.columns) == columns else frame.set_axis(columns, axis=1)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
