"""JSON-lines files of per-window documents, where a rerun of a window replaces that window's lines.

The findings file and the metrics file are both kept in window order. A cron
run for the next window (the common case) only appends; a rerun of an
earlier window rewrites the file atomically (a temporary file, then a
rename) without that window's old lines, so the file never holds duplicates
nor what a rerun no longer finds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from ..errors import BackendError, DataError

__all__ = ["WindowFile"]

_TAIL_BYTES = 1 << 16


def _order(doc: dict[str, Any]) -> tuple[str, str]:
    window = doc.get("window") or {}
    return (str(window.get("start", "")), str(window.get("end", "")))


class WindowFile:
    """A JSONL file of documents with ``id``, ``model`` and ``window: {start, end}``, in window order."""

    #: What the file holds, for messages ("findings file", "metrics file").
    kind = "file"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def exists(self) -> bool:
        """True when the file is there (an absent file reads as empty)."""
        return self.path.is_file()

    def read(self) -> list[dict[str, Any]]:
        """Every document in the file (an absent file is empty; unreadable lines are skipped)."""
        return list(self._documents())

    def require(self) -> None:
        """Raise DataError (exit 2) when the file does not exist: reading a wrong path is a usage mistake."""
        if not self.exists():
            raise DataError(f"{self.kind} not found: {self.path}")

    def _documents(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        try:
            with self.path.open("rb") as handle:
                for line in handle:
                    try:
                        doc = orjson.loads(line)
                    except orjson.JSONDecodeError:
                        continue
                    if isinstance(doc, dict):
                        yield doc
        except OSError as exc:
            raise BackendError(f"cannot read {self.kind} {self.path}: {exc.strerror or exc}") from None

    def _last(self) -> dict[str, Any] | None:
        """The last readable document, reading only the end of the file."""
        try:
            with self.path.open("rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(0, size - _TAIL_BYTES))
                lines = handle.read().splitlines()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise BackendError(f"cannot read {self.kind} {self.path}: {exc.strerror or exc}") from None
        for line in reversed(lines[1:] if size > _TAIL_BYTES else lines):
            try:
                doc = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(doc, dict):
                return doc
        return None

    def replace_window(self, model: str, start: str, end: str, docs: list[dict[str, Any]]) -> None:
        """Make ``docs`` the file's documents of ``model``'s window ``[start, end)``."""
        if not self.path.exists():
            self._append(docs)
            return
        last = self._last()
        if last is not None and _order(last) < (start, end):  # a later window than any in the file
            self._append(docs)
            return
        window = {"start": start, "end": end}
        ids = {doc["id"] for doc in docs}
        every = self.read()
        kept = [doc for doc in every
                if doc.get("id") not in ids and not (doc.get("model") == model and doc.get("window") == window)]
        if docs or len(kept) < len(every):
            self._rewrite(sorted(kept + docs, key=_order))

    def _append(self, docs: list[dict[str, Any]]) -> None:
        if not docs:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("ab") as handle:
                handle.write(b"".join(orjson.dumps(doc, option=orjson.OPT_APPEND_NEWLINE) for doc in docs))
        except OSError as exc:
            raise BackendError(f"cannot write {self.kind} {self.path}: {exc.strerror or exc}") from None

    def _rewrite(self, docs: list[dict[str, Any]]) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as handle:
                for doc in docs:
                    handle.write(orjson.dumps(doc, option=orjson.OPT_APPEND_NEWLINE))
            temporary.replace(self.path)
        except OSError as exc:
            raise BackendError(f"cannot write {self.kind} {self.path}: {exc.strerror or exc}") from None
