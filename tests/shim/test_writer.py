"""The shim's files: per process, per hour, durable on flush, never breaking the caller."""

from __future__ import annotations

import errno
import multiprocessing
import os
import shutil

import numpy as np
import orjson
import pandas as pd
import pytest

import featurewatch as fw
from featurewatch import logfiles, shim
from featurewatch import record as R
from featurewatch.shim import _writer
from tests.conftest import read_records


def _log_many(log_dir: str, worker: int, count: int) -> None:
    fw.configure(log_dir=log_dir)
    features = {f"f{i}": (i if i % 2 else f"v{i}") for i in range(20)}
    for index in range(count):
        fw.log_request(model="m", features={**features, "worker": worker, "i": index}, prediction=index)
    fw.flush()


def _configure(log_dir: str) -> None:
    fw.configure(log_dir=log_dir, flush_interval=60)  # no timed flush: only the exit hooks can save the rows


def _log_rows(task: tuple[int, int]) -> int:
    """Log ``count`` rows of worker ``worker`` and return without flushing."""
    worker, count = task
    for index in range(count):
        fw.log_request(model="m", features={"worker": worker, "i": index, "pad": "x" * 40})
    return os.getpid()


def _lines(log_dir) -> list[bytes]:
    return [line for path in logfiles.log_files(log_dir) for line in path.read_bytes().splitlines()]


def _each_row_once(log_dir, workers: int, count: int) -> None:
    lines = _lines(log_dir)
    assert len(lines) == workers * count
    assert {(r[R.FEATURES]["worker"], r[R.FEATURES]["i"]) for r in map(orjson.loads, lines)} == \
        {(w, i) for w in range(workers) for i in range(count)}


class TestWorkersThatDoNotFlush:
    """Workers end without ``fw.flush()``: a normal shutdown loses nothing, a kill at most a flush interval."""

    @pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
    def test_with_pool(self, tmp_path, method):
        """4 workers x 10,000 rows in a ``with Pool()`` (which terminates its workers): 40,000 lines."""
        context = multiprocessing.get_context(method)
        with context.Pool(4, initializer=_configure, initargs=(str(tmp_path),)) as pool:
            pool.map(_log_rows, [(w, 10_000) for w in range(4)], chunksize=1)
        _each_row_once(tmp_path, 4, 10_000)

    def test_pool_closed_and_joined(self, tmp_path):
        with multiprocessing.get_context("fork").Pool(2, initializer=_configure, initargs=(str(tmp_path),)) as pool:
            pool.map(_log_rows, [(w, 5_000) for w in range(2)], chunksize=1)
            pool.close()
            pool.join()
        _each_row_once(tmp_path, 2, 5_000)

    def test_process_and_executor_with_fork(self, tmp_path):
        import concurrent.futures

        context = multiprocessing.get_context("fork")
        _configure(str(tmp_path))
        processes = [context.Process(target=_log_rows, args=((w, 5_000),)) for w in range(2)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(60)
        with concurrent.futures.ProcessPoolExecutor(2, mp_context=context) as executor:
            list(executor.map(_log_rows, [(w, 5_000) for w in range(2, 4)]))
        _each_row_once(tmp_path, 4, 5_000)

    def test_terminated_process(self, tmp_path):
        """``Process.terminate()`` (SIGTERM): the rows are written, the process still ends by SIGTERM."""
        import signal

        context = multiprocessing.get_context("fork")
        _configure(str(tmp_path))
        process = context.Process(target=_log_then_wait, args=(str(tmp_path / "ready"),))
        process.start()
        _wait_for(tmp_path / "ready")
        process.terminate()
        process.join(30)
        assert process.exitcode == -signal.SIGTERM
        _each_row_once(tmp_path, 1, 1_000)

    def test_sigterm_taken_by_another_thread(self, tmp_path):
        """The kernel may give SIGTERM to any thread (a BLAS pool's, the caller's): the worker
        still flushes and ends by SIGTERM, instead of sleeping on with its main thread."""
        import signal

        context = multiprocessing.get_context("fork")
        _configure(str(tmp_path))
        process = context.Process(target=_log_then_signal_another_thread)
        process.start()
        process.join(20)
        alive = process.is_alive()
        if alive:
            process.kill()
            process.join()
        assert not alive, "the worker slept on after SIGTERM"
        assert process.exitcode == -signal.SIGTERM
        _each_row_once(tmp_path, 1, 1_000)

    def test_sigterm_during_a_flush_lets_the_flush_finish(self, tmp_path):
        """SIGTERM while the main thread is writing: those rows are written, then the process ends."""
        import signal

        context = multiprocessing.get_context("fork")
        _configure(str(tmp_path))
        process = context.Process(target=_log_then_flush_slowly, args=(str(tmp_path / "writing"),))
        process.start()
        _wait_for(tmp_path / "writing")
        process.terminate()
        process.join(30)
        assert process.exitcode == -signal.SIGTERM
        _each_row_once(tmp_path, 1, 1_000)

    def test_killed_bare_fork_loses_at_most_its_last_flush_interval(self, tmp_path):
        """``os.fork`` then SIGKILL: rows older than the flush interval are in the file."""
        import signal
        import time

        fw.configure(log_dir=str(tmp_path), flush_interval=0.05)
        pid = os.fork()
        if pid == 0:  # child
            try:
                _log_rows((0, 1_000))
                time.sleep(60)
            finally:
                os._exit(0)
        deadline = time.time() + 30  # the child's timed flushes, nothing else, can write the rows
        while len(_lines(tmp_path)) < 1_000 and time.time() < deadline:
            time.sleep(0.02)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        _each_row_once(tmp_path, 1, 1_000)

    def test_a_handler_of_the_callers_own_is_kept(self, tmp_path):
        """In a worker whose SIGTERM already has a handler, and in a process not started by
        multiprocessing, the shim installs none."""
        import signal

        context = multiprocessing.get_context("fork")
        with context.Pool(1, initializer=_configure, initargs=(str(tmp_path),)) as pool:
            assert pool.apply(_own_handler_after_logging) == "own"
        _configure(str(tmp_path))
        fw.log_request(model="m", features={"a": 1})
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def _own_handler(signum, frame):  # pragma: no cover - runs in the worker, if terminated
    os._exit(1)


def _own_handler_after_logging() -> str:
    import signal

    signal.signal(signal.SIGTERM, _own_handler)
    _log_rows((0, 10))
    return "own" if signal.getsignal(signal.SIGTERM) is _own_handler else "replaced"


def _log_then_wait(ready: str) -> None:
    import time

    _log_rows((0, 1_000))
    open(ready, "w").close()
    time.sleep(60)


def _log_then_signal_another_thread() -> None:
    """Log, then have a second thread take a SIGTERM while the main thread sleeps."""
    import signal
    import threading
    import time

    _log_rows((0, 1_000))

    def take_sigterm() -> None:
        time.sleep(0.2)
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
        time.sleep(60)

    threading.Thread(target=take_sigterm, daemon=True).start()
    time.sleep(60)


def _log_then_flush_slowly(writing: str) -> None:
    """Log, then flush through a slow disk, saying when the write has begun."""
    import time

    slow_write = _writer.write_all

    def write_all(fd, data) -> None:
        open(writing, "w").close()
        time.sleep(1.0)
        slow_write(fd, data)

    _log_rows((0, 1_000))
    _writer.write_all = write_all  # after logging, which may flush when the buffer fills
    fw.flush()
    time.sleep(60)


def _wait_for(path) -> None:
    import time

    deadline = time.time() + 30
    while not path.exists() and time.time() < deadline:
        time.sleep(0.01)
    assert path.exists()


class TestProcesses:
    @pytest.mark.parametrize("method", ["fork", "spawn"])
    def test_four_processes_give_exact_non_interleaved_lines(self, tmp_path, method):
        """4 processes x 10,000 records: exactly 40,000 valid lines, each record once."""
        context = multiprocessing.get_context(method)
        workers = [context.Process(target=_log_many, args=(str(tmp_path), w, 10_000)) for w in range(4)]
        for process in workers:
            process.start()
        for process in workers:
            process.join(120)
            assert process.exitcode == 0
        lines = [line for path in logfiles.log_files(tmp_path) for line in path.read_bytes().splitlines()]
        assert len(lines) == 40_000
        seen = {(rec[R.FEATURES]["worker"], rec[R.FEATURES]["i"]) for rec in map(orjson.loads, lines)}
        assert len(seen) == 40_000
        assert len(logfiles.log_files(tmp_path)) == 4  # one file per process

    def test_threads_give_exact_non_interleaved_lines(self, tmp_path):
        """8 threads x 5,000 records (tiny buffer flushes racing with writes): every record once, whole."""
        import threading

        fw.configure(log_dir=str(tmp_path), flush_interval=0.001)

        def work(worker: int) -> None:
            for index in range(5_000):
                fw.log_request(model="m", features={"worker": worker, "i": index, "pad": "x" * (index % 300)})

        threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        fw.flush()
        records = read_records(tmp_path)
        assert len(records) == 40_000
        assert len({(r[R.FEATURES]["worker"], r[R.FEATURES]["i"]) for r in records}) == 40_000

    def test_fork_does_not_duplicate_the_parents_buffer(self, tmp_path):
        """A child forked with records still buffered must not write them again."""
        fw.configure(log_dir=str(tmp_path), flush_interval=60)
        fw.log_request(model="m", features={"who": "parent"})
        pid = os.fork()
        if pid == 0:  # child
            fw.log_request(model="m", features={"who": "child"})
            fw.flush()
            os._exit(0)
        os.waitpid(pid, 0)
        fw.flush()
        assert sorted(r[R.FEATURES]["who"] for r in read_records(tmp_path)) == ["child", "parent"]


class TestFailuresNeverReachTheCaller:
    def _predict(self):
        @fw.monitor(model="m")
        def predict(features):
            return 42

        return predict

    def test_unwritable_log_dir(self, tmp_path, capsys):
        """A log folder that cannot be created drops records with one warning; the call succeeds."""
        blocker = tmp_path / "file"
        blocker.write_text("not a folder")
        fw.configure(log_dir=str(blocker / "logs"))
        predict = self._predict()
        assert [predict({"a": i}) for i in range(3)] == [42, 42, 42]
        fw.flush()
        fw.log_request(model="m", features={"a": 9})
        fw.flush()
        assert fw.stats()["dropped"] == 4
        assert capsys.readouterr().err.count("featurewatch: dropped") == 1

    def test_read_only_file_system(self, tmp_path, monkeypatch, capsys):
        def read_only(*args, **kwargs):
            raise OSError(errno.EROFS, "Read-only file system")

        fw.configure(log_dir=str(tmp_path))
        monkeypatch.setattr(_writer.os, "open", read_only)
        assert self._predict()({"a": 1}) == 42
        fw.flush()
        monkeypatch.undo()
        assert fw.stats()["dropped"] == 1 and "Read-only" in capsys.readouterr().err

    def test_disk_full(self, tmp_path, monkeypatch, capsys):
        """ENOSPC on write: records dropped and counted, later records written once space is back."""
        fw.configure(log_dir=str(tmp_path))
        real_write = os.write

        def full(fd, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(_writer.os, "write", full)
        assert self._predict()({"a": 1}) == 42
        fw.flush()
        monkeypatch.setattr(_writer.os, "write", real_write)
        fw.log_request(model="m", features={"a": 2})
        fw.flush()
        assert fw.stats()["dropped"] == 1
        assert [r[R.FEATURES]["a"] for r in read_records(tmp_path)] == [2]
        assert "No space left" in capsys.readouterr().err

    def test_disk_full_while_writing_a_dataframe(self, tmp_path, monkeypatch):
        """A large DataFrame request (several blocks, past the buffer limit) on a full disk: every row
        dropped and counted, nothing raised; the next request is written."""
        fw.configure(log_dir=str(tmp_path))
        frame = pd.DataFrame({"a": np.arange(3000), "text": ["x" * 100] * 3000})
        real_write = os.write

        def full(fd, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(_writer.os, "write", full)
        fw.log_request(model="m", features=frame)
        fw.flush()
        monkeypatch.setattr(_writer.os, "write", real_write)
        fw.log_request(model="m", features=frame.head(2))
        fw.flush()
        assert fw.stats()["dropped"] == 3000 and fw.stats()["written"] == 2
        assert [r[R.FEATURES]["a"] for r in read_records(tmp_path)] == [0, 1]

    def test_disk_full_part_way_leaves_no_torn_line(self, tmp_path, monkeypatch):
        """A write that fails after half a block is cut back, so the next record starts on its own line."""
        fw.configure(log_dir=str(tmp_path))
        fw.log_request(model="m", features={"a": 1})
        fw.flush()
        real_write = os.write

        def half_then_full(fd, data):
            real_write(fd, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(_writer.os, "write", half_then_full)
        fw.log_request(model="m", features={"a": 2})
        fw.flush()
        monkeypatch.setattr(_writer.os, "write", real_write)
        fw.log_request(model="m", features={"a": 3})
        fw.flush()
        assert [r[R.FEATURES]["a"] for r in read_records(tmp_path)] == [1, 3]

    def test_vanished_log_dir_is_recreated(self, tmp_path):
        """Deleting the folder while logging loses nothing written after the delete."""
        folder = tmp_path / "logs"
        fw.configure(log_dir=str(folder))
        fw.log_request(model="m", features={"a": 1})
        fw.flush()
        shutil.rmtree(folder)
        assert self._predict()({"a": 2}) == 42
        fw.flush()
        assert [r[R.FEATURES]["a"] for r in read_records(folder)] == [2]

    def test_unencodable_and_hostile_values(self, log_dir):
        class Hostile:
            def __str__(self):
                raise RuntimeError("no str")

            def __eq__(self, other):
                raise RuntimeError("no eq")

            __hash__ = object.__hash__

        assert self._predict()({"h": Hostile(), "big": 2**100}) == 42
        fw.flush()
        [rec] = read_records(log_dir)
        assert rec[R.FEATURES] == {"h": "<Hostile>", "big": str(2**100)}

    def test_records_are_durable_after_flush_and_at_exit(self, tmp_path):
        """flush() puts records in the file; the background flusher does so on its own."""
        fw.configure(log_dir=str(tmp_path), flush_interval=0.05)
        fw.log_request(model="m", features={"a": 1})
        import time

        deadline = time.time() + 5
        while not read_records(tmp_path) and time.time() < deadline:
            time.sleep(0.02)
        assert len(read_records(tmp_path)) == 1
        shim.reset()


class TestFiles:
    def test_hour_files_and_window_selection(self, tmp_path):
        import datetime as dt

        fw.configure(log_dir=str(tmp_path))
        base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        for hour in range(5):
            fw.log_request(model="m", features={"h": hour}, timestamp=base + dt.timedelta(hours=hour, minutes=30))
        fw.flush()
        assert len(logfiles.log_files(tmp_path)) == 5
        picked = list(logfiles.files_for_window(tmp_path, base + dt.timedelta(hours=1, minutes=45),
                                                base + dt.timedelta(hours=3)))
        assert [logfiles.hour_of(p).hour for p in picked] == [1, 2]
