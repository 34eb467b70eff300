"""A window profile straight from a DataFrame: one row per record.

Training data is counted this way into a baseline's reference profile, with
the same kind rules as any window; tests and notebooks use it to profile
large windows without writing log files. Every row carries every column of
the frame (a column the frame lacks is absent from every record); a cell is
null by the record format's rule (:func:`featurewatch.record.is_null`: None,
NaN, ±inf, NA, NaT), exactly what the shim would list in ``features_null``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import record as R
from ..baseline.model import Baseline
from ..kinds import kind_of
from .counting import empty_profile
from .model import WindowProfile

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["profile_frame", "non_null_values"]


def non_null_values(series: pd.Series) -> np.ndarray | list[Any]:
    """The column's non-null values: a float array for numeric dtypes, Python values otherwise."""
    dtype = series.dtype
    if getattr(dtype, "kind", "O") in "iuf":
        array = series.to_numpy(dtype=float, na_value=np.nan)
        return array[np.isfinite(array)]
    mask = series.isna().to_numpy(dtype=bool)
    return [v for v in series[~mask].tolist() if not R.is_null(v)]


def profile_frame(baseline: Baseline, frame: pd.DataFrame, *, prediction: str | None = None, start: str = "",
                  end: str = "", versions: Mapping[str, int] | None = None) -> WindowProfile:
    """The profile of ``frame``'s rows as records of ``baseline.model``.

    ``prediction`` names the column holding the prediction (otherwise every
    record's prediction is null); ``versions`` counts records by model version.
    """
    profile = empty_profile(baseline, start, end)
    rows = len(frame)
    profile.records = rows
    profile.versions = dict(versions or {})
    for feature in baseline.monitored():
        is_prediction = feature is baseline.prediction
        column = prediction if is_prediction else feature.name
        target = profile.features[feature.name]
        if column is None or column not in frame.columns:
            if is_prediction:
                target.present = target.nulls = rows
            continue
        values = non_null_values(frame[column])
        target.present += rows
        target.nulls += rows - len(values)
        kind_of(feature).count_values(target, feature, values)
    profile.finish()
    return profile
