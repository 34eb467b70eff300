"""Incidents: the runs of consecutive alarming windows of one (model, check, feature).

Read back from a store's alert documents (:mod:`.documents`): the alarming
windows of one incident share their ``since`` (the start of its first
window), and the window where it stopped holds a ``resolved`` document with
the same ``since``. Grouping by ``since`` rather than by adjacent window
bounds keeps the history equal to what ``detect`` decided, also across a
missed cron run. Pure: no I/O.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from .. import record as R
from .documents import ALARMING, RESOLVED, alert_key

__all__ = ["Incident", "incidents"]


@dataclasses.dataclass(frozen=True)
class Incident:
    """One incident: its first and last window, how many windows alarmed, the worst severity, open or not."""

    model: str
    check: str
    feature: str | None
    worst_severity: str
    status: str  # "open" or "resolved"
    first_window_start: str
    last_window_end: str
    windows: int
    #: What the windows were compared with: ``training`` or ``recent`` (an alert of its own).
    reference: str = "training"

    def to_json(self) -> dict[str, Any]:
        """The ``featurewatch findings --format json`` entry (DESIGN.md §3; ``reference`` when not training)."""
        out = {"model": self.model, "check": self.check, "feature": self.feature,
               "worst_severity": self.worst_severity, "status": self.status,
               "first_window_start": self.first_window_start, "last_window_end": self.last_window_end,
               "windows": self.windows}
        if self.reference != "training":
            out["reference"] = self.reference
        return out


#: An incident's alert: model, check, feature, reference.
_Alert = tuple[str, str, "str | None", str]


def _when(text: str) -> Any:
    """A sortable moment for an ISO string (strings of other formats sort after, as text)."""
    try:
        return (0, R.parse_timestamp(text), "")
    except (TypeError, ValueError):
        return (1, None, str(text))


def incidents(documents: Iterable[dict[str, Any]]) -> list[Incident]:
    """The incidents in ``documents`` (any order), oldest first.

    An incident is open unless a ``resolved`` document closes it or a later
    incident of the same (model, check, feature, reference) has begun.
    """
    runs: dict[tuple[_Alert, str], list[dict[str, Any]]] = {}
    closed: set[tuple[_Alert, str]] = set()
    for doc in documents:
        alert = doc.get("alert")
        since = doc.get("since") or (doc.get("window") or {}).get("start")
        if since is None or "model" not in doc or "check" not in doc:
            continue
        key = ((str(doc["model"]), *alert_key(doc)), str(since))
        if alert in ALARMING:
            runs.setdefault(key, []).append(doc)
        elif alert == RESOLVED:
            closed.add(key)
    latest: dict[_Alert, Any] = {}
    for which, since in runs:
        moment = _when(since)
        if which not in latest or moment > latest[which]:
            latest[which] = moment
    found = []
    for key, docs in runs.items():
        (model, check, feature, reference), since = key
        worst = max(docs, key=lambda d: int(d.get("severity_rank", 0)))
        starts = [d["window"]["start"] for d in docs]
        ends = [d["window"]["end"] for d in docs]
        open_ = key not in closed and latest[key[0]] == _when(since)
        found.append(Incident(
            model=model, check=check, feature=feature, worst_severity=str(worst["severity"]),
            status="open" if open_ else "resolved", first_window_start=min(starts, key=_when),
            last_window_end=max(ends, key=_when), windows=len({(s, e) for s, e in zip(starts, ends)}),
            reference=reference))
    return sorted(found, key=lambda i: (_when(i.first_window_start), i.model, i.check, i.feature or ""))
