"""The Slack-compatible webhook: the URL check (a usage error, never echoing the secret) and the post."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any

import orjson

from ..errors import BackendError, ConfigError

if TYPE_CHECKING:
    from ..detect.report import Report

__all__ = ["WebhookSink", "webhook_payload", "check_webhook_url"]


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
