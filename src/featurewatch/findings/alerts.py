"""Alert state per (model, check, feature, reference): new, ongoing (since when), resolved — and whether to say so.

A finding against recent traffic (``--reference-window``) is an alert of its
own, apart from the same check against training: one can start or stop
while the other goes on.

The state is kept where the findings already go: each alarming finding's
document carries its ``alert``, ``since`` and ``notified``
(:mod:`.documents`), so a run needs only the documents of the model's
previous window in the store to know what is new, what is still firing and
what stopped. That makes a rerun of a window reproduce the same state, and
keeps no state anywhere else.

Notifications follow on-call practice (Alertmanager, PagerDuty): a post when
something is new or resolved, and otherwise a reminder every
``remind_every`` while an alert stays ongoing — never the same alarm every
hour. Time is window time (window ends), not the clock of the run, so a late
or repeated cron run decides the same.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import record as R
from .documents import ALARMING, RESOLVED, TRAINING, Key, alert_key

__all__ = ["Alert", "AlertState", "alert_state", "alert_key", "Key"]



@dataclasses.dataclass(frozen=True)
class Alert:
    """One alarming (check, feature) of a window, or one that stopped alarming in it.

    ``since`` is the start of the first window of the run of alarming windows;
    ``notified`` the end of the window whose post last named it;
    ``reminder`` is True when this run's post is due because of it alone.
    """

    check: str
    feature: str | None
    severity: str
    severity_rank: int
    status: str  # "new", "ongoing" or "resolved"
    since: str
    notified: str | None = None
    reminder: bool = False
    #: What the window was compared with: ``training`` or ``recent``.
    reference: str = TRAINING

    @property
    def key(self) -> Key:
        """``(check, feature, reference)``: what the alert is about within its model."""
        return (self.check, self.feature, self.reference)

    def describe(self) -> str:
        """One sentence for people: what, and since when."""
        what = f"{self.check} on {self.feature}" if self.feature else self.check
        if self.reference != TRAINING:
            what += f" (against {self.reference} traffic)"
        if self.status == RESOLVED:
            return f"{what} no longer alarms (it did since {self.since})"
        return f"{what} is new" if self.status == "new" else f"{what} still alarms (since {self.since})"

    def to_json(self) -> dict[str, Any]:
        """The alert as the webhook body and ``detect --format json`` show it (DESIGN.md §3)."""
        out = {"check": self.check, "feature": self.feature, "severity": str(self.severity),
               "status": self.status, "since": self.since}
        if self.reference != TRAINING:
            out["reference"] = self.reference
        return out


@dataclasses.dataclass(frozen=True)
class AlertState:
    """The alerts of one window: one per alarming finding (in the report's order), and what stopped."""

    alerts: list[Alert]
    resolved: list[Alert]
    #: True when an earlier run of this same window already stored these changes: a rerun posts nothing new.
    repeated: bool = False

    def by_key(self) -> dict[Key, Alert]:
        """The alarming alerts by :func:`alert_key`, to look a finding's alert up."""
        return {alert.key: alert for alert in self.alerts}

    @property
    def changed(self) -> bool:
        """Something is new or resolved, or a reminder is due."""
        return bool(self.resolved) or any(a.status == "new" or a.reminder for a in self.alerts)

    @property
    def notify(self) -> bool:
        """True when a webhook post is due: something changed, and no earlier run of this window said so."""
        return self.changed and not self.repeated


def _moment(text: str) -> _dt.datetime:
    return R.parse_timestamp(text)


def alert_state(previous: Iterable[Mapping[str, Any]], flagged: Sequence[Mapping[str, Any]], start: str, end: str,
                remind_every: _dt.timedelta | None = None,
                recorded: Iterable[Mapping[str, Any]] = ()) -> AlertState:
    """The alert state of the window ``[start, end)``.

    ``previous`` are the stored documents of the model's previous window
    (empty when there is none), ``flagged`` the finding documents of this
    window at or above ``--fail-on`` (with ``check``, ``feature``,
    ``severity``, ``severity_rank``), ``recorded`` what an earlier run of
    this same window stored (a rerun). When something changed, every alert
    is marked as notified at ``end``; a rerun that finds the same changes
    its first run recorded is ``repeated``, so it does not post them again.
    """
    before: dict[Key, Mapping[str, Any]] = {alert_key(doc): doc for doc in previous if doc.get("alert") in ALARMING}
    window_end = _moment(end)
    drafts = []
    for doc in flagged:
        key = alert_key(doc)
        prior = before.get(key)
        common = {"check": key[0], "feature": key[1], "reference": key[2], "severity": doc["severity"],
                  "severity_rank": int(doc["severity_rank"])}
        if prior is None:
            drafts.append(Alert(**common, status="new", since=start, notified=end))
            continue
        since = prior.get("since") or prior["window"]["start"]
        notified = prior.get("notified")
        due = bool(remind_every and notified and window_end - _moment(notified) >= remind_every)
        drafts.append(Alert(**common, status="ongoing", since=since, notified=notified, reminder=due))
    now = {alert.key for alert in drafts}
    resolved = sorted(
        (Alert(check=key[0], feature=key[1], reference=key[2], severity=doc["severity"],
               severity_rank=int(doc.get("severity_rank", 0)), status=RESOLVED,
               since=doc.get("since") or doc["window"]["start"], notified=doc.get("notified"))
         for key, doc in before.items() if key not in now),
        key=lambda a: (-a.severity_rank, a.check, a.feature or ""))
    state = AlertState(drafts, resolved)
    if not state.changed:
        return state
    return AlertState([dataclasses.replace(a, notified=end) for a in drafts], resolved,
                      repeated=_repeated(state, recorded, end))


def _repeated(state: AlertState, recorded: Iterable[Mapping[str, Any]], end: str) -> bool:
    """True when ``recorded`` (this window's documents from an earlier run) already hold every change of ``state``."""
    was = {alert_key(doc): doc for doc in recorded if doc.get("alert")}
    if not was:
        return False
    for alert in state.alerts:
        before = was.get(alert.key)
        if alert.status == "new" and (before is None or before.get("alert") != "new"):
            return False
        if alert.reminder and (before is None or before.get("notified") != end):
            return False
    return all(was.get(alert.key, {}).get("alert") == RESOLVED for alert in state.resolved)
