"""Window and duration options: ``--start/--end`` or ``--window [--at] [--no-align]``, and DURATION values.

The rules live in :mod:`featurewatch.window`; this module turns their
ConfigErrors into usage errors that name the option (exit 2).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any, TypeVar

import click

from .. import window as W
from ..errors import ConfigError

__all__ = ["Duration", "duration", "window_options", "window_from_options", "resolve_window"]

F = TypeVar("F", bound=Callable[..., Any])


class Duration(click.ParamType):
    """A duration such as ``30m``, ``1h``, ``1d`` (whole seconds), checked when the command line is parsed."""

    name = "duration"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> _dt.timedelta:
        if isinstance(value, _dt.timedelta):
            return value
        try:
            return W.parse_duration(str(value))
        except ConfigError as exc:
            self.fail(str(exc), param, ctx)


#: Use as ``click.option("--since", type=duration, ...)``.
duration = Duration()


def _moment(text: str, name: str) -> _dt.datetime:
    try:
        return W.parse_moment(text)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint=name) from None


def window_options(func: F) -> F:
    """``--start``, ``--end``, ``--window``, ``--at`` and ``--no-align``, spelled once for every command."""
    options = [
        click.option("--start", default=None, metavar="ISO", help="Window start (ISO 8601, inclusive)."),
        click.option("--end", default=None, metavar="ISO", help="Window end (ISO 8601, exclusive)."),
        click.option("--window", default=None, metavar="DURATION",
                     help="Window length, aligned to the clock: at 10:07, 1h is 09:00-10:00, 1d the last whole "
                          "UTC day, 30m the last whole half hour (reruns check the same window)."),
        click.option("--at", default=None, metavar="ISO",
                     help="With --window: the window that ends at or before this time [default: now]."),
        click.option("--no-align", "no_align", is_flag=True,
                     help="With --window: end the window at --at (or now) to the second, not on the clock."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def window_from_options(start: str | None, end: str | None, window: str | None, at: str | None,
                        no_align: bool = False, now: _dt.datetime | None = None) -> W.Window:
    """The window of ``--start/--end`` or of ``--window [--at] [--no-align]``; UsageError/BadParameter otherwise."""
    if window is not None:
        if start is not None or end is not None:
            raise click.UsageError("give either --start/--end or --window, not both")
        length = _length(window)
        moment = _moment(at, "--at") if at is not None else now
        return W.window_ending(length, moment) if no_align else W.aligned_window(length, moment)
    if at is not None or no_align:
        raise click.UsageError(f"{'--at' if at is not None else '--no-align'} goes with --window")
    if start is None or end is None:
        raise click.UsageError("give the window: --start and --end, or --window (e.g. --window 1h)")
    first, last = _moment(start, "--start"), _moment(end, "--end")
    if last <= first:
        raise click.UsageError(f"--end {end} is not after --start {start}")
    try:
        return W.Window(first, last)
    except ConfigError as exc:  # after cutting fractions of a second, the window may be empty
        raise click.UsageError(str(exc)) from None


def _length(text: str) -> _dt.timedelta:
    try:
        return W.parse_duration(text)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--window") from None


def resolve_window(start: str | None, end: str | None, window: str | None, at: str | None,
                   now: _dt.datetime | None = None) -> tuple[_dt.datetime, _dt.datetime]:
    """``(start, end)`` of :func:`window_from_options` (aligned), for commands that take a plain pair."""
    found = window_from_options(start, end, window, at, now=now)
    return found.start, found.end
