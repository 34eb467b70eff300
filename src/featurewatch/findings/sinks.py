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
from ..errors import BackendError, ConfigError

__all__ = ["FindingsSink", "JsonlFindingsFile", "WebhookSink", "webhook_payload", "check_webhook_url"]


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
    """The URL's scheme, host and port only: paths carry tokens and user-info carries passwords."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(invalid URL)"
    if not host:
        return "(invalid URL)"
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{f':{port}' if port else ''}/…"


def check_webhook_url(url: str) -> str:
    """Return ``url`` if it is an http(s) URL with a host, else raise ConfigError.

    The message never repeats the URL: a webhook's path is its secret.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        usable = parts.scheme in {"http", "https"} and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed [ of an IPv6 host
        usable = False
    if not usable:
        raise ConfigError("the webhook URL must be http:// or https:// with a host, "
                          "e.g. https://hooks.slack.com/services/...")
    return url


class WebhookSink:
    """POSTs :func:`webhook_payload` to ``url`` when something at or above ``fail_on`` was found.

    Raises ConfigError at once for a URL that is not http(s) with a host.
    """

    def __init__(self, url: str, fail_on: str = "warning", timeout: float = 10.0) -> None:
        self.url = check_webhook_url(url)
        self.fail_on = fail_on
        self.timeout = timeout

    def write(self, report: Report) -> None:
        if not report.flagged(self.fail_on):
            return
        body = orjson.dumps(webhook_payload(report, self.fail_on))
        try:
            # Built inside the try: urllib's ValueError for a bad URL would print the whole URL, token included.
            request = urllib.request.Request(self.url, data=body, method="POST",
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - user's URL
                response.read()
        except urllib.error.HTTPError as exc:
            raise BackendError(f"webhook {_safe(self.url)} answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise BackendError(f"cannot post to webhook {_safe(self.url)}: {reason}") from None
        except ValueError:  # its message may quote the URL's path
            raise BackendError(f"cannot post to webhook {_safe(self.url)}: not a usable URL") from None
