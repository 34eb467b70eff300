"""The Slack-compatible webhook: the URL check (a usage error, never echoing the secret), the body, the post.

Whether to post is the alert state's decision (:attr:`.alerts.AlertState.notify`):
only when something is new or resolved, or a reminder is due.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any

import orjson

from ..errors import BackendError, ConfigError

if TYPE_CHECKING:
    from ..detect.report import Report
    from .alerts import AlertState

__all__ = ["Webhook", "webhook_payload", "check_webhook_url"]


_LABELS = {"new": "NEW", "ongoing": "STILL FIRING", "resolved": "RESOLVED"}


def webhook_payload(report: Report, state: AlertState, limit: int = 5) -> dict[str, Any]:
    """The Slack-compatible body: a short ``text`` and the structured ``featurewatch`` alerts (DESIGN.md §3).

    ``alerts`` lists every alert of the window, new, ongoing and resolved, so
    a receiver sees the whole state in each post; the text names the first
    ``limit`` of them, new and resolved first.
    """
    findings = {(f.check, f.feature, f.reference): f for f in report.findings}
    everything = state.alerts + state.resolved
    counts = {s: sum(1 for a in everything if a.status == s) for s in ("new", "ongoing", "resolved")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "nothing alarming"
    reminder = " (reminder)" if not counts["new"] and not counts["resolved"] else ""
    lines = [f"featurewatch: model {report.model}, window {report.start} → {report.end} "
             f"({report.records:,} records): {summary}{reminder}"]
    shown = sorted(everything, key=lambda a: (a.status == "ongoing", -a.severity_rank))
    for alert in shown[:limit]:
        name = f"{alert.check} {alert.feature or ''}".rstrip()
        if alert.reference != "training":
            name += f" (against {alert.reference} traffic)"
        line = f"• {_LABELS[alert.status]} {alert.severity} {name}"
        finding = findings.get(alert.key)
        if alert.status == "resolved":
            line += f" (alarming since {alert.since})"
        elif finding is not None:
            line += f": expected {finding.baseline or '-'}, seen {finding.observed or '-'}"
            line += f" (since {alert.since})" if alert.status == "ongoing" else ""
        lines.append(line)
    if len(shown) > limit:
        lines.append(f"… and {len(shown) - limit} more")
    return {"text": "\n".join(lines),
            "featurewatch": {"model": report.model, "window": {"start": report.start, "end": report.end},
                             "alerts": [alert.to_json() for alert in everything]}}


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


class Webhook:
    """POSTs JSON bodies to a webhook URL; a failure is a BackendError whose message hides the URL's secrets.

    Raises ConfigError at once for a URL that is not http(s) with a host.
    """

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = check_webhook_url(url)
        self.timeout = timeout

    def post(self, payload: dict[str, Any]) -> None:
        body = orjson.dumps(payload)
        try:
            # Built inside the try: urllib's ValueError for a bad URL would print the whole URL, token included.
            request = urllib.request.Request(self.url, data=body, method="POST",
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise BackendError(f"webhook {_safe(self.url)} answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise BackendError(f"cannot post to webhook {_safe(self.url)}: {reason}") from None
        except ValueError:  # its message may quote the URL's path
            raise BackendError(f"cannot post to webhook {_safe(self.url)}: not a usable URL") from None

    def notify(self, report: Report, state: AlertState) -> bool:
        """Post :func:`webhook_payload` when ``state`` says a post is due; True when it posted."""
        if not state.notify:
            return False
        self.post(webhook_payload(report, state))
        return True
