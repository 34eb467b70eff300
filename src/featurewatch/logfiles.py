"""Names of the shim's log files, and picking the files of a time window.

The shim writes one file per process per hour of the *record's* timestamp::

    <log_dir>/featurewatch-20261126T18-<host>-<pid>-<token>.jsonl

so every record in a file lies in ``[hour, hour + 1h)``, and readers (the
local window source, the shipper) can pick the files of a window by name alone.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Iterator
from pathlib import Path

__all__ = ["PREFIX", "SUFFIX", "file_name", "hour_key", "hour_key_of", "hour_of", "files_for_window", "log_files"]

PREFIX = "featurewatch-"
SUFFIX = ".jsonl"
_HOUR_FORMAT = "%Y%m%dT%H"
_NAME = re.compile(r"^featurewatch-(\d{8}T\d{2})-.+\.jsonl$")


def file_name(hour_key: str, process_tag: str) -> str:
    """File name for records of ``hour_key`` (``YYYYMMDDTHH``) written by one process."""
    return f"{PREFIX}{hour_key}-{process_tag}{SUFFIX}"


def hour_key(moment: _dt.datetime) -> str:
    """The ``YYYYMMDDTHH`` key of a datetime's hour in UTC (naive means UTC), the year in four digits.

    Not ``strftime``: its ``%Y`` does not zero-pad years before 1000 on glibc,
    and the names must sort as the hours do.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(_dt.UTC)
    return f"{moment.year:04d}{moment.month:02d}{moment.day:02d}T{moment.hour:02d}"


def hour_key_of(timestamp: str) -> str:
    """The hour key of a record's ``@timestamp`` text (as :func:`featurewatch.record.format_timestamp`
    writes it: ``YYYY-MM-DDTHH:...``), without parsing it."""
    return f"{timestamp[0:4]}{timestamp[5:7]}{timestamp[8:10]}T{timestamp[11:13]}"


def hour_of(path: str | Path) -> _dt.datetime | None:
    """Start of the hour a log file covers, or None for a name that is not ours."""
    match = _NAME.match(Path(path).name)
    if not match:
        return None
    return _dt.datetime.strptime(match.group(1), _HOUR_FORMAT).replace(tzinfo=_dt.UTC)


def log_files(log_dir: str | os.PathLike[str]) -> list[Path]:
    """Every featurewatch log file under ``log_dir`` (recursively), sorted by name."""
    root = Path(log_dir)
    return sorted(p for p in root.rglob(f"{PREFIX}*{SUFFIX}") if p.is_file() and hour_of(p) is not None)


def files_for_window(log_dir: str | os.PathLike[str], start: _dt.datetime, end: _dt.datetime) -> Iterator[Path]:
    """The log files whose hour overlaps ``[start, end)`` (aware datetimes)."""
    one_hour = _dt.timedelta(hours=1)
    for path in log_files(log_dir):
        hour = hour_of(path)
        assert hour is not None
        if hour < end and hour + one_hour > start:
            yield path
