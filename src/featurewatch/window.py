"""Detection windows: durations, clock-aligned windows, and how their bounds are written.

Cron runs ``detect --window 1h`` a few minutes after every hour, and reruns
it when something went wrong. For a rerun to *replace* the first run's
findings and metrics, both must check exactly the same window, so a window
is aligned to the clock by default: it ends at the last whole multiple of
its length since 1970-01-01T00:00Z at or before the moment it is asked for
(``1h``: the last whole hour; ``1d``: the last whole UTC day; ``30m``: the
last whole half hour). Bounds are whole seconds and are written without a
fraction (``2026-11-20T09:00:00Z``).

Both sources cut any window, from the CLI or the Python API, at the same
instant: Elasticsearch keeps dates to the millisecond (a record's
``…09:59:59.999700Z`` is stored as ``…59.999``) while the local files hold
microseconds, so each source compares with :func:`query_bound`, the bound
cut down to its millisecond. Then a record is in ``[start, end)`` locally
exactly when its stored millisecond is in Elasticsearch, for every record.

Pure: no I/O; it imports only the record format (timestamps) and the error types.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re

from . import record as R
from .errors import ConfigError

__all__ = ["Window", "parse_duration", "parse_moment", "format_bound", "query_bound", "aligned_window",
           "window_ending"]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d)\s*$")
_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)


def parse_duration(text: str) -> _dt.timedelta:
    """``"90m"``, ``"1h"``, ``"2d"``, ``"1.5h"`` → a timedelta of whole seconds; ConfigError otherwise."""
    match = _DURATION.match(text)
    if not match:
        raise ConfigError(f"{text!r} is not a duration such as 30m, 1h or 1d")
    seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if seconds < 1 or seconds != int(seconds):
        raise ConfigError(f"{text!r} is not a whole number of seconds of at least 1 s")
    return _dt.timedelta(seconds=int(seconds))


def parse_moment(text: str) -> _dt.datetime:
    """An ISO 8601 time (naive means UTC) → an aware UTC datetime; ConfigError otherwise."""
    try:
        return R.parse_timestamp(text.strip())
    except ValueError:
        raise ConfigError(f"{text!r} is not an ISO 8601 time such as 2026-11-26T18:00:00Z") from None


def _whole_second(moment: _dt.datetime) -> _dt.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.UTC)
    return moment.astimezone(_dt.UTC).replace(microsecond=0)


def format_bound(moment: _dt.datetime) -> str:
    """A window bound as written everywhere: UTC, whole seconds, ``Z`` (``2026-11-20T09:00:00Z``)."""
    return _whole_second(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def query_bound(moment: _dt.datetime) -> str:
    """A bound as the sources compare records with it: UTC, cut to the millisecond, in the record's format.

    ``2026-11-20T10:00:00.000400Z`` → ``2026-11-20T10:00:00.000000Z``. A bound
    of whole milliseconds ``B`` admits a record ``t`` (microseconds) by
    ``t >= B`` exactly when it admits ``t`` cut to its millisecond, which is
    what Elasticsearch compares: so both paths agree on every record.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.UTC)
    moment = moment.astimezone(_dt.UTC)
    return R.format_timestamp(moment.replace(microsecond=moment.microsecond // 1000 * 1000))


@dataclasses.dataclass(frozen=True)
class Window:
    """``[start, end)`` in whole UTC seconds (a fraction given is cut off, on both bounds alike)."""

    start: _dt.datetime
    end: _dt.datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _whole_second(self.start))
        object.__setattr__(self, "end", _whole_second(self.end))
        if self.end <= self.start:
            raise ConfigError(f"the window's end {format_bound(self.end)} is not after its start "
                              f"{format_bound(self.start)}")

    @property
    def length(self) -> _dt.timedelta:
        """``end - start``."""
        return self.end - self.start

    def __str__(self) -> str:
        return f"{format_bound(self.start)} → {format_bound(self.end)}"


def aligned_window(length: _dt.timedelta, at: _dt.datetime | None = None) -> Window:
    """The window of ``length`` that ends at the last whole multiple of ``length`` at or before ``at`` (now).

    At 10:07, ``aligned_window(1h)`` is 09:00–10:00; at exactly 10:00 too.
    """
    seconds = int(length.total_seconds())
    if seconds < 1 or length != _dt.timedelta(seconds=seconds):
        raise ConfigError(f"a window's length must be a whole number of seconds, not {length}")
    moment = _whole_second(at if at is not None else _dt.datetime.now(_dt.UTC))
    elapsed = int((moment - _EPOCH).total_seconds())
    end = _EPOCH + _dt.timedelta(seconds=elapsed - elapsed % seconds)
    return Window(end - length, end)


def window_ending(length: _dt.timedelta, at: _dt.datetime | None = None) -> Window:
    """The window of ``length`` that ends at ``at`` (now), to the second: not aligned to the clock."""
    end = _whole_second(at if at is not None else _dt.datetime.now(_dt.UTC))
    return Window(end - length, end)
