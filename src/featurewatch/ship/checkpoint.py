"""Per-file read positions, saved atomically.

A file is identified by device + inode *and* a fingerprint (hash of its first
bytes): the inode follows the file through a rename, the fingerprint catches
an inode reused by a new file. A fingerprint also recognises a copy of a file
(copy-truncate rotation), but only of a *retired* one — a file whose content
is gone from its inode (truncated, replaced, deleted): while the original is
still there under its own inode, a new file with the same first bytes is a
different file, however alike they begin. The checkpoint is written with
write-temp, fsync, rename, fsync-folder, so a crash leaves either the old or
the new version, never a torn one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

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


class CheckpointStore:
    """The checkpoint file of one source folder: load, update in memory, save atomically."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.files: dict[str, FileCheckpoint] = {}
        #: Fingerprints of files we stopped tracking (truncated, deleted) with their last offset,
        #: so a copy made by copy-truncate rotation resumes where the original stopped.
        self.retired: list[FileCheckpoint] = []
        #: Bumped whenever the set of known files changes (added, forgotten, retired) or one is renamed,
        #: so the shipper can tell a checkpoint worth saving without comparing every entry.
        self.changes = 0

    def load(self) -> CheckpointStore:
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

    def add(self, checkpoint: FileCheckpoint) -> None:
        """Start keeping ``checkpoint`` (replacing any entry of its inode)."""
        self.files[checkpoint.key] = checkpoint
        self.changes += 1

    def forget(self, key: str) -> None:
        """Stop keeping the entry of inode ``key``; its fingerprint is retired."""
        checkpoint = self.files.pop(key, None)
        if checkpoint is not None:
            self.retire(checkpoint)

    def rename(self, checkpoint: FileCheckpoint, path: str) -> None:
        """Note that a known file is now at ``path``."""
        if checkpoint.path != path:
            checkpoint.path = path
            self.changes += 1

    def retire(self, checkpoint: FileCheckpoint) -> None:
        """Remember a file's fingerprint and offset after it stops being tracked (or its content is replaced)."""
        self.changes += 1
        if checkpoint.fp_len >= MIN_FINGERPRINT_BYTES and checkpoint.offset > 0:
            self.retired.append(dataclasses.replace(checkpoint))
            del self.retired[:-_RETIRED_LIMIT]

    def offset_for_copy(self, head: Callable[[int], str], size: int, exclude: str = "") -> int:
        """Largest acknowledged offset of a retired file that a file of ``size`` bytes begins like
        (0 when none); ``head(n)`` fingerprints that file's first ``n`` bytes, asked once per length.

        Only retired files count: a fingerprint stands for a file only once its inode no
        longer holds that content, so a look-alike of a file still present starts at 0.
        """
        best = 0
        heads: dict[int, str] = {}
        for cp in self.retired:
            if cp.key == exclude or cp.offset <= best or not MIN_FINGERPRINT_BYTES <= cp.fp_len <= size:
                continue
            if cp.fp_len not in heads:
                heads[cp.fp_len] = head(cp.fp_len)
            if heads[cp.fp_len] == cp.fp:
                best = cp.offset
        return min(best, size)

    def save(self) -> None:
        """Write the checkpoint atomically (temp file, fsync, rename, fsync folder)."""
        # Saved after every batch, with as many entries as files (a hundred thousand, say): orjson
        # writes the dataclasses itself, unsorted and unindented.
        data = orjson.dumps({"version": _FORMAT_VERSION, "files": list(self.files.values()),
                             "retired": self.retired})
        try:
            replace_atomically(self.path, data)
        except OSError as exc:
            raise BackendError(f"cannot write checkpoint {self.path}: {exc.strerror or exc}") from None
