"""Cut actions into bulk batches by count and by bytes: pure, no I/O.

A batch also remembers, per source file, how far reading got (``offsets``):
once the batch is acknowledged (every item delivered or dead-lettered) those
offsets are safe to checkpoint. Lines rejected before sending (unparseable
JSON, no timestamp) ride along in ``rejected`` so they are dead-lettered in
the same step that advances the checkpoint past them.
"""

from __future__ import annotations

from typing import NamedTuple

from .actions import Action

__all__ = ["Origin", "Batch", "DEFAULT_MAX_DOCS", "DEFAULT_MAX_BYTES"]

DEFAULT_MAX_DOCS = 5000
DEFAULT_MAX_BYTES = 5 * 1024 * 1024


class Origin(NamedTuple):
    """Where a line came from: checkpoint key of the file, its path, byte offset of the line."""

    key: str
    path: str
    offset: int


class Batch:
    """Actions waiting to be sent together, plus the read offsets they cover."""

    __slots__ = ("headers", "max_bytes", "max_docs", "nbytes", "offsets", "origins", "rejected", "sources")

    def __init__(self, max_docs: int = DEFAULT_MAX_DOCS, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_docs < 1 or max_bytes < 1:
            raise ValueError("batch limits must be positive")
        self.max_docs = max_docs
        self.max_bytes = max_bytes
        self.headers: list[bytes] = []
        self.sources: list[bytes] = []
        self.origins: list[Origin] = []
        #: Checkpoint key → offset up to which every line is in this batch (or an earlier one).
        self.offsets: dict[str, int] = {}
        self.nbytes = 0
        #: (origin, line, reason) of lines that never became actions.
        self.rejected: list[tuple[Origin, bytes, str]] = []

    def __len__(self) -> int:
        return len(self.headers)

    def fits(self, action: Action) -> bool:
        """Whether ``action`` can join without exceeding the limits (an empty batch takes anything)."""
        if not self.headers:
            return True
        size = len(action.header) + len(action.source)
        return len(self.headers) < self.max_docs and self.nbytes + size <= self.max_bytes

    def add(self, action: Action, origin: Origin) -> None:
        self.headers.append(action.header)
        self.sources.append(action.source)
        self.origins.append(origin)
        self.nbytes += len(action.header) + len(action.source)

    def reject(self, origin: Origin, line: bytes, reason: str) -> None:
        self.rejected.append((origin, line, reason))

    def advance(self, key: str, end_offset: int) -> None:
        """Record that every line of file ``key`` before ``end_offset`` belongs to this batch or earlier."""
        self.offsets[key] = end_offset

    @property
    def full(self) -> bool:
        return len(self.headers) >= self.max_docs or self.nbytes >= self.max_bytes

    @property
    def empty(self) -> bool:
        """Nothing to send, nothing to dead-letter and no offset to move."""
        return not self.headers and not self.rejected and not self.offsets

    def body(self, positions: list[int] | None = None) -> bytes:
        """The NDJSON body of all actions, or of the actions at ``positions``."""
        if positions is None:
            parts = [part for pair in zip(self.headers, self.sources) for part in pair]
        else:
            parts = [part for i in positions for part in (self.headers[i], self.sources[i])]
        return b"".join(parts)
