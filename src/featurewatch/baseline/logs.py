"""A baseline from already-logged requests of a reference window (no training data needed)."""

from __future__ import annotations

import collections
import dataclasses
import datetime as _dt
import os
from typing import Any

import orjson
import pandas as pd

from .. import logfiles
from .. import record as R
from ..errors import DataError
from .build import BaselineOptions, build_baseline
from .model import Baseline

__all__ = ["baseline_from_logs"]

_PREDICTION_COLUMN = "\x00prediction"


def baseline_from_logs(log_dir: str | os.PathLike[str], options: BaselineOptions, start: _dt.datetime,
                       end: _dt.datetime) -> Baseline:
    """Build a baseline from the records of ``options.model`` logged in ``[start, end)``.

    Presence comes from each record's ``features_present``, so a feature
    absent from some reference records keeps its real presence rate. The
    prediction is watched when ``options.prediction`` is ``"prediction"``;
    model versions seen become the expected versions unless given.
    """
    low, high = R.format_timestamp(start), R.format_timestamp(end)
    rows: list[dict[str, Any]] = []
    present: collections.Counter[str] = collections.Counter()
    versions: set[str] = set()
    for path in logfiles.files_for_window(log_dir, start, end):
        with path.open("rb") as handle:
            for line in handle:
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue  # a torn last line of a file still being written
                stamp = record.get(R.TIMESTAMP)
                if record.get(R.MODEL) != options.model or not isinstance(stamp, str) or not low <= stamp < high:
                    continue
                features = dict(record.get(R.FEATURES) or {})
                present.update(record.get(R.FEATURES_PRESENT) or list(features))
                if options.prediction:
                    features[_PREDICTION_COLUMN] = record.get(R.PREDICTION)
                    present[_PREDICTION_COLUMN] += 1
                if record.get(R.MODEL_VERSION) is not None:
                    versions.add(str(record[R.MODEL_VERSION]))
                rows.append(features)
    if not rows:
        raise DataError(f"no records of model {options.model!r} in {log_dir} between {low} and {high}")
    frame = pd.DataFrame.from_records(rows)
    options = dataclasses.replace(options, versions=options.versions or tuple(sorted(versions)),
                                  prediction=_PREDICTION_COLUMN if options.prediction else None)
    return build_baseline(frame, options, present=present,
                          source={"log_dir": str(log_dir), "start": low, "end": high})
