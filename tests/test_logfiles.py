"""Log file names: one hour key, years of four digits, names that sort as the hours do."""

from __future__ import annotations

import datetime as dt

import pytest

from featurewatch import logfiles
from featurewatch import record as R

UTC = dt.UTC


class TestHourKey:
    @pytest.mark.parametrize("moment,key", [
        (dt.datetime(2026, 11, 26, 18, 59, tzinfo=UTC), "20261126T18"),
        (dt.datetime(999, 12, 31, 23, tzinfo=UTC), "09991231T23"),
        (dt.datetime(2026, 11, 26, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))), "20261125T22"),
        (dt.datetime(2026, 1, 1, 5), "20260101T05"),
    ])
    def test_key_of_a_moment(self, moment, key):
        """UTC hour, zero-padded year (glibc's strftime writes ``999``)."""
        assert logfiles.hour_key(moment) == key
        assert logfiles.hour_key_of(R.format_timestamp(moment)) == key

    def test_file_names_round_trip_and_sort_by_hour(self):
        hours = [dt.datetime(999, 12, 31, 23, tzinfo=UTC), dt.datetime(1000, 1, 1, 0, tzinfo=UTC),
                 dt.datetime(2026, 1, 1, 0, tzinfo=UTC)]
        names = [logfiles.file_name(logfiles.hour_key(hour), "host-1-abc") for hour in hours]
        assert names == sorted(names)
        assert [logfiles.hour_of(name) for name in names] == hours
