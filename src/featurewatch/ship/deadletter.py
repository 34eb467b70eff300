"""The dead-letter file: one JSON line per record that cannot be indexed.

Each entry says why (``reason``, the item's ``status`` when Elasticsearch
answered), where the line came from (``file``, ``offset``) and what it was
(``line``, decoded as UTF-8 with replacement), so it can be fixed and
replayed. Entries are fsynced before the checkpoint moves past them; a crash
in between can repeat an entry, never lose one.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Any

import orjson

from ..errors import BackendError
from ..fileio import append_durably

__all__ = ["DeadLetterFile"]


class DeadLetterFile:
    """Appends dead-letter entries to ``path`` (created on first use)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._pending: list[bytes] = []

    def add(self, *, file: str, offset: int, line: bytes, reason: str, status: int | None = None,
            error: Any = None) -> None:
        entry: dict[str, Any] = {
            "time": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "reason": reason,
            "file": file,
            "offset": offset,
        }
        if status is not None:
            entry["status"] = status
        if error is not None:
            entry["error"] = error
        entry["line"] = line.rstrip(b"\n").decode("utf-8", errors="replace")
        self._pending.append(orjson.dumps(entry, option=orjson.OPT_APPEND_NEWLINE))

    def commit(self) -> int:
        """Append and fsync the pending entries; returns how many were written."""
        if not self._pending:
            return 0
        data = b"".join(self._pending)
        try:
            append_durably(self.path, data)
        except OSError as exc:
            raise BackendError(f"cannot write dead-letter file {self.path}: {exc.strerror or exc}") from None
        written = len(self._pending)
        self._pending = []
        return written
