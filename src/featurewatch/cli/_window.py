"""Parsing a detection window from ``--start/--end`` or ``--window [--at]``."""

from __future__ import annotations

import datetime as _dt
import re

import click

from .. import record as R

__all__ = ["parse_duration", "parse_moment", "resolve_window"]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d)\s*$")
_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> _dt.timedelta:
    """``"90m"``, ``"1h"``, ``"2d"`` → a positive timedelta; BadParameter otherwise."""
    match = _DURATION.match(text)
    if not match or float(match.group(1)) <= 0:
        raise click.BadParameter(f"{text!r} is not a duration such as 30m, 1h or 1d", param_hint="--window")
    return _dt.timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def parse_moment(text: str, name: str) -> _dt.datetime:
    """An ISO 8601 time (naive means UTC) → aware UTC datetime; BadParameter otherwise."""
    try:
        return R.parse_timestamp(text.strip())
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 time such as 2026-11-26T18:00:00Z",
                                 param_hint=name) from None


def resolve_window(start: str | None, end: str | None, window: str | None, at: str | None,
                   now: _dt.datetime | None = None) -> tuple[_dt.datetime, _dt.datetime]:
    """``[start, end)`` from either ``--start/--end`` or ``--window`` ending ``--at`` (default now)."""
    if window is not None:
        if start is not None or end is not None:
            raise click.UsageError("give either --start/--end or --window, not both")
        stop = parse_moment(at, "--at") if at is not None else (now or _dt.datetime.now(_dt.timezone.utc))
        return stop - parse_duration(window), stop
    if at is not None:
        raise click.UsageError("--at goes with --window")
    if start is None or end is None:
        raise click.UsageError("give the window: --start and --end, or --window (e.g. --window 1h)")
    first, last = parse_moment(start, "--start"), parse_moment(end, "--end")
    if last <= first:
        raise click.UsageError(f"--end {end} is not after --start {start}")
    return first, last
