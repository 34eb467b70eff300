"""A baseline from a training file (``baseline build DATA``): CSV, Parquet or JSON lines.

CSV and Parquet are tables: read by :func:`featurewatch.datafiles.read_table`
(delimiter found, numbers parsed, duplicated names refused) and built like
any DataFrame. A JSON-lines file is read like logged records instead: a key
missing from a line is *absent* and a JSON null is *null*, as in the logs, so
a baseline from it expects in production exactly what its lines show (a
DataFrame would make every absent key a null).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import orjson

from .. import record as R
from ..datafiles import csv_delimiter, read_table
from ..errors import DataError
from .build import BaselineOptions, build_baseline, hint_prediction
from .logs import baseline_from_records
from .model import NUMERIC, Baseline

__all__ = ["baseline_from_file", "JSON_LINES"]

JSON_LINES = (".jsonl", ".ndjson", ".json")


def baseline_from_file(path: str | os.PathLike[str], options: BaselineOptions) -> Baseline:
    """The baseline of a training file; DataError for a file that cannot be read or makes no baseline."""
    file = Path(path)
    source: dict[str, Any] = {"path": file.name}
    if file.suffix.lower() in JSON_LINES:
        baseline = baseline_from_records(_json_rows(file, options.prediction),
                                         dataclasses.replace(options, prediction=options.prediction and R.PREDICTION),
                                         source=source, where=f"in {file}")
        hint_prediction(baseline, options)
        return baseline
    numeric = [column for column, kind in options.kinds.items() if kind == NUMERIC]
    frame = read_table(file, numeric=numeric)
    if file.suffix.lower() == ".csv" and (delimiter := csv_delimiter(file)) != ",":
        source["delimiter"] = delimiter
    return build_baseline(frame, options, source=source)


def _json_rows(file: Path, prediction: str | None) -> list[dict[str, Any]]:
    """Each line of ``file`` as a record: its keys are the features, ``prediction`` its prediction."""
    if not file.exists():
        raise DataError(f"data file not found: {file}")
    records = []
    with file.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError:
                raise DataError(f"cannot read {file}: line {number} is not valid JSON") from None
            if not isinstance(row, dict):
                raise DataError(f"cannot read {file}: line {number} is not a JSON object")
            if prediction is not None and prediction not in row:
                raise DataError(f"column(s) not in the data: {prediction} (line {number} of {file} lacks it)")
            value = row.pop(prediction) if prediction is not None else None
            records.append({R.FEATURES: row, R.FEATURES_PRESENT: list(row),
                            R.FEATURES_NULL: [k for k, v in row.items() if v is None], R.PREDICTION: value})
    if not records:
        raise DataError("the training data has no rows")
    return records
