"""A baseline from already-logged requests of a reference window (no training data needed)."""

from __future__ import annotations

import collections
import dataclasses
import datetime as _dt
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson
import pandas as pd

from .. import logfiles
from .. import record as R
from ..errors import DataError
from .build import BaselineOptions, build_baseline
from .model import Baseline

__all__ = ["baseline_from_logs", "baseline_from_records"]

_PREDICTION_COLUMN = "\x00prediction"


def baseline_from_logs(log_dir: str | os.PathLike[str], options: BaselineOptions, start: _dt.datetime,
                       end: _dt.datetime) -> Baseline:
    """Build a baseline from the records of ``options.model`` logged in ``[start, end)``.

    Presence comes from each record's ``features_present``, so a feature
    absent from some reference records keeps its real presence rate. The
    prediction is watched when ``options.prediction`` is set; model versions
    seen become the expected versions unless given.
    """
    low, high = R.format_timestamp(start), R.format_timestamp(end)
    return baseline_from_records(_read_window(log_dir, options.model, low, high), options,
                                 source={"log_dir": str(log_dir), "start": low, "end": high},
                                 where=f"in {log_dir} between {low} and {high}")


def _read_window(log_dir: str | os.PathLike[str], model: str, low: str, high: str) -> Iterator[dict[str, Any]]:
    start, end = R.parse_timestamp(low), R.parse_timestamp(high)
    for path in logfiles.files_for_window(log_dir, start, end):
        with path.open("rb") as handle:
            for line in handle:
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue  # a torn last line of a file still being written
                if type(record) is not dict:
                    continue  # not a record (the local window source skips these too)
                stamp = record.get(R.TIMESTAMP)
                if record.get(R.MODEL) == model and isinstance(stamp, str) and low <= stamp < high:
                    yield record


def baseline_from_records(records: Iterable[Mapping[str, Any]], options: BaselineOptions, *,
                          source: Mapping[str, Any], where: str) -> Baseline:
    """Build a baseline from logged records (already filtered to the model and window).

    Shared by the local files and Elasticsearch (``baseline build --from-es``);
    ``where`` names the reference window in the error when there is no record.
    """
    rows: list[dict[str, Any]] = []
    present: collections.Counter[str] = collections.Counter()
    versions: set[str] = set()
    for record in records:
        raw = record.get(R.FEATURES)
        if not isinstance(raw, Mapping):
            continue  # a line that is not a featurewatch record
        features = dict(raw)
        listed = record.get(R.FEATURES_PRESENT)
        present.update(listed if isinstance(listed, list) else list(features))
        if options.prediction:
            features[_PREDICTION_COLUMN] = record.get(R.PREDICTION)
            present[_PREDICTION_COLUMN] += 1
        if record.get(R.MODEL_VERSION) is not None:
            versions.add(str(record[R.MODEL_VERSION]))
        rows.append(features)
    if not rows:
        raise DataError(f"no records of model {options.model!r} {where}")
    frame = pd.DataFrame.from_records(rows)
    options = dataclasses.replace(options, versions=options.versions or tuple(sorted(versions)),
                                  prediction=_PREDICTION_COLUMN if options.prediction else None)
    return build_baseline(frame, options, present=present, source=source)
