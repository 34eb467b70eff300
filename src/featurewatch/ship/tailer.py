"""Find the shim's files in a folder and read their complete lines from where we left off.

File-system events, and how they are handled:

* **new files** — every :meth:`Tailer.scan` discovers them (recursively,
  :mod:`.discovery`). Pipes, devices and unreadable files or folders are
  skipped and said (:class:`~.discovery.Skipped`); an unreadable file's
  unshipped bytes count in :meth:`Tailer.bytes_behind`.
* **descriptors** — a file holds one only while it is read or still changing,
  and never more than ``max_open`` are held (the least recently used is
  closed first), so a folder of a hundred thousand files ships under an
  open-files limit of 256. A closed file is reopened by path and must still
  be the same inode.
* **rename** (including rename-and-create rotation) — a file is tracked by
  device + inode, so a renamed file keeps its offset. A file still changing
  keeps its descriptor, so lines written just before a rename to a name we do
  not scan are still read, then the file is let go.
* **deletion** — a held descriptor still reads the unread rest; then the file
  is dropped from the checkpoint (also when all that is left is an incomplete
  line, unchanged for ``close_inactive`` seconds: said, and let go).
* **truncation / copy-truncate** — a file shorter than its offset, or whose
  first bytes changed, starts again at 0. Its old fingerprint and offset are
  retired, so the *copy* (same first bytes, new inode) resumes at that offset
  instead of being shipped twice. Only retired fingerprints are matched: a new
  file that merely begins like a file still present starts at 0.
* **partial last line** — only bytes up to the last newline are returned;
  the rest waits for its newline.
* **runaway line** — a line longer than ``max_line_bytes`` is handed over in
  pieces of that size (they become dead letters), counted in
  :attr:`Tailer.oversized_lines` and named through ``warn``.

Nothing here talks to Elasticsearch: the shipper decides when offsets are
acknowledged and calls :meth:`Tailer.acknowledge`.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import stat
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from .checkpoint import FINGERPRINT_BYTES, CheckpointStore, FileCheckpoint, fingerprint
from .discovery import Skipped, discover

__all__ = ["Tailer", "TrackedFile", "Chunk", "default_max_open"]

DEFAULT_CHUNK_BYTES = 1024 * 1024
#: A line longer than this is cut and dead-lettered instead of being buffered forever.
MAX_LINE_BYTES = 64 * 1024 * 1024
# O_NONBLOCK: a pipe put in a file's place between our stat and our open must not block the open
# (it is then refused by the fstat check); reads of a regular file ignore the flag.
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC


def default_max_open() -> int:
    """Descriptors a tailer may hold: a quarter of the soft open-files limit, between 4 and 256.

    The rest stays free for the checkpoint, the dead letters, the lock and the
    connections to the cluster.
    """
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 256
    return max(4, min(soft // 4, 256))


@dataclasses.dataclass
class TrackedFile:
    """A file being followed: its checkpoint entry, the read position and, while held, a descriptor."""

    checkpoint: FileCheckpoint
    read_offset: int
    fd: int | None = None
    size: int = 0
    mtime: float = 0.0
    last_change: float = 0.0
    gone: bool = False  # deleted or renamed away: read to the end through the descriptor, then let go
    #: (size, mtime) when the content was last checked: unchanged, there is nothing to look at.
    checked: tuple[int, float] = (-1, -1.0)

    @property
    def key(self) -> str:
        return self.checkpoint.key


@dataclasses.dataclass(frozen=True)
class Chunk:
    """Complete lines read from one file, starting at ``offset``; ``data`` ends with a newline
    (except a cut oversized line)."""

    key: str
    path: str
    offset: int
    data: bytes
    #: Offset after the chunk (``offset + len(data)``).
    end: int


class Tailer:
    """Tracks every source file under ``root`` against a :class:`CheckpointStore`.

    ``warn`` receives one line for each thing worth telling the operator (a
    skipped file, a cut line, an unfinished line let go); ``max_open`` bounds
    the descriptors held (default: :func:`default_max_open`).
    """

    def __init__(self, root: str | os.PathLike[str], store: CheckpointStore, *,
                 chunk_bytes: int = DEFAULT_CHUNK_BYTES, close_inactive: float = 300.0,
                 exclude: tuple[str | os.PathLike[str], ...] = (), max_open: int | None = None,
                 max_line_bytes: int = MAX_LINE_BYTES, warn: Callable[[str], None] | None = None) -> None:
        self.root = Path(root)
        #: Our own files (dead letters, checkpoint) are never sources, whatever their names.
        self._exclude = {os.path.realpath(p) for p in exclude}
        self.store = store
        self.chunk_bytes = chunk_bytes
        self.close_inactive = close_inactive
        self.max_open = max_open or default_max_open()
        self.max_line_bytes = max_line_bytes
        self.warn = warn
        #: What was skipped (pipes, unreadable files and folders), said through ``warn``.
        self.skipped = Skipped(warn)
        self.files: dict[str, TrackedFile] = {}
        #: Files holding a descriptor, least recently used first.
        self._held: OrderedDict[str, TrackedFile] = OrderedDict()
        self.truncations = 0
        self.oversized_lines = 0

    # -- discovery ---------------------------------------------------------
    def scan(self, now: float | None = None) -> None:
        """Pick up new, renamed, truncated and vanished files. Call with no batch in flight."""
        now = time.time() if now is None else now
        self.skipped.new_scan()
        found = discover(self.root, self.skipped, now, self._exclude)
        for key, tracked in list(self.files.items()):
            if key not in found:
                self._vanished(tracked, now)
        # Checkpoint entries whose inode is gone: from now on their fingerprints may stand for a copy.
        for key in [k for k in self.store.files if k not in self.files and k not in found]:
            self.store.forget(key)
        # Files known by inode first, so a truncated original retires its fingerprint before a copy looks.
        new: list[tuple[str, os.stat_result]] = []
        for key, (path, st) in found.items():
            known = self.files.get(key)
            if known is not None:
                self.store.rename(known.checkpoint, path)
                known.gone = False
                self._check(known, st, now)
            elif key in self.store.files:
                self._track(path, st, now)
            else:
                new.append((path, st))
        for path, st in new:
            self._track(path, st, now)

    def _vanished(self, tracked: TrackedFile, now: float) -> None:
        """A tracked file no longer under any scanned name: read its rest if we hold it, else let go."""
        if tracked.fd is None:
            self._drop(tracked)
            return
        tracked.gone = True
        self._check(tracked, os.fstat(tracked.fd), now)

    def _track(self, path: str, st: os.stat_result, now: float) -> None:
        key = f"{st.st_dev}:{st.st_ino}"
        known = self.store.files.get(key)
        tracked = TrackedFile(FileCheckpoint(st.st_dev, st.st_ino, path), 0, last_change=st.st_mtime)
        fd = self._descriptor(tracked, now)
        if fd is None:
            if path in self.skipped.unreadable:
                self.skipped.unreadable[path] = max(0, st.st_size - (known.offset if known else 0))
            return
        if known is not None and known.fp_len and self._prefix(fd, known.fp_len) == known.fp:
            checkpoint = known
            self.store.rename(checkpoint, path)
        else:
            if known is not None:  # inode reused by a different file
                self.store.forget(key)
            checkpoint = tracked.checkpoint
            checkpoint.offset = self.store.offset_for_copy(lambda n: self._prefix(fd, n), st.st_size, exclude=key)
        if checkpoint.offset > st.st_size:
            checkpoint.offset = 0
        self._refingerprint(fd, checkpoint, st.st_size)
        tracked.checkpoint = checkpoint
        tracked.read_offset = checkpoint.offset
        tracked.size, tracked.mtime, tracked.checked = st.st_size, st.st_mtime, (st.st_size, st.st_mtime)
        if checkpoint is not known:
            self.store.add(checkpoint)
        self.files[key] = tracked

    @staticmethod
    def _prefix(fd: int, length: int) -> str:
        data = os.pread(fd, length, 0)
        return fingerprint(data) if len(data) == length else ""

    def _refingerprint(self, fd: int, checkpoint: FileCheckpoint, size: int) -> None:
        length = min(size, FINGERPRINT_BYTES)
        if length > checkpoint.fp_len:
            checkpoint.fp = self._prefix(fd, length)
            checkpoint.fp_len = length

    def _check(self, tracked: TrackedFile, st: os.stat_result, now: float) -> None:
        """Detect truncation or replaced content; note growth. Unchanged files cost nothing."""
        if (st.st_size, st.st_mtime) == tracked.checked:
            return
        fd = self._descriptor(tracked, now)
        if fd is None:  # unreadable now, or replaced since the stat: the next scan looks again
            return
        cp = tracked.checkpoint
        if st.st_size < tracked.read_offset or (cp.fp_len and self._prefix(fd, cp.fp_len) != cp.fp):
            self.truncations += 1
            self.store.retire(cp)
            cp.offset = 0
            cp.fp_len = 0
            cp.fp = ""
            tracked.read_offset = 0
        self._refingerprint(fd, cp, st.st_size)
        tracked.last_change = now
        tracked.size, tracked.mtime, tracked.checked = st.st_size, st.st_mtime, (st.st_size, st.st_mtime)

    def _drop(self, tracked: TrackedFile) -> None:
        self._release(tracked)
        self.files.pop(tracked.key, None)
        self.store.forget(tracked.key)

    # -- descriptors ---------------------------------------------------------
    def _descriptor(self, tracked: TrackedFile, now: float | None = None) -> int | None:
        """The file's descriptor, opened (within the budget) if need be; None if it cannot be had now."""
        if tracked.fd is not None:
            self._held.move_to_end(tracked.key)
            return tracked.fd
        while len(self._held) >= self.max_open:
            # The least recently used, but never a vanished file: its rest can only be read through it.
            for victim in self._held.values():
                if not victim.gone:
                    break
            else:
                return None  # every descriptor reads a vanished file's rest; they are let go after this pass
            self._release(victim)
        path = tracked.checkpoint.path
        try:
            fd = os.open(path, _OPEN_FLAGS)
        except FileNotFoundError:  # gone since the scan: the next scan sees where
            return None
        except OSError as exc:
            self.skipped.cannot_read(path, exc, time.time() if now is None else now)
            return None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or f"{st.st_dev}:{st.st_ino}" != tracked.key:
            os.close(fd)  # replaced since the scan: the next scan sorts it out
            return None
        tracked.fd = fd
        self._held[tracked.key] = tracked
        return fd

    def _release(self, tracked: TrackedFile) -> None:
        if tracked.fd is not None:
            os.close(tracked.fd)
            tracked.fd = None
            self._held.pop(tracked.key, None)

    def _say(self, message: str) -> None:
        if self.warn is not None:
            self.warn(message)

    # -- reading -------------------------------------------------------------
    def read(self, tracked: TrackedFile, limit: int | None = None) -> Chunk | None:
        """Up to ``limit`` bytes of complete lines after the read offset (None at the end)."""
        if tracked.fd is None and tracked.size <= tracked.read_offset:
            return None  # nothing new at the last scan: no need to open the file to know it
        fd = self._descriptor(tracked)
        if fd is None:
            return None
        size = limit or self.chunk_bytes
        offset = tracked.read_offset
        path = tracked.checkpoint.path
        while True:
            data = os.pread(fd, size, offset)
            if not data:
                return None
            end = data.rfind(b"\n")
            if end >= 0:
                data = data[: end + 1]
                break
            if len(data) < size:
                return None  # a partial last line: wait for its newline
            if size >= self.max_line_bytes:
                # A runaway line: hand it over as is (it becomes a dead letter) so reading goes on.
                self.oversized_lines += 1
                self._say(f"{path}: a line longer than {self.max_line_bytes:,} bytes at byte {offset} "
                          "was cut; the pieces go to the dead-letter file")
                break
            size *= 2
        tracked.read_offset = offset + len(data)
        if tracked.read_offset > tracked.size:
            tracked.size = tracked.read_offset
        return Chunk(tracked.key, path, offset, data, offset + len(data))

    def acknowledge(self, offsets: dict[str, int]) -> None:
        """Everything before these offsets is in Elasticsearch (or dead-lettered)."""
        for key, offset in offsets.items():
            cp = self.store.files.get(key)
            if cp is not None and offset > cp.offset:
                cp.offset = offset

    # -- housekeeping ----------------------------------------------------------
    def ordered(self) -> list[TrackedFile]:
        """Tracked files in name order (oldest hour first)."""
        return sorted(self.files.values(), key=lambda t: os.path.basename(t.checkpoint.path))

    def bytes_behind(self) -> int:
        """Bytes not yet acknowledged, in tracked files and in files skipped as unreadable."""
        return (sum(max(0, t.size - t.checkpoint.offset) for t in self.files.values())
                + sum(self.skipped.unreadable.values()))

    def release_finished(self, now: float | None = None) -> None:
        """Let go of vanished files read to the end, and close descriptors of idle files read to the end.

        A vanished file whose rest is only an incomplete line, unchanged for
        ``close_inactive`` seconds, is let go too (and said): nobody will end
        that line, and its descriptor must not be held from the other files.
        """
        now = time.time() if now is None else now
        for tracked in list(self._held.values()):  # a vanished file always holds its descriptor
            cp = tracked.checkpoint
            idle = now - tracked.last_change > self.close_inactive
            if tracked.gone:
                if cp.offset < tracked.read_offset:
                    continue  # lines in flight: wait for their acknowledgement
                if self._at_end(tracked):
                    self._drop(tracked)
                elif idle and (rest := self._incomplete_rest(tracked)):
                    self._say(f"{cp.path} was deleted or renamed away and has not changed for "
                              f"{self.close_inactive:.0f} s: its last {rest} bytes, at byte {tracked.read_offset}, "
                              "are an incomplete line and are not shipped")
                    self._drop(tracked)
            elif idle and cp.offset >= tracked.size and tracked.read_offset >= tracked.size:
                self._release(tracked)

    def _incomplete_rest(self, tracked: TrackedFile) -> int:
        """Bytes after the read offset when they hold no newline (an unfinished line), else 0."""
        assert tracked.fd is not None
        rest = os.fstat(tracked.fd).st_size - tracked.read_offset
        if not 0 < rest < self.max_line_bytes:
            return 0
        return 0 if b"\n" in os.pread(tracked.fd, rest, tracked.read_offset) else rest

    @staticmethod
    def _at_end(tracked: TrackedFile) -> bool:
        if tracked.fd is None:
            return True
        return os.fstat(tracked.fd).st_size <= tracked.read_offset

    def delete_shipped(self, older_than: float, now: float | None = None) -> list[str]:
        """Delete files fully shipped and unmodified for ``older_than`` seconds; returns their paths."""
        now = time.time() if now is None else now
        deleted = []
        for tracked in list(self.files.values()):
            if tracked.gone or tracked.checkpoint.offset < tracked.size or now - tracked.mtime < older_than:
                continue
            path = tracked.checkpoint.path
            try:
                st = os.stat(path)
                if f"{st.st_dev}:{st.st_ino}" != tracked.key or st.st_size > tracked.checkpoint.offset:
                    continue
                os.unlink(path)
            except OSError:
                continue
            deleted.append(path)
            self._drop(tracked)
        return deleted

    def close(self) -> None:
        for tracked in list(self._held.values()):
            self._release(tracked)

