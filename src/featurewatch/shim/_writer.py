"""Per-process, hourly JSON-lines files with an in-memory buffer.

Why a hand-written writer: the shim must cost about one ``orjson.dumps`` per
record, so lines go into a ``bytearray`` and reach the file in large
``os.write`` calls (when the buffer fills, every ``flush_interval`` seconds
from a daemon thread, on :meth:`flush`, and however the process ends: see
:mod:`._exits`). Each process owns its files, so processes never interleave;
after ``fork`` the child drops the parent's buffer (flushing it would
duplicate records) and opens its own files.

Failures (read-only or vanished directory, full disk) never propagate: the
affected lines are dropped and counted, and one warning goes to stderr.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import logfiles
from ..fileio import write_all
from . import _exits

__all__ = ["FileWriter", "CapturingWriter", "WriterStats"]

_BUFFER_LIMIT = 256 * 1024
_MAX_OPEN_HOURS = 4
#: Seconds :meth:`FileWriter.flush_at_exit` waits for a lock the interrupted code may hold.
_EXIT_WAIT = 0.5


class WriterStats:
    """Counters a caller can read to see what was written and what was dropped."""

    __slots__ = ("dropped", "errors", "written")

    def __init__(self) -> None:
        self.written = 0
        self.dropped = 0
        self.errors = 0

    def as_dict(self) -> dict[str, int]:
        return {"written": self.written, "dropped": self.dropped, "errors": self.errors}


def _process_tag() -> str:
    host = "".join(c if c.isalnum() else "_" for c in socket.gethostname())[:40] or "host"
    return f"{host}-{os.getpid()}-{secrets.token_hex(3)}"


class FileWriter:
    """Buffers JSON lines per hour and appends them to this process's files.

    The current hour has a fast path (one lock, one ``bytearray +=``); lines of
    other hours (replays, the minute around an hour change) go to a side dict.
    Records are counted at flush time by counting newlines, so the hot path
    keeps no counters.
    """

    def __init__(self, log_dir: str | os.PathLike[str], flush_interval: float = 1.0,
                 warn: Callable[[str], None] | None = None) -> None:
        self.log_dir = Path(log_dir)
        self.flush_interval = flush_interval
        self._warn = warn or _warn_stderr
        self._closed = False
        self._reset_process_state()

    def _reset_process_state(self) -> None:
        self.stats = WriterStats()
        self._lock = threading.Lock()
        self._io_lock = threading.Lock()
        self._io_owner: int | None = None
        self._hour = ""
        self._buffer = bytearray()
        #: Lines in ``_buffer`` (counted as they come: counting newlines at flush time costs more).
        self._lines = 0
        self._other: dict[str, bytearray] = {}
        self._other_lines: dict[str, int] = {}
        self._fds: dict[str, int] = {}
        self._tag = _process_tag()
        self._pid = os.getpid()
        self._warned: set[str] = set()
        self._wake = threading.Event()
        self._flusher: threading.Thread | None = None

    # -- writing ---------------------------------------------------------
    def append(self, hour_key: str, line: bytes) -> None:
        """Queue one newline-terminated line: the shim's hot path (one lock, one ``bytearray +=``)."""
        with self._lock:
            current = hour_key == self._hour
            if current:
                buffer = self._buffer
                buffer += line
                self._lines += 1
                if len(buffer) < _BUFFER_LIMIT:
                    return
        if current:
            self.flush()
        else:
            self.write(hour_key, line)

    def write(self, hour_key: str, data: bytes | bytearray, lines: int = 1) -> None:
        """Queue ``lines`` newline-terminated lines (``data``) for the file of ``hour_key``."""
        if len(data) >= _BUFFER_LIMIT:  # a big block (a DataFrame): straight to the file, no extra copy
            self.flush()
            with self._writing():
                self._write_file(hour_key, data, lines)
            return
        with self._lock:
            if hour_key == self._hour:
                buffer = self._buffer
                self._lines += lines
            else:
                buffer = self._buffer_for(hour_key)
                if hour_key == self._hour:
                    self._lines += lines
                else:
                    self._other_lines[hour_key] = self._other_lines.get(hour_key, 0) + lines
            buffer += data
            full = len(buffer) >= _BUFFER_LIMIT
        if full:
            self.flush()

    def _buffer_for(self, hour_key: str) -> bytearray:
        """Called under the lock when a line is not for the current hour; a later hour becomes current.

        The caller counts the lines it adds (``_lines`` when ``hour_key`` is now current).
        """
        if not self._hour or hour_key > self._hour:
            if self._buffer:
                self._other[self._hour] = self._other.get(self._hour, bytearray()) + self._buffer
                self._other_lines[self._hour] = self._other_lines.get(self._hour, 0) + self._lines
            self._hour = hour_key
            self._buffer = self._other.pop(hour_key, bytearray())
            self._lines = self._other_lines.pop(hour_key, 0)
            if self._flusher is None and not self._closed:
                self._start_flusher()
            return self._buffer
        return self._other.setdefault(hour_key, bytearray())

    def flush(self) -> None:
        """Write every buffered line to its file; failures drop and count them."""
        if self._pid != os.getpid():
            self.after_fork()
            return
        # The I/O lock keeps flushes in order; the buffer lock is held only for
        # the swap, so callers never wait for the disk.
        with self._writing():
            with self._lock:
                pending = self._take_pending()
            self._write_pending(pending)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the I/O lock, known to be held by this thread (see :meth:`flushing_in_this_thread`)."""
        with self._io_lock:
            self._io_owner = threading.get_ident()
            try:
                yield
            finally:
                self._io_owner = None
        _exits.after_flush()

    def flushing_in_this_thread(self) -> bool:
        """Whether this thread is inside a flush: a signal handler interrupting it must let it finish."""
        return self._io_owner == threading.get_ident()

    def flush_at_exit(self) -> None:
        """:meth:`flush` for a process about to end, from a signal handler.

        The handler runs between two bytecodes of the interrupted code, which
        may hold the writer's locks and will never resume: each lock is
        waited for only briefly (another thread holding it lets go soon).
        """
        if self._pid != os.getpid():
            return
        io_locked = self._io_lock.acquire(timeout=_EXIT_WAIT)
        try:
            locked = self._lock.acquire(timeout=_EXIT_WAIT)
            try:
                pending = self._take_pending()
            finally:
                if locked:
                    self._lock.release()
            self._write_pending(pending)
        finally:
            if io_locked:
                self._io_lock.release()

    def _take_pending(self) -> list[tuple[str, bytearray, int]]:
        """Under the buffer lock: every buffered ``(hour key, lines, count)``, the buffers emptied."""
        pending = [(k, b, self._other_lines.get(k, 0)) for k, b in self._other.items() if b]
        if self._buffer:
            pending.append((self._hour, self._buffer, self._lines))
            self._buffer = bytearray()
            self._lines = 0
        self._other = {}
        self._other_lines = {}
        return pending

    def _write_pending(self, pending: list[tuple[str, bytearray, int]]) -> None:
        for hour_key, data, lines in sorted(pending, key=lambda item: item[0]):
            self._write_file(hour_key, data, lines)
        self._close_old_files()

    def _write_file(self, hour_key: str, data: bytes | bytearray, count: int) -> None:
        fd = None
        size = None
        try:
            fd = self._fd_for(hour_key)
            size = os.fstat(fd).st_size
            write_all(fd, data)
            self.stats.written += count
        except OSError as exc:
            if fd is not None and size is not None:
                # A write that failed part-way leaves a torn line the next append would glue onto:
                # cut the file back to where this block began.
                try:
                    os.ftruncate(fd, size)
                except OSError:
                    pass
            self.stats.dropped += count
            self.stats.errors += 1
            self._forget_fd(hour_key)
            self._warn_once(f"featurewatch: dropped {count} record(s), cannot write to {self.log_dir}: "
                            f"{exc.strerror or exc}")

    def _fd_for(self, hour_key: str) -> int:
        fd = self._fds.get(hour_key)
        if fd is not None:
            # A deleted file or folder would swallow writes; reopen it instead.
            try:
                if os.fstat(fd).st_nlink == 0:
                    self._forget_fd(hour_key)
                    fd = None
            except OSError:
                self._forget_fd(hour_key)
                fd = None
        if fd is None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            path = self.log_dir / logfiles.file_name(hour_key, self._tag)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o644)
            self._fds[hour_key] = fd
        return fd

    def _forget_fd(self, hour_key: str) -> None:
        fd = self._fds.pop(hour_key, None)
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def _close_old_files(self) -> None:
        if len(self._fds) > _MAX_OPEN_HOURS:
            for hour_key in sorted(self._fds)[:-_MAX_OPEN_HOURS]:
                self._forget_fd(hour_key)

    def _warn_once(self, message: str) -> None:
        key = message.split(":", 2)[-1]
        if key not in self._warned:
            self._warned.add(key)
            try:
                self._warn(message)
            except Exception:
                pass

    # -- lifecycle -------------------------------------------------------
    def _start_flusher(self) -> None:
        """Called when this process buffers its first line: the timed flushes and the exit hooks start."""
        _exits.protect(self)
        self._flusher = threading.Thread(target=self._flush_loop, args=(self._wake,),
                                         name="featurewatch-flush", daemon=True)
        self._flusher.start()

    def _flush_loop(self, wake: threading.Event) -> None:
        # Signals sent to the process must reach the main thread: a signal taken by this thread would
        # leave a main thread blocked in a system call (a pool worker waiting on its task queue) asleep,
        # its Python handler never run, and SIGTERM from Pool.terminate() never obeyed.
        try:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT, signal.SIGHUP})
        except (AttributeError, ValueError, OSError):  # platforms without per-thread masks
            pass
        pid = os.getpid()
        while not self._closed:
            wake.wait(self.flush_interval)
            if self._closed or pid != os.getpid() or wake is not self._wake:
                return
            try:
                self.flush()
            except Exception:
                pass

    def after_fork(self) -> None:
        """In a forked child: forget the parent's buffer, files and thread.

        Called from an ``os.register_at_fork`` hook (and when a flush notices a
        new pid), so the hot path needs no pid check. The parent's descriptors
        are left open: closing them here could race with nothing, but they are
        the parent's to close.
        """
        self._reset_process_state()

    def close(self) -> None:
        """Flush and close every file; the writer accepts no more lines."""
        if self._pid != os.getpid():
            return
        self.flush()
        self._closed = True
        self._wake.set()
        with self._io_lock:
            for hour_key in list(self._fds):
                self._forget_fd(hour_key)


class CapturingWriter:
    """Stands in for :class:`FileWriter` while ``Shim.capture`` runs: each line goes to a callback."""

    def __init__(self, receive: Callable[[bytes], None]) -> None:
        self._receive = receive
        self.stats = WriterStats()

    def append(self, hour_key: str, line: bytes) -> None:
        self._receive(bytes(line))

    def write(self, hour_key: str, data: bytes | bytearray, lines: int = 1) -> None:
        for line in bytes(data).splitlines(keepends=True):
            self._receive(line)

    def flush(self) -> None:
        """Nothing is buffered."""

    def flush_at_exit(self) -> None:
        """Nothing is buffered."""

    def after_fork(self) -> None:
        """Nothing belongs to the parent."""

    def close(self) -> None:
        """Nothing to close."""


def _warn_stderr(message: str) -> None:
    sys.stderr.write(message + "\n")
