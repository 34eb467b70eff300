"""Detection windows: durations, clock alignment, whole-second bounds written without a fraction."""

from __future__ import annotations

import datetime as dt

import pytest

from featurewatch.errors import ConfigError
from featurewatch.window import Window, aligned_window, format_bound, parse_duration, parse_moment, window_ending

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return parse_moment(text)


class TestDurations:
    @pytest.mark.parametrize("text, seconds", [("30m", 1800), ("1h", 3600), ("1d", 86400), ("90min", 5400),
                                               ("1.5h", 5400), (" 45 s ", 45)])
    def test_valid(self, text, seconds):
        assert parse_duration(text) == dt.timedelta(seconds=seconds)

    @pytest.mark.parametrize("text", ["soon", "1w", "0h", "-1h", "0.5s", ""])
    def test_invalid_is_a_config_error_naming_the_value(self, text):
        with pytest.raises(ConfigError, match=repr(text).replace("(", r"\(")):
            parse_duration(text)


class TestAligned:
    @pytest.mark.parametrize("moment", ["2026-11-20T10:07:00Z", "2026-11-20T10:40:59.999999Z", "2026-11-20T10:00Z"])
    def test_an_hour_is_the_last_whole_clock_hour(self, moment):
        """A cron run at 10:07 and a rerun at 10:40 check the same 09:00-10:00 (and so does one at 10:00)."""
        window = aligned_window(dt.timedelta(hours=1), at(moment))
        assert (window.start, window.end) == (at("2026-11-20T09:00Z"), at("2026-11-20T10:00Z"))

    def test_a_day_is_the_last_whole_utc_day(self):
        window = aligned_window(dt.timedelta(days=1), at("2026-11-20T10:07:00+05:00"))
        assert (window.start, window.end) == (at("2026-11-19T00:00Z"), at("2026-11-20T00:00Z"))

    def test_half_an_hour(self):
        window = aligned_window(dt.timedelta(minutes=30), at("2026-11-20T10:07Z"))
        assert (window.start, window.end) == (at("2026-11-20T09:30Z"), at("2026-11-20T10:00Z"))

    def test_now_by_default(self):
        window = aligned_window(dt.timedelta(hours=1))
        now = dt.datetime.now(UTC)
        assert window.end <= now < window.end + dt.timedelta(hours=1) and window.end.minute == 0


class TestBounds:
    def test_window_ending_keeps_whole_seconds_only(self):
        """The unaligned window ends at the moment given, cut to the second on both bounds."""
        window = window_ending(dt.timedelta(hours=2), at("2026-11-20T10:07:30.654321Z"))
        assert str(window) == "2026-11-20T08:07:30Z → 2026-11-20T10:07:30Z"

    def test_bounds_are_written_without_a_fraction(self):
        assert format_bound(at("2026-11-20T10:07:30.654321+01:00")) == "2026-11-20T09:07:30Z"
        assert format_bound(dt.datetime(2026, 11, 20, 9)) == "2026-11-20T09:00:00Z"  # naive is UTC

    def test_fractions_are_cut_alike_on_both_bounds(self):
        window = Window(at("2026-11-20T09:00:00.999Z"), at("2026-11-20T10:00:00.001Z"))
        assert (window.start, window.end) == (at("2026-11-20T09:00Z"), at("2026-11-20T10:00Z"))

    def test_an_empty_window_is_a_config_error(self):
        with pytest.raises(ConfigError, match="is not after its start"):
            Window(at("2026-11-20T09:00:00.2Z"), at("2026-11-20T09:00:00.7Z"))
