"""Replay a table of rows through the shim as historical requests (backfills, demos, tests)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable

import pandas as pd

from .errors import DataError
from .shim import _state

__all__ = ["ReplayColumns", "replay_frame", "content_digest"]

_CHUNK = 5000
#: 9999-12-31T23:59:59Z: numbers beyond it are not epoch seconds (most likely milliseconds).
_LAST_EPOCH_SECOND = 253402300799


@dataclasses.dataclass(frozen=True)
class ReplayColumns:
    """The columns of a replayed table that are not features.

    ``timestamp`` holds each row's time (ISO 8601 strings, dates, datetimes,
    or numbers of seconds since the epoch); the others are optional.
    """

    timestamp: str
    prediction: str | None = None
    request_id: str | None = None
    version: str | None = None

    def given(self) -> list[str]:
        """The names given, in field order."""
        return [name for name in (self.timestamp, self.prediction, self.request_id, self.version) if name]


def replay_frame(frame: pd.DataFrame, columns: ReplayColumns, *, model: str,
                 version: str | None = None, source: str = "replay",
                 progress: Callable[[int], None] | None = None) -> int:
    """Log each row of ``frame`` as one request at its own timestamp; return the row count.

    Request ids are ``columns.request_id`` when given, else derived from the
    model, ``source`` and row position. The CLI passes the
    :func:`content_digest` of the file as ``source``: replaying the same
    file twice gives the same ids (and the shipper does not duplicate them),
    while two different files never share ids, whatever their names.
    ``version`` is the model version of rows without a ``columns.version``.
    """
    missing = [c for c in columns.given() if c not in frame.columns]
    if missing:
        raise DataError(f"column(s) not in the data: {', '.join(missing)} "
                        f"(columns are: {', '.join(map(str, frame.columns[:20]))})")
    stamps = _timestamps(frame[columns.timestamp], columns.timestamp)
    iso = stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").tolist()
    hours = stamps.dt.strftime("%Y%m%dT%H").tolist()
    features = frame.drop(columns=columns.given())
    predictions = frame[columns.prediction].tolist() if columns.prediction else None
    versions = frame[columns.version].astype(str).tolist() if columns.version else None
    if columns.request_id:
        ids = frame[columns.request_id].astype(str).tolist()
    else:
        prefix = hashlib.blake2b(f"{model}\x1f{source}".encode(), digest_size=8).hexdigest()
        ids = [f"{prefix}-{i}" for i in range(len(frame))]

    shim = _state.current()
    for begin in range(0, len(frame), _CHUNK):
        end = min(begin + _CHUNK, len(frame))
        shim.log_rows(model, version, features.iloc[begin:end],
                      timestamps=(iso[begin:end], hours[begin:end]),
                      request_ids=ids[begin:end],
                      predictions=None if predictions is None else predictions[begin:end],
                      versions=None if versions is None else versions[begin:end])
        if progress is not None:
            progress(end - begin)
    shim.flush()
    return len(frame)


def content_digest(path: str | os.PathLike[str]) -> str:
    """Hex digest of the file's bytes, read in chunks: a replayed file's identity, whatever its name."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=16)).hexdigest()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None


def _timestamps(column: pd.Series, name: str) -> pd.Series:
    """UTC timestamps of ``column``: ISO 8601 strings, dates, datetimes, or numbers of epoch seconds."""
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if numeric:
        too_large = column.abs() > _LAST_EPOCH_SECOND
        if too_large.any():
            raise DataError(f"column {name!r} has numbers too large for seconds since the epoch (first at row "
                            f"{int(too_large.to_numpy().argmax())}): give seconds, not milliseconds")
    try:
        if numeric:
            # Epoch seconds: pandas would take bare numbers as nanoseconds, and every row would be in 1970.
            stamps = pd.to_datetime(column, unit="s", utc=True)
        else:
            stamps = pd.to_datetime(column, utc=True, format="mixed")
    except (ValueError, TypeError, OverflowError) as exc:
        how = " (numbers are read as seconds since the epoch)" if numeric else ""
        raise DataError(f"cannot parse timestamps in column {name!r}{how}: {exc}") from None
    if stamps.isna().any():
        bad = int(stamps.isna().to_numpy().argmax())
        raise DataError(f"column {name!r} has an empty or invalid timestamp (first at row {bad})")
    return stamps
