"""Tests for featurewatch.ship.tailer and featurewatch.ship.checkpoint (local files, no cluster)."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from featurewatch.errors import BackendError
from featurewatch.ship.checkpoint import CheckpointStore
from featurewatch.ship.discovery import is_source_file
from featurewatch.ship.tailer import Tailer

NAME = "featurewatch-20261126T18-host-1-abc.jsonl"


def _lines(start: int, count: int) -> bytes:
    return b"".join(orjson.dumps({"@timestamp": "2026-11-26T18:00:00Z", "model": "m", "request_id": f"r{i}",
                                  "pad": "x" * 40}) + b"\n" for i in range(start, start + count))


def _append(path: Path, data: bytes) -> None:
    with path.open("ab") as handle:
        handle.write(data)


def _ids(data: bytes) -> list[int]:
    return [int(orjson.loads(line)["request_id"][1:]) for line in data.splitlines() if line.strip()]


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def _drain(tailer: Tailer) -> list[int]:
    """One shipper-like pass: scan, read everything complete, acknowledge it, save."""
    tailer.scan()
    got: list[int] = []
    offsets = {}
    for tracked in tailer.ordered():
        while (chunk := tailer.read(tracked, limit=500)) is not None:
            got += _ids(chunk.data)
            offsets[chunk.key] = chunk.end
    tailer.acknowledge(offsets)
    tailer.release_finished()
    tailer.store.save()
    return got


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    return folder


def _tailer(tmp_path: Path, logs: Path) -> Tailer:
    return Tailer(logs, CheckpointStore(tmp_path / "ckpt" / "checkpoint.json").load(), chunk_bytes=500)


class TestCheckpointStore:
    def test_round_trip_and_atomic_write(self, tmp_path: Path, logs: Path):
        """Saved offsets load back; no temporary file is left behind."""
        (logs / NAME).write_bytes(_lines(0, 5))
        tailer = _tailer(tmp_path, logs)
        assert _drain(tailer) == list(range(5))
        loaded = CheckpointStore(tmp_path / "ckpt" / "checkpoint.json").load()
        [entry] = loaded.files.values()
        assert entry.offset == (logs / NAME).stat().st_size and entry.fp_len > 0
        assert os.listdir(tmp_path / "ckpt") == ["checkpoint.json"]

    def test_corrupt_checkpoint_is_a_clear_error(self, tmp_path: Path):
        """A torn or foreign checkpoint file raises BackendError saying what to do."""
        path = tmp_path / "checkpoint.json"
        path.write_text("{not json")
        with pytest.raises(BackendError, match="corrupt checkpoint"):
            CheckpointStore(path).load()


class TestTailer:
    def test_source_file_names(self):
        """Rotated names are followed; compressed and unrelated files are not."""
        assert is_source_file(NAME) and is_source_file(NAME + ".1")
        assert not is_source_file(NAME + ".gz") and not is_source_file("other.jsonl")

    def test_partial_last_line_waits_for_its_newline(self, tmp_path: Path, logs: Path):
        """Bytes after the last newline are not read until the line is complete."""
        data = _lines(0, 3)
        (logs / NAME).write_bytes(data[:-10])
        tailer = _tailer(tmp_path, logs)
        assert _drain(tailer) == [0, 1]
        _append(logs / NAME, data[-10:])
        assert _drain(tailer) == [2]

    def test_new_files_and_growth_are_picked_up(self, tmp_path: Path, logs: Path):
        """Files appearing later and lines appended later are read exactly once."""
        (logs / NAME).write_bytes(_lines(0, 4))
        tailer = _tailer(tmp_path, logs)
        assert _drain(tailer) == [0, 1, 2, 3]
        (logs / "sub").mkdir()
        (logs / "sub" / NAME.replace("T18", "T19")).write_bytes(_lines(4, 2))
        _append(logs / NAME, _lines(6, 1))
        assert sorted(_drain(tailer)) == [4, 5, 6]
        assert _drain(tailer) == []

    def test_rename_and_create_rotation(self, tmp_path: Path, logs: Path):
        """A renamed file keeps its offset (lines written before the rename still come), the new one starts at 0."""
        (logs / NAME).write_bytes(_lines(0, 5))
        tailer = _tailer(tmp_path, logs)
        assert _drain(tailer) == list(range(5))
        _append(logs / NAME, _lines(5, 2))
        os.rename(logs / NAME, logs / (NAME + ".1"))
        (logs / NAME).write_bytes(_lines(7, 3))
        assert sorted(_drain(tailer)) == list(range(5, 10))
        assert _drain(tailer) == []

    def test_rename_to_a_foreign_name_still_reads_the_rest(self, tmp_path: Path, logs: Path):
        """A file renamed out of the scanned names is read to its end through the open descriptor."""
        (logs / NAME).write_bytes(_lines(0, 2))
        tailer = _tailer(tmp_path, logs)
        assert _drain(tailer) == [0, 1]
        _append(logs / NAME, _lines(2, 2))
        os.rename(logs / NAME, logs / "archived.log")
        assert _drain(tailer) == [2, 3]
        assert tailer.files == {}

    def test_copy_truncate_rotation(self, tmp_path: Path, logs: Path):
        """The copy resumes where the original was acknowledged; the truncated original restarts at 0."""
        (logs / NAME).write_bytes(_lines(0, 5))
        tailer = _tailer(tmp_path, logs)
        assert _drain(tailer) == list(range(5))
        _append(logs / NAME, _lines(5, 2))  # written after our last read, before the copy
        shutil.copyfile(logs / NAME, logs / (NAME + ".1"))
        with (logs / NAME).open("r+b") as handle:
            handle.truncate(0)
        _append(logs / NAME, _lines(7, 1))
        assert sorted(_drain(tailer)) == [5, 6, 7]
        assert _drain(tailer) == []

    def test_truncation_in_place_restarts_at_zero(self, tmp_path: Path, logs: Path):
        """A file cut shorter than its offset is read again from the start."""
        (logs / NAME).write_bytes(_lines(0, 5))
        tailer = _tailer(tmp_path, logs)
        _drain(tailer)
        (logs / NAME).write_bytes(_lines(100, 2))
        assert _drain(tailer) == [100, 101]
        assert tailer.truncations == 1

    def test_deleted_file_is_dropped_after_its_rest_is_read(self, tmp_path: Path, logs: Path):
        """Unread lines of a deleted (but open) file are still read; then the file leaves the checkpoint."""
        (logs / NAME).write_bytes(_lines(0, 2))
        tailer = _tailer(tmp_path, logs)
        _drain(tailer)
        _append(logs / NAME, _lines(2, 1))
        os.unlink(logs / NAME)
        assert _drain(tailer) == [2]
        _drain(tailer)
        assert tailer.store.files == {}

    def test_restart_resumes_at_the_acknowledged_offset(self, tmp_path: Path, logs: Path):
        """A new tailer on the same checkpoint reads only what was not acknowledged."""
        (logs / NAME).write_bytes(_lines(0, 3))
        assert _drain(_tailer(tmp_path, logs)) == [0, 1, 2]
        _append(logs / NAME, _lines(3, 2))
        assert _drain(_tailer(tmp_path, logs)) == [3, 4]

    def test_restart_after_copy_truncate_does_not_reread_the_copy(self, tmp_path: Path, logs: Path):
        """After a restart, a copy of a known file is recognised by its fingerprint."""
        (logs / NAME).write_bytes(_lines(0, 4))
        _drain(_tailer(tmp_path, logs))
        shutil.copyfile(logs / NAME, logs / (NAME + ".1"))
        with (logs / NAME).open("r+b") as handle:
            handle.truncate(0)
        assert _drain(_tailer(tmp_path, logs)) == []

    def test_inode_reuse_with_other_content_starts_at_zero(self, tmp_path: Path, logs: Path):
        """Same device and inode but different first bytes is a different file."""
        (logs / NAME).write_bytes(_lines(0, 4))
        tailer = _tailer(tmp_path, logs)
        _drain(tailer)
        [entry] = tailer.store.files.values()
        entry.fp = "0" * 24  # as if the inode now held another file
        tailer.store.save()
        assert _drain(_tailer(tmp_path, logs)) == [0, 1, 2, 3]

    def test_delete_shipped_only_removes_fully_acknowledged_old_files(self, tmp_path: Path, logs: Path):
        """Files are deleted only when acknowledged to the end and old enough."""
        old, new = logs / NAME, logs / NAME.replace("T18", "T19")
        old.write_bytes(_lines(0, 2))
        new.write_bytes(_lines(2, 2))
        tailer = _tailer(tmp_path, logs)
        _drain(tailer)
        _append(new, _lines(4, 1))
        os.utime(old, (1, 1))
        os.utime(new, (1, 1))
        tailer.scan()
        assert tailer.delete_shipped(3600) == [str(old)]
        assert new.exists() and not old.exists()


    def test_a_look_alike_of_a_file_still_present_starts_at_zero(self, tmp_path: Path, logs: Path):
        """A new file beginning with the same first KiB as a shipped file that is still there is another
        file, read from 0; only the fingerprint of a file gone from its inode stands for a copy."""
        original = _lines(0, 40)
        (logs / NAME).write_bytes(original)
        tailer = _tailer(tmp_path, logs)
        assert _drain(tailer) == list(range(40))
        head = original[: original.index(b"\n", 1100) + 1]  # whole lines, more than the fingerprinted KiB
        (logs / NAME.replace("T18", "T19")).write_bytes(head + _lines(100, 40))
        assert _drain(tailer) == _ids(head) + list(range(100, 140))


class TestDescriptors:
    def test_never_more_descriptors_than_the_budget(self, tmp_path: Path, logs: Path):
        """40 files with a budget of 4 descriptors: every line is read once, at most 4 descriptors are held."""
        for i in range(40):
            (logs / NAME.replace("host-1", f"host-{i}")).write_bytes(_lines(i * 3, 3))
        tailer = Tailer(logs, CheckpointStore(tmp_path / "ckpt.json"), chunk_bytes=500, max_open=4)
        baseline = _open_descriptors()
        tailer.scan()
        peak = _open_descriptors() - baseline
        got: list[int] = []
        for tracked in tailer.ordered():
            while (chunk := tailer.read(tracked)) is not None:
                got += _ids(chunk.data)
                peak = max(peak, _open_descriptors() - baseline)
        assert sorted(got) == list(range(120)) and peak <= 4
        tailer.close()
        assert _open_descriptors() == baseline

    def test_a_vanished_files_descriptor_is_kept_until_its_rest_is_read(self, tmp_path: Path, logs: Path):
        """With a budget of one, a file renamed away keeps the descriptor until its rest is read;
        a new file waits for the next scan instead of taking it."""
        (logs / NAME).write_bytes(_lines(0, 2))
        tailer = Tailer(logs, CheckpointStore(tmp_path / "ckpt.json"), chunk_bytes=500, max_open=1)
        assert _drain(tailer) == [0, 1]
        _append(logs / NAME, _lines(2, 2))
        os.rename(logs / NAME, logs / "archived.log")
        (logs / NAME.replace("T18", "T19")).write_bytes(_lines(4, 2))
        assert _drain(tailer) == [2, 3]
        assert _drain(tailer) == [4, 5]


    def test_a_vanished_file_ending_in_an_incomplete_line_lets_go_when_idle(self, tmp_path: Path, logs: Path):
        """A file renamed away whose rest is an unfinished line gives its descriptor back once unchanged for
        close_inactive seconds, and says so: it cannot starve the other files of descriptors."""
        (logs / NAME).write_bytes(_lines(0, 2) + b'{"unfinished')
        warnings: list[str] = []
        tailer = Tailer(logs, CheckpointStore(tmp_path / "ckpt.json"), chunk_bytes=500, max_open=1,
                        close_inactive=60, warn=warnings.append)
        assert _drain(tailer) == [0, 1]
        os.rename(logs / NAME, logs / "archived.log")
        (logs / NAME.replace("T18", "T19")).write_bytes(_lines(2, 2))
        assert _drain(tailer) == []  # the vanished file holds the only descriptor
        tailer.release_finished(now=time.time() + 61)
        assert warnings == [f"{logs / NAME} was deleted or renamed away and has not changed for 60 s: its last 12 "
                            f"bytes, at byte {len(_lines(0, 2))}, are an incomplete line and are not shipped"]
        assert _drain(tailer) == [2, 3]


class TestSkipped:
    def test_a_named_pipe_is_skipped_and_said_once(self, tmp_path: Path, logs: Path):
        """A FIFO named like a log file is never opened (that would block); it is said once, the log is read."""
        (logs / NAME).write_bytes(_lines(0, 3))
        pipe = logs / NAME.replace("T18", "T17")
        os.mkfifo(pipe)
        warnings: list[str] = []
        tailer = Tailer(logs, CheckpointStore(tmp_path / "ckpt.json"), warn=warnings.append)
        assert _drain(tailer) == [0, 1, 2]
        assert _drain(tailer) == []
        assert warnings == [f"skipping {pipe}: a named pipe, not a regular file"]
        assert tailer.skipped.not_regular == {str(pipe)}

    def test_an_unreadable_file_is_counted_and_named_each_time_it_is_skipped(self, tmp_path: Path, logs: Path,
                                                                            monkeypatch):
        """A file that cannot be opened is listed with its unshipped bytes, named when skipped (again after
        WARN_AGAIN_AFTER seconds), and read in full once it can be."""
        from featurewatch.ship.discovery import WARN_AGAIN_AFTER

        (logs / NAME).write_bytes(_lines(0, 2))
        locked = logs / NAME.replace("T18", "T19")
        locked.write_bytes(_lines(10, 3))
        real_open = os.open

        def refuse(path, flags, *args):
            if str(path) == str(locked):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, flags, *args)

        monkeypatch.setattr(os, "open", refuse)
        warnings: list[str] = []
        tailer = Tailer(logs, CheckpointStore(tmp_path / "ckpt.json"), warn=warnings.append)
        start = time.time()
        tailer.scan(now=start)
        tailer.scan(now=start + 1)
        assert tailer.skipped.unreadable == {str(locked): locked.stat().st_size}
        assert tailer.bytes_behind() == locked.stat().st_size + (logs / NAME).stat().st_size
        message = f"skipping {locked}: cannot read it (Permission denied); its records wait until it can be read"
        assert warnings == [message]
        tailer.scan(now=start + WARN_AGAIN_AFTER + 1)
        assert warnings == [message, message]
        monkeypatch.setattr(os, "open", real_open)
        assert sorted(_drain(tailer)) == [0, 1, 10, 11, 12]
        assert tailer.skipped.unreadable == {} and tailer.bytes_behind() == 0

    def test_a_runaway_line_is_cut_counted_and_said(self, tmp_path: Path, logs: Path):
        """A line longer than max_line_bytes comes in pieces of that size (they become dead letters),
        each counted and said; the lines after it are read as usual."""
        runaway = b"x" * 2500 + b"\n"
        (logs / NAME).write_bytes(runaway + _lines(0, 1))
        warnings: list[str] = []
        tailer = Tailer(logs, CheckpointStore(tmp_path / "ckpt.json"), chunk_bytes=256, max_line_bytes=1024,
                        warn=warnings.append)
        tailer.scan()
        [tracked] = tailer.ordered()
        pieces = []
        while (chunk := tailer.read(tracked)) is not None:
            pieces.append(chunk.data)
        assert b"".join(pieces) == runaway + _lines(0, 1)
        assert [len(piece) for piece in pieces[:2]] == [1024, 1024]
        assert tailer.oversized_lines == 2 and len(warnings) == 2
        assert warnings[0] == (f"{logs / NAME}: a line longer than 1,024 bytes at byte 0 was cut; "
                               "the pieces go to the dead-letter file")


class TestTailerProperties:
    @settings(max_examples=40, deadline=None)
    @given(cuts=st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=30),
           limit=st.integers(min_value=1, max_value=300))
    def test_any_write_pattern_yields_each_line_once_in_order(self, tmp_path_factory, cuts, limit):
        """Whatever sizes the writes have (splitting lines anywhere) and whatever the read size, each
        complete line is read exactly once, in order, and nothing incomplete is read."""
        root = tmp_path_factory.mktemp("prop")
        logs = root / "logs"
        logs.mkdir()
        data = _lines(0, 25)
        tailer = Tailer(logs, CheckpointStore(root / "ckpt.json"), chunk_bytes=limit)
        path = logs / NAME
        path.write_bytes(b"")
        got: list[int] = []
        position = 0
        for cut in cuts + [len(data)]:
            piece = data[position:position + cut]
            position += len(piece)
            _append(path, piece)
            got += _drain(tailer)
            complete = data[:position].count(b"\n")
            assert got == list(range(complete))
            if position >= len(data):
                break
        assert got == list(range(25))
