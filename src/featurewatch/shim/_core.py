"""The configured shim: builds records, runs the processor chain, writes lines.

The processor chain uses structlog's processor protocol
(``processor(logger, method_name, event_dict) -> event_dict``), so any
structlog processor — ``structlog.contextvars.merge_contextvars``, a
processor that adds a service name, one that raises ``structlog.DropEvent``
to filter — works on featurewatch records. The chain is run directly rather
than through a structlog ``BoundLogger``: that wrapper costs more per call
than the whole record (see ``benchmarks/shim.py``).
"""

from __future__ import annotations

import datetime as _dt
import itertools
import os
import random
import secrets
import sys
import time
from collections.abc import Iterator, Sequence
from typing import Any

import structlog
from structlog.typing import Processor

from .. import record as R
from ..settings import Settings
from . import _records
from ._writer import FileWriter

__all__ = ["Shim"]

_PLAIN = frozenset({float, int, bool, type(None)})


class _Clock:
    """``(iso timestamp, hour key)`` for now, formatting the seconds once per second."""

    __slots__ = ("_second", "_prefix", "_hour")

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""
        self._hour = ""

    def now(self) -> tuple[str, str]:
        second, nanos = divmod(time.time_ns(), 1_000_000_000)
        if second != self._second:
            parts = time.gmtime(second)
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", parts)
            self._hour = time.strftime("%Y%m%dT%H", parts)
            self._second = second
        return f"{self._prefix}.{nanos // 1000:06d}Z", self._hour


def _timestamp_of(value: Any) -> tuple[str, str]:
    """``(iso, hour key)`` for a caller-given timestamp (datetime, ISO string or epoch)."""
    if isinstance(value, str):
        moment = R.parse_timestamp(value)
    elif isinstance(value, (int, float)):
        moment = _dt.datetime.fromtimestamp(value, tz=_dt.timezone.utc)
    elif isinstance(value, _dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)
        moment = moment.astimezone(_dt.timezone.utc)
    elif isinstance(value, _dt.date):
        moment = _dt.datetime(value.year, value.month, value.day, tzinfo=_dt.timezone.utc)
    else:
        raise TypeError(f"timestamp must be a datetime, ISO string or epoch seconds, not {type(value).__name__}")
    return R.format_timestamp(moment), moment.strftime("%Y%m%dT%H")


class Shim:
    """One configured logging pipeline. Replaced as a whole by ``configure()``."""

    def __init__(self, settings: Settings, processors: Sequence[Processor] = ()) -> None:
        self.settings = settings
        self.processors: tuple[Processor, ...] = tuple(processors)
        self.writer = FileWriter(settings.log_dir, settings.flush_interval, warn=self._warn)
        self._limit = settings.max_string_length
        self._enabled = settings.enabled
        self._sample_rate = settings.sample_rate
        self._redact = frozenset(settings.redact)
        self._clock = _Clock()
        self._ids = itertools.count()
        self._id_prefix = secrets.token_hex(6)
        self._pid = os.getpid()
        self.filtered = 0
        self.failed = 0
        self._warned: set[str] = set()

    def new_request_id(self) -> str:
        """A process-unique request id: a random per-process prefix and a counter."""
        return f"{self._id_prefix}-{next(self._ids)}"

    def after_fork(self) -> None:
        """In a forked child: new id prefix, fresh writer state (the parent's buffer is not ours)."""
        self._pid = os.getpid()
        self._id_prefix = secrets.token_hex(6)
        self.writer.after_fork()

    def log(self, model: str, version: str | None, features: Any, prediction: Any = None, *,
            timestamp: Any = None, request_id: str | None = None, latency_ms: float | None = None,
            error: BaseException | None = None) -> None:
        """Log one request (one or many rows). Never raises."""
        try:
            if not self._enabled:
                return
            if self._sample_rate < 1.0 and random.random() >= self._sample_rate:
                self.filtered += 1
                return
            self._log(model, version, features, prediction, timestamp, request_id, latency_ms, error)
        except Exception as exc:  # noqa: BLE001 - the shim must never break the model call
            self.failed += 1
            self._warn(f"featurewatch: dropped a record that could not be logged: {type(exc).__name__}: {exc}")

    def _log(self, model: str, version: str | None, features: Any, prediction: Any, timestamp: Any,
             request_id: str | None, latency_ms: float | None, error: BaseException | None) -> None:
        limit = self._limit
        if timestamp is None:
            iso, hour = self._clock.now()
        else:
            iso, hour = _timestamp_of(timestamp)
        if request_id is None:
            request_id = self.new_request_id()
        version = None if version is None else str(version)
        error_field = None if error is None else {
            "type": type(error).__name__, "message": R.truncate(str(error), limit)}
        method = "info" if error is None else "error"
        processors = self.processors

        if type(features) is dict:  # the common single-record case, kept lean
            row, nulls = _records.clean_mapping(features, limit)
            if self._redact:
                row = _records.redact(row, self._redact, self.settings.redact_mode)
            event: dict[str, Any] = {
                R.SCHEMA: R.SCHEMA_VERSION, R.TIMESTAMP: iso, R.MODEL: model, R.MODEL_VERSION: version,
                R.REQUEST_ID: request_id, R.ROW: 0, R.LATENCY_MS: latency_ms, R.FEATURES: row,
                R.FEATURES_PRESENT: list(row), R.FEATURES_NULL: nulls,
                R.PREDICTION: prediction if prediction.__class__ in _PLAIN else
                _records.split_predictions(prediction, 1, limit)[0],
            }
            if error_field is not None:
                event[R.ERROR] = error_field
            if processors:
                try:
                    for processor in processors:
                        event = processor(self, method, event)
                except structlog.DropEvent:
                    self.filtered += 1
                    return
            line = R.dumps(event, limit)
            if len(line) > limit:  # a string might be too long: check them this time
                event[R.FEATURES] = _records.clean_mapping(row, limit, check_strings=True)[0]
                line = R.dumps(event, limit)
            self.writer.write(hour, line)
            return

        rows = _records.rows_from_input(features, limit)
        predictions = _records.split_predictions(prediction, len(rows), limit)
        template: dict[str, Any] = {
            R.SCHEMA: R.SCHEMA_VERSION, R.TIMESTAMP: iso, R.MODEL: model, R.MODEL_VERSION: version,
            R.REQUEST_ID: request_id, R.ROW: 0, R.LATENCY_MS: latency_ms, R.FEATURES: None,
            R.FEATURES_PRESENT: None, R.FEATURES_NULL: None, R.PREDICTION: None,
        }
        if error_field is not None:
            template[R.ERROR] = error_field
        events = self._events(template, rows, predictions, method)
        lines, count = R.dumps_many(events, limit)
        if count:
            self.writer.write(hour, lines)

    def _events(self, template: dict[str, Any], rows: _records.RowSet, predictions: list[Any],
                method: str) -> Iterator[dict[str, Any]]:
        """One event per row from a template; redaction and processors applied."""
        redact = self._redact
        processors = self.processors
        for index, (row, present, nulls, prediction) in enumerate(
                zip(rows.features, rows.present, rows.nulls, predictions)):
            if redact:
                row = _records.redact(row, redact, self.settings.redact_mode)
                present = list(row)
            event = template.copy()
            event[R.ROW] = index
            event[R.FEATURES] = row
            event[R.FEATURES_PRESENT] = present
            event[R.FEATURES_NULL] = nulls
            event[R.PREDICTION] = prediction
            if processors:
                try:
                    for processor in processors:
                        event = processor(self, method, event)
                except structlog.DropEvent:
                    self.filtered += 1
                    continue
            yield event

    def log_rows(self, model: str, version: str | None, frame: Any, *,
                 timestamps: tuple[list[str], list[str]], request_ids: list[str],
                 predictions: list[Any] | None = None, versions: list[str] | None = None) -> int:
        """Log each row of a DataFrame as its own request (replays and backfills).

        ``timestamps`` holds the rows' ISO strings and hour keys, formatted by
        the caller in one vectorised pass. Returns the number of rows logged.
        """
        limit = self._limit
        rows = _records.rows_from_input(frame, limit)
        by_hour: dict[str, bytearray] = {}
        counts: dict[str, int] = {}
        iso, hours = timestamps
        for index in range(len(rows)):
            row = rows.features[index]
            present = rows.present[index]
            if self._redact:
                row = _records.redact(row, self._redact, self.settings.redact_mode)
                present = list(row)
            prediction = None if predictions is None else _records.split_predictions(predictions[index], 1, limit)[0]
            event: dict[str, Any] = {
                R.SCHEMA: R.SCHEMA_VERSION, R.TIMESTAMP: iso[index], R.MODEL: model,
                R.MODEL_VERSION: versions[index] if versions is not None else version,
                R.REQUEST_ID: request_ids[index], R.ROW: 0, R.LATENCY_MS: None, R.FEATURES: row,
                R.FEATURES_PRESENT: present, R.FEATURES_NULL: rows.nulls[index], R.PREDICTION: prediction,
            }
            try:
                for processor in self.processors:
                    event = processor(self, "info", event)
            except structlog.DropEvent:
                self.filtered += 1
                continue
            hour = hours[index]
            buffer = by_hour.get(hour)
            if buffer is None:
                buffer = by_hour[hour] = bytearray()
                counts[hour] = 0
            buffer += R.dumps(event, limit)
            counts[hour] += 1
        for hour, buffer in by_hour.items():
            self.writer.write(hour, buffer)
        return sum(counts.values())

    def flush(self) -> None:
        """Write everything buffered so far to the files."""
        self.writer.flush()

    def close(self) -> None:
        """Flush and close the files."""
        self.writer.close()

    def stats(self) -> dict[str, int]:
        """Counters: records written and dropped, requests filtered or failed."""
        counts = self.writer.stats.as_dict()
        counts.update(filtered=self.filtered, failed=self.failed)
        return counts

    def _warn(self, message: str) -> None:
        key = message[:60]
        if key in self._warned:
            return
        self._warned.add(key)
        try:
            sys.stderr.write(message + "\n")
        except Exception:  # noqa: BLE001 - a closed stderr must not break the call
            pass
