"""Findings sinks: a local JSONL file (rerun-safe) and a Slack-compatible webhook."""

from __future__ import annotations

import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Protocol

import orjson

from ..detect.report import Report
from ..errors import BackendError

__all__ = ["FindingsSink", "JsonlFindingsFile", "WebhookSink", "webhook_payload"]


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
        with self.path.open("rb") as handle:
            for line in handle:
                try:
                    doc = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(doc, dict):
                    docs.append(doc)
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


def webhook_payload(report: Report, fail_on: str, limit: int = 5) -> dict[str, Any]:
    """A short Slack-compatible message (``{"text": ...}``) about the flagged findings."""
    flagged = report.flagged(fail_on)
    counts = {s: sum(1 for f in flagged if f.severity == s) for s in ("critical", "warning", "info")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "nothing flagged"
    lines = [f"featurewatch: model {report.model}, window {report.start} → {report.end} "
             f"({report.records:,} records): {summary}"]
    for finding in flagged[:limit]:
        lines.append(f"• {finding.severity} {finding.check} {finding.feature or ''}: "
                     f"expected {finding.baseline or '-'}, seen {finding.observed or '-'}")
    if len(flagged) > limit:
        lines.append(f"… and {len(flagged) - limit} more")
    return {"text": "\n".join(lines)}


def _safe(url: str) -> str:
    """The URL without its path: webhook paths carry tokens, which must not reach logs."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…" if parts.netloc else "(invalid URL)"


class WebhookSink:
    """POSTs :func:`webhook_payload` to ``url`` when something at or above ``fail_on`` was found."""

    def __init__(self, url: str, fail_on: str = "warning", timeout: float = 10.0) -> None:
        self.url = url
        self.fail_on = fail_on
        self.timeout = timeout

    def write(self, report: Report) -> None:
        if not report.flagged(self.fail_on):
            return
        body = orjson.dumps(webhook_payload(report, self.fail_on))
        request = urllib.request.Request(self.url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - user's URL
                response.read()
        except urllib.error.HTTPError as exc:
            raise BackendError(f"webhook {_safe(self.url)} answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise BackendError(f"cannot post to webhook {_safe(self.url)}: {reason}") from None
