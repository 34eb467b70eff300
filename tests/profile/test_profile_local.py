"""The local source: file selection, filters, chunking, the Arrow and line-by-line paths agree."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from featurewatch import record as R
from featurewatch.errors import ConfigError
from featurewatch.profile import LocalSource
from featurewatch.profile.local import _ChunkReader
from helpers import (
    END,
    START,
    profile_frame,
    raw_record,
    synthetic_frame,
    write_logs,
    write_records,
)


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """2,000 synthetic records logged through the shim over [START, END)."""
    frame = synthetic_frame(2000, seed=77)
    log_dir = write_logs(tmp_path_factory.mktemp("logs"), frame, model="synth", prediction="score")
    return frame, log_dir


def _same(a, b):
    """Profiles equal, floats compared with a relative tolerance (sums depend on addition order)."""
    da, db = a.to_dict(), b.to_dict()
    for name in da["features"]:
        fa, fb = da["features"][name], db["features"][name]
        assert fa.pop("total") == pytest.approx(fb.pop("total"), rel=1e-9), name
    assert da == db


class TestLocalSource:
    def test_matches_counting_the_frame(self, synth, logged):
        """Profile from the shim's files equals the profile counted straight from the same rows."""
        frame, log_dir = logged
        from_files = LocalSource(log_dir, workers=1).profile(synth, START, END)
        _same(from_files, profile_frame(synth, frame, prediction="score"))

    def test_workers_and_chunks_do_not_change_counts(self, synth, logged):
        """Parallel workers, tiny chunks and tiny byte ranges (lines cut anywhere) give the same profile."""
        _, log_dir = logged
        one = LocalSource(log_dir, workers=1).profile(synth, START, END)
        _same(LocalSource(log_dir, workers=2, chunk_bytes=4096).profile(synth, START, END), one)
        _same(LocalSource(log_dir, workers=2, chunk_bytes=1000, piece_bytes=7777).profile(synth, START, END), one)

    @pytest.mark.parametrize("piece", [1, 2, 3, 5, 8, 13, 50])
    def test_byte_ranges_read_every_line_once(self, tmp_path, piece):
        """Consecutive ranges of any size yield each line exactly once (also a last line without newline)."""
        from featurewatch.profile.local import _chunks

        path = tmp_path / "f"
        lines = [b"a", b"bb", b"", b"cccc", b"d" * 9, b"e"]
        path.write_bytes(b"\n".join(lines))
        size = path.stat().st_size
        got = b"".join(b"".join(_chunks(path, 4, begin, min(begin + piece, size)))
                       for begin in range(0, size, piece))
        assert got.split(b"\n") == lines

    def test_window_and_model_filters(self, synth, logged, tmp_path):
        """Only records of the baseline's model with start <= @timestamp < end are counted."""
        _, log_dir = logged
        half = START + dt.timedelta(hours=1)
        first = LocalSource(log_dir, workers=1).profile(synth, START, half)
        second = LocalSource(log_dir, workers=1).profile(synth, half, END)
        assert first.records + second.records == 2000 and first.records > 0 and second.records > 0
        other = dataclasses.replace(synth, model="someone-else")
        assert LocalSource(log_dir, workers=1).profile(other, START, END).records == 0

    def test_arrow_and_line_paths_agree(self, synth, logged):
        """The fallback parser counts exactly what the Arrow reader counts on the same chunk."""
        _, log_dir = logged
        chunk = b"".join(p.read_bytes() for p in sorted(log_dir.rglob("*.jsonl")))
        reader = _ChunkReader(synth, R.format_timestamp(START), R.format_timestamp(END))
        arrow = reader.count(chunk)
        lines = reader._count_lines(chunk)
        assert arrow.records == 2000
        _same(arrow, lines)

    def test_missing_folder_is_a_backend_error(self, synth, tmp_path):
        with pytest.raises(ConfigError, match="log folder not found"):
            LocalSource(tmp_path / "nope").profile(synth, START, END)

    def test_empty_folder_is_an_empty_profile(self, synth, tmp_path):
        assert LocalSource(tmp_path).profile(synth, START, END).records == 0

    def test_files_outside_the_window_are_not_opened(self, synth, tmp_path):
        """Files are picked by the hour in their name: a file named for another hour is never read."""
        write_records(tmp_path, [raw_record({"age": 30})])
        write_records(tmp_path, [raw_record({"age": 31}, row=1)], hour=START - dt.timedelta(hours=5))
        assert LocalSource(tmp_path, workers=1).profile(synth, START, END).records == 1
        assert LocalSource(tmp_path, workers=1).profile(synth, START - dt.timedelta(hours=5), END).records == 2


class TestMessyRecords:
    def test_mistyped_values_are_violations_not_crashes(self, synth, tmp_path):
        """Strings in numbers, objects in categories, numbers in text, strings in booleans: type violations."""
        good = {"amount": 10.5, "age": 30, "ratio": 0.2, "colour": "red", "merchant": "m1", "member": True,
                "note": "word1 word2", "user_id": "u1"}
        records = [raw_record(good, row=i) for i in range(20)]
        records.append(raw_record({**good, "amount": "12.50"}, row=100))
        records.append(raw_record({**good, "age": True}, row=101))
        records.append(raw_record({**good, "colour": {"nested": 1}}, row=102))
        records.append(raw_record({**good, "note": 12345}, row=103))
        records.append(raw_record({**good, "member": "yes"}, row=104))
        records.append(raw_record({**good, "merchant": [1, 2]}, row=105))
        write_records(tmp_path, records)
        profile = LocalSource(tmp_path, workers=1).profile(synth, START, END)
        assert profile.records == 26
        assert profile.feature("amount").violations == 1
        assert profile.feature("age").violations == 1
        assert profile.feature("colour").violations == 1
        assert profile.feature("merchant").violations == 1
        assert profile.feature("note").violations == 1  # training notes were all strings
        assert profile.feature("note").unseen_tokens == 0
        assert profile.feature("member").violations == 1 and profile.feature("member").unseen == {}

    def test_torn_line_and_garbage_are_skipped(self, synth, tmp_path):
        path = write_records(tmp_path, [raw_record({"age": 30}, row=i) for i in range(5)])
        with path.open("ab") as handle:
            handle.write(b"[1, 2]\n{\"@timestamp\": \"2026-11-20T00:10:00.000000Z\", \"mod")
        profile = LocalSource(tmp_path, workers=1).profile(synth, START, END)
        assert (profile.records, profile.unreadable) == (5, 2)

    def test_absent_and_null_stay_apart(self, synth, tmp_path):
        records = [raw_record({"age": 30}, row=0), raw_record({"age": None}, row=1), raw_record({}, row=2)]
        write_records(tmp_path, records)
        age = LocalSource(tmp_path, workers=1).profile(synth, START, END).feature("age")
        assert (age.present, age.nulls, age.numbers) == (2, 1, 1)

    def test_numbers_land_in_bins_lower_edge_inclusive(self, synth, tmp_path):
        """A value equal to an edge counts in the bin that starts there (like a range aggregation)."""
        edges = synth.features["amount"].edges
        values = [edges[0] - 1, edges[0], edges[1], edges[-1]]
        write_records(tmp_path, [raw_record({"amount": v}, row=i) for i, v in enumerate(values)])
        bins = LocalSource(tmp_path, workers=1).profile(synth, START, END).feature("amount").bins
        expected = np.bincount(np.searchsorted(np.asarray(edges), values, side="right"), minlength=len(edges) + 1)
        assert bins == expected.tolist()
        assert bins[0] == 1 and bins[1] == 1 and bins[2] == 1 and bins[-1] == 1
