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

import contextlib
import datetime as _dt
import itertools
import math
import random
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import orjson
import structlog
from structlog.typing import Processor

from .. import logfiles
from .. import record as R
from ..record import (
    FEATURES,
    FEATURES_NULL,
    FEATURES_PRESENT,
    LATENCY_MS,
    MODEL,
    MODEL_VERSION,
    PREDICTION,
    REQUEST_ID,
    ROW,
    SCHEMA,
    SCHEMA_VERSION,
    TIMESTAMP,
)
from ..settings import Settings
from . import _records
from ._writer import CapturingWriter, FileWriter

__all__ = ["Shim"]

_PLAIN = frozenset({float, int, bool, type(None)})
_clean_mapping = _records.clean_mapping
_INFINITIES = frozenset({math.inf, -math.inf})
_orjson_dumps = orjson.dumps
_time_ns = time.time_ns
#: The record options without OPT_NON_STR_KEYS: a non-string key fails fast into the careful path,
#: so the hot path needs no key check of its own.
_STRICT_OPTIONS = R.DUMPS_OPTIONS & ~orjson.OPT_NON_STR_KEYS


def _second_of(nanos: int) -> tuple[int, int, str, str]:
    """The second holding ``nanos`` (since the epoch): its bounds in ns, its ISO prefix, its hour key.

    The shim formats the seconds once per second and only the microseconds
    per record. The four live in one tuple, replaced at once, so a thread
    never pairs one second's prefix with another's hour.
    """
    second = nanos // 1_000_000_000
    moment = _dt.datetime.fromtimestamp(second, tz=_dt.UTC)
    return (second * 1_000_000_000, (second + 1) * 1_000_000_000,
            R.format_timestamp(moment)[:-len("000000Z")], logfiles.hour_key(moment))


def _timestamp_of(value: Any) -> tuple[str, str]:
    """``(iso, hour key)`` for a caller-given timestamp (datetime, ISO string or epoch)."""
    if isinstance(value, str):
        moment = R.parse_timestamp(value)
    elif isinstance(value, (int, float)):
        moment = _dt.datetime.fromtimestamp(value, tz=_dt.UTC)
    elif isinstance(value, _dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=_dt.UTC)
        moment = moment.astimezone(_dt.UTC)
    elif isinstance(value, _dt.date):
        moment = _dt.datetime(value.year, value.month, value.day, tzinfo=_dt.UTC)
    else:
        raise TypeError(f"timestamp must be a datetime, ISO string or epoch seconds, not {type(value).__name__}")
    return R.format_timestamp(moment), logfiles.hour_key(moment)


def _error_field(error: BaseException, limit: int) -> dict[str, str]:
    return {"type": type(error).__name__, "message": R.truncate(R.name_text(error), limit)}


class _NullFromFallback(Exception):
    """Raised into orjson by the hot path's hook: a value it encodes as null must be listed."""


def _listing_nulls(fallback: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The hot path's ``default=`` hook: ``fallback``, except that a value it turns into null
    (``Decimal("1e999")``) sends the record to the careful path, which lists it in ``features_null``."""

    def encode(value: Any) -> Any:
        encoded = fallback(value)
        if encoded is None:
            raise _NullFromFallback
        return encoded

    return encode


class Shim:
    """One configured logging pipeline. Replaced as a whole by ``configure()``."""

    def __init__(self, settings: Settings, processors: Sequence[Processor] = ()) -> None:
        self.settings = settings
        self.processors: tuple[Processor, ...] = tuple(processors)
        self.writer: FileWriter | CapturingWriter = FileWriter(settings.log_dir, settings.flush_interval,
                                                               warn=self._warn)
        self._limit = settings.max_string_length
        self._hot_fallback = _listing_nulls(R.fallback(self._limit))
        self._enabled = settings.enabled
        self._sample_rate = settings.sample_rate
        #: One check on the hot path for both reasons not to log.
        self._dropping = not settings.enabled or settings.sample_rate < 1.0
        self._redact = frozenset(settings.redact)
        self._second = (0, 0, "", "")
        self._ids = itertools.count()
        self._id_prefix = secrets.token_hex(6)
        self.filtered = 0
        self.failed = 0
        self._warned: set[str] = set()

    def after_fork(self) -> None:
        """In a forked child: new id prefix, fresh writer state (the parent's buffer is not ours)."""
        self._id_prefix = secrets.token_hex(6)
        self.writer.after_fork()

    def log(self, model: str, version: str | None, features: Any, *, prediction: Any = None,
            timestamp: Any = None, request_id: str | None = None, latency_ms: float | None = None,
            error: BaseException | None = None) -> None:
        """Log one request (one or many rows). Never raises into the model's call.

        ``model``, ``version`` and ``request_id`` are written as strings
        (:func:`featurewatch.record.name_text`). Anything raised while logging
        is counted in ``failed``; a ``KeyboardInterrupt`` is let through, except
        while logging the model's own ``error``, which must propagate unchanged.

        The single-dict case is written for speed (it is most of the traffic):
        the clock inline, one null scan, the record built in one literal (the
        layout of :func:`featurewatch.record.make_record`), one ``orjson.dumps``
        and the writer's :meth:`~._writer.FileWriter.append`.
        """
        try:
            if self._dropping and self._dropped():
                return
            if timestamp is None:
                nanos = _time_ns()
                second = self._second
                if not second[0] <= nanos < second[1]:
                    self._second = second = _second_of(nanos)
                iso = f"{second[2]}{str(1_000_000 + (nanos - second[0]) // 1000)[1:]}Z"
                hour = second[3]
            else:
                iso, hour = _timestamp_of(timestamp)
            if model.__class__ is not str:
                model = self._name(model)
            if request_id is None:
                request_id = f"{self._id_prefix}-{next(self._ids)}"
            elif request_id.__class__ is not str:
                request_id = R.name_text(request_id)
            if version is not None and version.__class__ is not str:
                version = R.name_text(version)
            if features.__class__ is dict and error is None and not self._redact:
                try:
                    # None, NaN (v != v) and ±inf are null. Values whose comparison is not a plain bool
                    # (pd.NA, arrays, a hostile __eq__) raise and take the careful path.
                    nulls = [k for k, v in features.items() if v is None or v != v or v in _INFINITIES]
                    row = features  # non-string keys make the strict dumps below fail: careful path then
                except Exception:
                    row, nulls = _clean_mapping(features, self._limit)
                event: dict[str, Any] = {
                    SCHEMA: SCHEMA_VERSION, TIMESTAMP: iso, MODEL: model, MODEL_VERSION: version,
                    REQUEST_ID: request_id, ROW: 0, LATENCY_MS: latency_ms, FEATURES: row,
                    FEATURES_PRESENT: list(row), FEATURES_NULL: nulls,
                    PREDICTION: prediction if prediction.__class__ in _PLAIN else
                    _records.split_predictions(prediction, 1, self._limit)[0],
                }
                if self.processors:
                    event = self._processed(event, "info")  # type: ignore[assignment]
                    if event is None:
                        return
                try:
                    line = _orjson_dumps(event, default=self._hot_fallback, option=_STRICT_OPTIONS)
                except Exception:
                    event[FEATURES], event[FEATURES_NULL] = _clean_mapping(row, self._limit, check_strings=True)
                    event[FEATURES_PRESENT] = list(event[FEATURES])
                    line = R.dumps(event, self._limit)
                if len(line) > self._limit:
                    line = self._short_strings(event, line)
                self.writer.append(hour, line)
                return
            self._log(model, version, features, prediction, iso, hour, request_id, latency_ms, error)
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt) and error is None:
                raise
            self.failed += 1
            self._warn(f"featurewatch: dropped a record that could not be logged: {type(exc).__name__}: "
                       f"{R.name_text(exc)}")

    def _dropped(self) -> bool:
        """True when this request is not logged: logging is off, or sampling left it out (counted)."""
        if not self._enabled:
            return True
        if random.random() >= self._sample_rate:
            self.filtered += 1
            return True
        return False

    def _name(self, model: Any) -> str:
        """A model given as something else than a string: its text, ``None`` as ``record.UNKNOWN_MODEL``."""
        if model is None:
            self._warn(f"featurewatch: model=None is logged as model {R.UNKNOWN_MODEL!r}")
            return R.UNKNOWN_MODEL
        return R.name_text(model)

    def _short_strings(self, event: dict[str, Any], line: bytes) -> bytes:
        """Re-encode a long line with its strings cut to the limit (only when some string may be longer)."""
        features = event.get(FEATURES)
        if isinstance(features, dict):
            event[FEATURES] = _records.clean_mapping(features, self._limit, check_strings=True)[0]
            return R.dumps(event, self._limit)
        return line

    def _log(self, model: str, version: str | None, features: Any, prediction: Any, iso: str, hour: str,
             request_id: str, latency_ms: float | None, error: BaseException | None) -> None:
        """The general case: any input type, errors, redaction, processors.

        A single dict is a one-row RowSet here; only a plain DataFrame takes
        its own path (:func:`_lines.frame_lines`), every other case goes
        through :meth:`_row_events`.
        """
        limit = self._limit
        template = R.make_record(timestamp=iso, model=model, version=version, request_id=request_id,
                                 latency_ms=latency_ms)
        if error is not None:
            template[R.ERROR] = _error_field(error, limit)
        elif not (self.processors or self._redact) and _records.is_frame(features):
            from . import _lines  # numpy and pandas: loaded only when a DataFrame is logged

            count = len(features)
            blocks = _lines.frame_lines(template, features, _records.split_predictions(prediction, count, limit),
                                        limit)
            if blocks is not None:
                # All blocks first: a value that cannot be written drops the whole request, as on the dict path.
                for block, start, end in list(blocks):
                    self.writer.write(hour, block, end - start)
                return
        rows = _records.rows_from_input(features, limit)
        predictions = _records.split_predictions(prediction, len(rows), limit)
        events = self._row_events(template, rows, predictions, "info" if error is None else "error")
        lines, count = R.dumps_many(events, limit)
        if count:
            self.writer.write(hour, lines, count)

    def _row_events(self, template: dict[str, Any], rows: _records.RowSet, predictions: list[Any],
                    method: str, *, row_numbers: bool = True,
                    per_row: list[dict[str, Any]] | None = None) -> Iterator[dict[str, Any]]:
        """One event per row from a template, redacted and processed; dropped events are skipped.

        ``per_row`` holds fields that differ by row (replays: timestamp, request id, version).
        """
        for index, (row, present, nulls, prediction) in enumerate(
                zip(rows.features, rows.present, rows.nulls, predictions)):
            if self._redact:
                row, present, nulls = self._redacted(row, nulls)
            event = template.copy()
            if row_numbers:
                event[R.ROW] = index
            if per_row is not None:
                event.update(per_row[index])
            event[R.FEATURES] = row
            event[R.FEATURES_PRESENT] = present
            event[R.FEATURES_NULL] = nulls
            event[R.PREDICTION] = prediction
            if self.processors:
                processed = self._processed(event, method)
                if processed is None:
                    continue
                event = processed
            yield event

    def _processed(self, event: dict[str, Any], method: str) -> dict[str, Any] | None:
        """Run the structlog processor chain; None when a processor dropped the event.

        A processor must return the event dict: a renderer (``JSONRenderer``)
        at the end of the chain would turn records into strings, so its output
        is refused (the record dropped, one warning) rather than written corrupt.
        """
        processed: Any = event
        try:
            for processor in self.processors:
                processed = processor(self, method, processed)
        except structlog.DropEvent:
            self.filtered += 1
            return None
        if not isinstance(processed, dict):
            raise TypeError(f"a featurewatch processor returned {type(processed).__name__}, not the event dict "
                            f"(renderers such as JSONRenderer do not belong in featurewatch's chain)")
        return processed

    def _redacted(self, row: dict[str, Any], nulls: list[str]) -> tuple[dict[str, Any], list[str], list[str]]:
        """``(row, present, nulls)`` with the redacted features hashed or dropped."""
        row = _records.redact(row, self._redact, self.settings.redact_mode)
        if self.settings.redact_mode == "drop":
            nulls = [name for name in nulls if name not in self._redact]
        return row, list(row), nulls

    def log_rows(self, model: str, version: str | None, frame: Any, *,
                 timestamps: tuple[list[str], list[str]], request_ids: list[str],
                 predictions: list[Any] | None = None, versions: list[str] | None = None) -> int:
        """Log each row of a DataFrame as its own request (replays and backfills).

        ``timestamps`` holds the rows' ISO strings and hour keys, formatted by
        the caller in one vectorised pass. Returns the number of rows logged.
        """
        limit = self._limit
        count = len(frame)
        if model.__class__ is not str:
            model = self._name(model)
        lengths = {"timestamps": len(timestamps[0]), "hour keys": len(timestamps[1]), "request ids": len(request_ids),
                   "predictions": count if predictions is None else len(predictions),
                   "versions": count if versions is None else len(versions)}
        wrong = [f"{size} {name}" for name, size in lengths.items() if size != count]
        if wrong:
            raise ValueError(f"log_rows: {count} rows but {', '.join(wrong)}")
        cleaned = [None] * count if predictions is None else \
            [_records.split_predictions(p, 1, limit)[0] for p in predictions]
        iso, hours = timestamps  # files follow each event's own @timestamp
        template = R.make_record(timestamp=None, model=model, version=version, request_id=None)
        varying = {R.TIMESTAMP: iso, R.REQUEST_ID: request_ids}
        if versions is not None:
            varying[R.MODEL_VERSION] = versions
        if not (self.processors or self._redact):
            from . import _lines  # numpy and pandas: loaded only when a DataFrame is logged

            blocks = _lines.frame_lines(template, frame, cleaned, limit, per_row=varying, row_numbers=False)
            if blocks is not None:
                for block, start, end in list(blocks):  # all first: nothing is written if a row fails
                    self._write_by_hour(block, hours[start:end])
                return count
        rows = _records.rows_from_input(frame, limit)
        per_row = [{field: values[i] for field, values in varying.items()} for i in range(count)]
        events = self._row_events(template, rows, cleaned, "info", row_numbers=False, per_row=per_row)
        by_hour: dict[str, list[dict[str, Any]]] = {}
        for event in events:
            by_hour.setdefault(logfiles.hour_key_of(str(event.get(R.TIMESTAMP))), []).append(event)
        written = 0
        for hour, hour_events in by_hour.items():
            lines, written_here = R.dumps_many(hour_events, limit)
            self.writer.write(hour, lines, written_here)
            written += written_here
        return written

    def _write_by_hour(self, block: bytes, hours: list[str]) -> None:
        """Queue a block of lines whose rows may belong to several hours (``hours``: one per line)."""
        if hours[0] == hours[-1] and len(set(hours)) == 1:
            self.writer.write(hours[0], block, len(hours))
            return
        by_hour: dict[str, list[bytes]] = {}
        for hour, line in zip(hours, block.splitlines(keepends=True)):
            by_hour.setdefault(hour, []).append(line)
        for hour, lines in by_hour.items():
            self.writer.write(hour, b"".join(lines), len(lines))

    @contextlib.contextmanager
    def capture(self, receive: Callable[[bytes], None]) -> Iterator[None]:
        """Inside the block, hand each line to ``receive`` instead of writing it (``featurewatch.testing``).

        The lines are exactly those the files would get: cut, redacted,
        processed, from the DataFrame path too. Lines logged before the block
        are flushed to the files first.
        """
        self.writer.flush()
        files, self.writer = self.writer, CapturingWriter(receive)
        try:
            yield
        finally:
            self.writer = files

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
        except Exception:
            pass
