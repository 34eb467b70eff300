"""Per-file read positions, saved atomically.

A file is identified by device + inode *and* a fingerprint (hash of its first
bytes): the inode follows the file through a rename, the fingerprint catches
an inode reused by a new file and recognises a copy of a known file
(copy-truncate rotation). The checkpoint is written with write-temp, fsync,
rename, fsync-folder, so a crash leaves either the old or the new version,
never a torn one.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import os
from pathlib import Path
from typing import Any

import orjson

from ..errors import BackendError
from ..fileio import replace_atomically

__all__ = ["FileCheckpoint", "CheckpointStore", "fingerprint", "FINGERPRINT_BYTES", "MIN_FINGERPRINT_BYTES"]

#: How many leading bytes identify a file's content.
FINGERPRINT_BYTES = 1024
#: Below this many bytes a fingerprint is too weak to recognise a copy.
MIN_FINGERPRINT_BYTES = 64
_FORMAT_VERSION = 1
_RETIRED_LIMIT = 256


def fingerprint(data: bytes) -> str:
    """Hash of a file's first bytes (``data`` is at most FINGERPRINT_BYTES long)."""
    return hashlib.blake2b(data, digest_size=12).hexdigest()


@dataclasses.dataclass
class FileCheckpoint:
    """What we know about one source file: identity, path last seen, offset acknowledged."""

    dev: int
    ino: int
    path: str
    offset: int = 0
    fp_len: int = 0
    fp: str = ""

    @property
    def key(self) -> str:
        return f"{self.dev}:{self.ino}"

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class CheckpointStore:
    """The checkpoint file of one source folder: load, update in memory, save atomically."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.files: dict[str, FileCheckpoint] = {}
        #: Fingerprints of files we stopped tracking (truncated, deleted) with their last offset,
        #: so a copy made by copy-truncate rotation resumes where the original stopped.
        self.retired: list[FileCheckpoint] = []
        self.writes = 0
        self._lock_fd: int | None = None

    def lock(self) -> None:
        """Take the checkpoint for this process; a second shipper on it fails instead of racing.

        The lock is an advisory ``flock`` on ``<checkpoint>.lock``, released by
        :meth:`unlock` or by the kernel when the process dies (even by SIGKILL).
        """
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise BackendError(f"cannot create {lock_path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise BackendError(f"another shipper is using the checkpoint {self.path}; "
                               "run one shipper per source folder and cluster") from None
        self._lock_fd = fd

    def unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def load(self) -> "CheckpointStore":
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return self
        except OSError as exc:
            raise BackendError(f"cannot read checkpoint {self.path}: {exc.strerror or exc}") from None
        try:
            data = orjson.loads(raw)
            if data.get("version") != _FORMAT_VERSION:
                raise ValueError(f"unknown checkpoint version {data.get('version')!r}")
            self.files = {cp.key: cp for cp in (FileCheckpoint(**item) for item in data.get("files", []))}
            self.retired = [FileCheckpoint(**item) for item in data.get("retired", [])]
        except (orjson.JSONDecodeError, ValueError, TypeError, AttributeError) as exc:
            raise BackendError(f"corrupt checkpoint {self.path}: {exc}; move it away to re-ship from the start "
                               "(deterministic ids prevent duplicates)") from None
        return self

    def retire(self, checkpoint: FileCheckpoint) -> None:
        """Remember a file's fingerprint and offset after it stops being tracked."""
        if checkpoint.fp_len >= MIN_FINGERPRINT_BYTES and checkpoint.offset > 0:
            self.retired.append(dataclasses.replace(checkpoint))
            del self.retired[:-_RETIRED_LIMIT]

    def offset_for_copy(self, fp_len: int, fp: str, exclude: str = "") -> int:
        """Largest acknowledged offset of a known file with this fingerprint (0 when none)."""
        if fp_len < MIN_FINGERPRINT_BYTES:
            return 0
        best = 0
        for cp in list(self.files.values()) + self.retired:
            if cp.key != exclude and cp.fp_len == fp_len and cp.fp == fp:
                best = max(best, cp.offset)
        return best

    def save(self) -> None:
        """Write the checkpoint atomically (temp file, fsync, rename, fsync folder)."""
        data = orjson.dumps({
            "version": _FORMAT_VERSION,
            "files": [cp.as_dict() for cp in sorted(self.files.values(), key=lambda c: c.path)],
            "retired": [cp.as_dict() for cp in self.retired],
        }, option=orjson.OPT_INDENT_2)
        try:
            replace_atomically(self.path, data)
        except OSError as exc:
            raise BackendError(f"cannot write checkpoint {self.path}: {exc.strerror or exc}") from None
        self.writes += 1
