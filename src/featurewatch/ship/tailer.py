"""Find the shim's files in a folder and read their complete lines from where we left off.

Rotation and other file-system events, and how they are handled:

* **new files** — every :meth:`Tailer.scan` discovers them (recursively).
* **rename** (including rename-and-create rotation) — a file is tracked by
  device + inode, so a renamed file keeps its offset. Its descriptor stays
  open, so lines written just before a rename to a name we do not scan are
  still read, then the file is let go.
* **deletion** — an open descriptor still reads the unread rest; then the
  file is dropped from the checkpoint.
* **truncation / copy-truncate** — a file shorter than its offset, or whose
  first bytes changed, starts again at 0. Its old fingerprint and offset are
  remembered, so the *copy* (same first bytes, new inode) resumes at that
  offset instead of being shipped twice.
* **partial last line** — only bytes up to the last newline are returned;
  the rest waits for its newline.

Nothing here talks to Elasticsearch: the shipper decides when offsets are
acknowledged and calls :meth:`Tailer.acknowledge`.
"""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

from .. import logfiles
from .checkpoint import (
    FINGERPRINT_BYTES,
    MIN_FINGERPRINT_BYTES,
    CheckpointStore,
    FileCheckpoint,
    fingerprint,
)

__all__ = ["Tailer", "TrackedFile", "Chunk", "is_source_file"]

DEFAULT_CHUNK_BYTES = 1024 * 1024
#: A line longer than this is cut and dead-lettered instead of being buffered forever.
MAX_LINE_BYTES = 64 * 1024 * 1024
_SKIP_SUFFIXES = (".gz", ".bz2", ".xz", ".zst", ".zip", ".tmp", ".swp")


def is_source_file(name: str) -> bool:
    """True for the shim's files, including rotated names (``x.jsonl.1``) but not compressed ones."""
    return (name.startswith(logfiles.PREFIX) and logfiles.SUFFIX in name
            and not name.endswith(_SKIP_SUFFIXES))


@dataclasses.dataclass
class TrackedFile:
    """A file being read: its checkpoint entry, the read position and an open descriptor."""

    checkpoint: FileCheckpoint
    read_offset: int
    fd: int | None = None
    size: int = 0
    mtime: float = 0.0
    last_change: float = 0.0
    gone: bool = False  # deleted or renamed away: read to the end, then let go

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
    """Tracks every source file under ``root`` against a :class:`CheckpointStore`."""

    def __init__(self, root: str | os.PathLike[str], store: CheckpointStore, *,
                 chunk_bytes: int = DEFAULT_CHUNK_BYTES, close_inactive: float = 300.0,
                 exclude: tuple[str | os.PathLike[str], ...] = ()) -> None:
        self.root = Path(root)
        #: Our own files (dead letters, checkpoint) are never sources, whatever their names.
        self.exclude = {os.path.realpath(p) for p in exclude}
        self.store = store
        self.chunk_bytes = chunk_bytes
        self.close_inactive = close_inactive
        self.files: dict[str, TrackedFile] = {}
        self.truncations = 0
        self.oversized_lines = 0

    # -- discovery ---------------------------------------------------------
    def _discover(self) -> dict[str, tuple[str, os.stat_result]]:
        found: dict[str, tuple[str, os.stat_result]] = {}
        for folder, _dirs, names in os.walk(self.root):
            for name in sorted(names):
                if not is_source_file(name):
                    continue
                path = os.path.join(folder, name)
                if self.exclude and os.path.realpath(path) in self.exclude:
                    continue
                try:
                    st = os.stat(path)
                except FileNotFoundError:
                    continue
                key = f"{st.st_dev}:{st.st_ino}"
                # Hard links: keep the first (sorted) name.
                found.setdefault(key, (path, st))
        return found

    def scan(self, now: float | None = None) -> None:
        """Pick up new, renamed, truncated and vanished files. Call with no batch in flight."""
        now = time.time() if now is None else now
        found = self._discover()
        for key, (path, st) in found.items():
            tracked = self.files.get(key)
            if tracked is None:
                self._track(path, st, now)
            else:
                tracked.checkpoint.path = path
                tracked.gone = False
                self._check(tracked, st.st_size, st.st_mtime, now)
        for key, tracked in list(self.files.items()):
            if key in found:
                continue
            if tracked.fd is None:
                self._drop(tracked)
                continue
            st = os.fstat(tracked.fd)
            tracked.gone = True
            self._check(tracked, st.st_size, st.st_mtime, now)
        # Checkpoint entries of files that no longer exist anywhere.
        for key in [k for k in self.store.files if k not in self.files]:
            self.store.retire(self.store.files.pop(key))

    def _track(self, path: str, st: os.stat_result, now: float) -> None:
        key = f"{st.st_dev}:{st.st_ino}"
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return
        known = self.store.files.get(key)
        offset = 0
        if known is not None and known.fp_len and self._prefix(fd, known.fp_len) == known.fp:
            checkpoint = known
            checkpoint.path = path
            offset = known.offset
        else:
            if known is not None:  # inode reused by a different file
                self.store.retire(self.store.files.pop(key))
            checkpoint = FileCheckpoint(st.st_dev, st.st_ino, path)
            offset = self._copy_offset(fd, key, st.st_size)
            checkpoint.offset = offset
        if offset > st.st_size:
            offset = checkpoint.offset = 0
        self._refingerprint(fd, checkpoint, st.st_size)
        self.store.files[key] = checkpoint
        self.files[key] = TrackedFile(checkpoint, offset, fd, st.st_size, st.st_mtime, now)

    def _copy_offset(self, fd: int, key: str, size: int) -> int:
        """Offset to start a new file at: where a known file with the same first bytes got to."""
        best = 0
        lengths = {cp.fp_len for cp in list(self.store.files.values()) + self.store.retired
                   if MIN_FINGERPRINT_BYTES <= cp.fp_len <= size}
        for length in lengths:
            fp = self._prefix(fd, length)
            best = max(best, self.store.offset_for_copy(length, fp, exclude=key))
        return min(best, size)

    @staticmethod
    def _prefix(fd: int, length: int) -> str:
        data = os.pread(fd, length, 0)
        return fingerprint(data) if len(data) == length else ""

    def _refingerprint(self, fd: int, checkpoint: FileCheckpoint, size: int) -> None:
        length = min(size, FINGERPRINT_BYTES)
        if length > checkpoint.fp_len:
            checkpoint.fp = self._prefix(fd, length)
            checkpoint.fp_len = length

    def _check(self, tracked: TrackedFile, size: int, mtime: float, now: float) -> None:
        """Detect truncation or replaced content; note growth."""
        cp = tracked.checkpoint
        fd = tracked.fd
        if fd is None:
            if size != tracked.size or size > tracked.read_offset:
                try:
                    fd = tracked.fd = os.open(cp.path, os.O_RDONLY)
                except OSError:
                    return
                st = os.fstat(fd)
                if f"{st.st_dev}:{st.st_ino}" != cp.key:  # replaced between stat and open
                    os.close(fd)
                    tracked.fd = None
                    return
            else:
                return
        replaced = size < tracked.read_offset or (cp.fp_len and self._prefix(fd, cp.fp_len) != cp.fp)
        if replaced:
            self.truncations += 1
            self.store.retire(cp)
            cp.offset = 0
            cp.fp_len = 0
            cp.fp = ""
            tracked.read_offset = 0
        self._refingerprint(fd, cp, size)
        if size != tracked.size or mtime != tracked.mtime:
            tracked.last_change = now
        tracked.size = size
        tracked.mtime = mtime

    def _drop(self, tracked: TrackedFile) -> None:
        if tracked.fd is not None:
            os.close(tracked.fd)
            tracked.fd = None
        self.files.pop(tracked.key, None)
        cp = self.store.files.pop(tracked.key, None)
        if cp is not None:
            self.store.retire(cp)

    # -- reading -------------------------------------------------------------
    def read(self, tracked: TrackedFile, limit: int | None = None) -> Chunk | None:
        """Up to ``limit`` bytes of complete lines after the read offset (None at the end)."""
        if tracked.fd is None:
            return None
        size = limit or self.chunk_bytes
        offset = tracked.read_offset
        while True:
            data = os.pread(tracked.fd, size, offset)
            if not data:
                return None
            end = data.rfind(b"\n")
            if end >= 0:
                data = data[: end + 1]
                break
            if len(data) < size:
                return None  # a partial last line: wait for its newline
            if size >= MAX_LINE_BYTES:
                # A runaway line: hand it over as is (it becomes a dead letter) so reading goes on.
                self.oversized_lines += 1
                tracked.read_offset = offset + len(data)
                return Chunk(tracked.key, tracked.checkpoint.path, offset, data, offset + len(data))
            size *= 2
        tracked.read_offset = offset + len(data)
        if offset + len(data) > tracked.size:
            tracked.size = offset + len(data)
        return Chunk(tracked.key, tracked.checkpoint.path, offset, data, offset + len(data))

    def acknowledge(self, offsets: dict[str, int]) -> None:
        """Everything before these offsets is in Elasticsearch (or dead-lettered)."""
        for key, offset in offsets.items():
            cp = self.store.files.get(key)
            if cp is not None and offset > cp.offset:
                cp.offset = offset

    def rewind(self) -> None:
        """Forget unacknowledged reads: the next read starts at each acknowledged offset."""
        for tracked in self.files.values():
            tracked.read_offset = tracked.checkpoint.offset

    # -- housekeeping ----------------------------------------------------------
    def ordered(self) -> list[TrackedFile]:
        """Tracked files in name order (oldest hour first)."""
        return sorted(self.files.values(), key=lambda t: os.path.basename(t.checkpoint.path))

    def bytes_behind(self) -> int:
        return sum(max(0, t.size - t.checkpoint.offset) for t in self.files.values())

    def release_finished(self, now: float | None = None) -> None:
        """Let go of vanished files read to the end, and close descriptors of idle files."""
        now = time.time() if now is None else now
        for tracked in list(self.files.values()):
            done = tracked.checkpoint.offset >= tracked.size and tracked.read_offset >= tracked.size
            if tracked.gone and done and self._at_end(tracked):
                self._drop(tracked)
            elif (tracked.fd is not None and done and not tracked.gone
                  and now - tracked.last_change > self.close_inactive):
                os.close(tracked.fd)
                tracked.fd = None

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
        for tracked in self.files.values():
            if tracked.fd is not None:
                os.close(tracked.fd)
                tracked.fd = None
