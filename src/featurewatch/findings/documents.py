"""The documents one detection window leaves behind: findings (with their alert state),
resolved alerts, and per-feature metrics.

The same documents go to every store — the findings file, the metrics file,
and the Elasticsearch findings and metrics indices (fields in
:data:`featurewatch.es.layout.FINDING_FIELDS` / ``METRIC_FIELDS``) — so that
what a rerun replaces, what the next run reads back as its previous window,
and what ``featurewatch findings`` lists are one shape. Pure: no I/O.

A finding document of an alarming finding (at or above ``--fail-on``) also
carries ``alert`` (``new`` or ``ongoing``), ``since`` (the start of the
first window of the run of alarming windows) and ``notified`` (the end of
the window whose webhook post last named it). An alert that stopped is a
document of its own in the window where it stopped: ``alert: "resolved"``,
with the ``since`` and severity it had.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..detect.report import Report
    from .alerts import Alert

__all__ = ["WindowDocuments", "window_documents", "metric_id", "resolved_id", "nested", "ALARMING", "RESOLVED",
           "Key", "alert_key"]

#: ``alert`` values of a finding that is alarming in its window.
ALARMING = ("new", "ongoing")
#: ``alert`` value of the document that says an alert stopped.
RESOLVED = "resolved"
TRAINING = "training"
#: What an alert is about: ``(check, feature, reference)`` within one model.
Key = tuple[str, "str | None", str]


def alert_key(doc: Mapping[str, Any]) -> Key:
    """The alert a finding or stored document belongs to (documents without a reference: training)."""
    return (doc["check"], doc.get("feature"), doc.get("reference") or TRAINING)


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()


def metric_id(model: str, start: str, end: str, feature: str) -> str:
    """Deterministic id of one metrics document (model, window, feature)."""
    return _digest(model, start, end, feature)


def resolved_id(model: str, start: str, end: str, check: str, feature: str | None,
                reference: str = "training") -> str:
    """Deterministic id of a resolved-alert document; never that of a finding of the same window."""
    return _digest(model, start, end, check, feature or "", RESOLVED, *([] if reference == "training" else [reference]))


def nested(doc: Mapping[str, Any]) -> dict[str, Any]:
    """``{"window.start": x}`` → ``{"window": {"start": x}}`` (one level, as the index mappings expect)."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if "." in key and not key.startswith("@"):
            parent, child = key.split(".", 1)
            out.setdefault(parent, {})[child] = value
        else:
            out[key] = value
    return out


@dataclasses.dataclass(frozen=True)
class WindowDocuments:
    """Everything one run writes about one model's window; every document has an ``id``."""

    model: str
    start: str
    end: str
    findings: list[dict[str, Any]]
    metrics: list[dict[str, Any]]


def window_documents(report: Report, alerts: Mapping[Key, Alert] | None = None,
                     resolved: Sequence[Alert] = ()) -> WindowDocuments:
    """The documents of ``report``'s window: its findings with their ``alerts``, the ``resolved``, the metrics."""
    alerts = alerts or {}
    findings = []
    for doc in report.finding_documents():
        alert = alerts.get(alert_key(doc))
        if alert is not None:
            doc.update({"alert": alert.status, "since": alert.since, "notified": alert.notified})
        findings.append(doc)
    for alert in resolved:
        findings.append({
            "id": resolved_id(report.model, report.start, report.end, alert.check, alert.feature, alert.reference),
            "@timestamp": report.end, "model": report.model, "window": {"start": report.start, "end": report.end},
            "check": alert.check, "feature": alert.feature, "severity": alert.severity,
            "severity_rank": alert.severity_rank, "alert": RESOLVED, "since": alert.since,
            "reference": alert.reference,
            "message": alert.describe(),
        })
    metrics = [{"id": metric_id(report.model, report.start, report.end, str(metric["feature"])), **nested(metric)}
               for metric in report.metrics]
    return WindowDocuments(report.model, report.start, report.end, findings, metrics)
