"""A baseline from already-logged requests of a reference window (no training data needed).

Kinds and schemas are learnt from the records' feature values, as from a
training file; the reference counts are the records counted by the window
counters (:func:`featurewatch.profile.records.count_records`), so presence,
nulls and type violations are exactly what a window of the same records has.
"""

from __future__ import annotations

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
from ..kinds import kind_of
from ..profile.counting import empty_profile
from ..profile.records import count_records, is_record
from ..window import query_bound
from .build import BaselineOptions, learn_schema
from .model import Baseline

__all__ = ["baseline_from_logs", "baseline_from_records"]

_PREDICTION_COLUMN = "\x00prediction"


def baseline_from_logs(log_dir: str | os.PathLike[str], options: BaselineOptions, start: _dt.datetime,
                       end: _dt.datetime) -> Baseline:
    """Build a baseline from the records of ``options.model`` logged in ``[start, end)``.

    The prediction is watched when ``options.prediction`` is set; model
    versions seen become the expected versions unless given.
    """
    low, high = query_bound(start), query_bound(end)
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
                if not is_record(record):
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
    kept = [r for r in records if is_record(r) and isinstance(r.get(R.FEATURES), Mapping)]
    if not kept:
        raise DataError(f"no records of model {options.model!r} {where}")
    rows = []
    versions: set[str] = set()
    for record in kept:
        features = dict(record[R.FEATURES])
        if options.prediction:
            features[_PREDICTION_COLUMN] = record.get(R.PREDICTION)
        if record.get(R.MODEL_VERSION) is not None:
            versions.add(str(record[R.MODEL_VERSION]))
        rows.append(features)
    frame = pd.DataFrame.from_records(rows)
    options = dataclasses.replace(options, versions=options.versions or tuple(sorted(versions)),
                                  prediction=_PREDICTION_COLUMN if options.prediction else None)
    baseline = learn_schema(frame, options, source=source)
    reference = empty_profile(baseline, "", "")
    count_records(reference, kept, [(f, kind_of(f)) for f in baseline.monitored()], baseline.known_names())
    reference.finish()
    for feature in baseline.monitored():
        feature.reference = reference.features[feature.name]
    baseline.errors = reference.errors
    return baseline
