"""Findings sinks: the protocol, and a local JSONL file (rerun-safe)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import orjson

from ..errors import BackendError

if TYPE_CHECKING:  # the report's module pulls in detection; writing findings does not need it
    from ..detect.report import Report

__all__ = ["FindingsSink", "JsonlFindingsFile"]


class FindingsSink(Protocol):
    """A destination for the findings of a detection run."""

    def write(self, report: Report) -> None:
        """Store or send ``report``'s findings; raise BackendError when that fails."""
        ...


class JsonlFindingsFile:
    """Findings appended to a JSON-lines file, one document per finding with a deterministic id.

    A rerun of the same model and window *replaces* that window's earlier
    findings (also those the rerun no longer finds), so the file never holds
    duplicates. The file is rewritten atomically (temporary file, then rename).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def read(self) -> list[dict[str, Any]]:
        """Every finding document in the file (unreadable lines are skipped)."""
        if not self.path.exists():
            return []
        docs = []
        try:
            with self.path.open("rb") as handle:
                for line in handle:
                    try:
                        doc = orjson.loads(line)
                    except orjson.JSONDecodeError:
                        continue
                    if isinstance(doc, dict):
                        docs.append(doc)
        except OSError as exc:
            raise BackendError(f"cannot read findings file {self.path}: {exc.strerror or exc}") from None
        return docs

    def write(self, report: Report) -> None:
        new = report.finding_documents()
        ids = {doc["id"] for doc in new}
        window = {"start": report.start, "end": report.end}
        kept = [doc for doc in self.read()
                if doc.get("id") not in ids and not (doc.get("model") == report.model and doc.get("window") == window)]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(self.path.name + ".tmp")
            with temporary.open("wb") as handle:
                for doc in kept + new:
                    handle.write(orjson.dumps(doc, option=orjson.OPT_APPEND_NEWLINE))
            temporary.replace(self.path)
        except OSError as exc:
            raise BackendError(f"cannot write findings file {self.path}: {exc.strerror or exc}") from None
