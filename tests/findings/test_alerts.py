"""Alert state: new, ongoing since, resolved; posts only when something changed or a reminder is due."""

from __future__ import annotations

import datetime as dt

from featurewatch.findings import alert_state, window_documents
from featurewatch.findings.alerts import Alert


def _flagged(check="na_spike", feature="income", severity="critical", rank=2):
    return {"check": check, "feature": feature, "severity": severity, "severity_rank": rank}


def _hour(h: int) -> tuple[str, str]:
    return f"2026-11-20T{h:02d}:00:00Z", f"2026-11-20T{h + 1:02d}:00:00Z"


def _stored(state, hour):
    """The documents a run of ``hour`` leaves for the next one (as window_documents writes them)."""
    start, end = _hour(hour)
    docs = [{**_flagged(a.check, a.feature, a.severity, a.severity_rank), "alert": a.status, "since": a.since,
             "notified": a.notified, "window": {"start": start, "end": end}} for a in state.alerts]
    docs += [{**_flagged(a.check, a.feature, a.severity, a.severity_rank), "alert": "resolved", "since": a.since,
              "window": {"start": start, "end": end}} for a in state.resolved]
    return docs


def _run(hours_alarming, remind_every=None):
    """Alert states of consecutive hourly windows 0..5 where the finding alarms in ``hours_alarming``."""
    previous: list[dict] = []
    states = []
    for hour in range(6):
        start, end = _hour(hour)
        state = alert_state(previous, [_flagged()] if hour in hours_alarming else [], start, end, remind_every)
        states.append(state)
        previous = _stored(state, hour)
    return states


class TestState:
    def test_new_then_ongoing_since_the_first_window_then_resolved(self):
        states = _run({2, 3, 4})
        assert [[a.status for a in s.alerts] for s in states] == [[], [], ["new"], ["ongoing"], ["ongoing"], []]
        assert {a.since for s in states for a in s.alerts} == {"2026-11-20T02:00:00Z"}
        assert [[(a.status, a.since) for a in s.resolved] for s in states][5] == [("resolved", "2026-11-20T02:00:00Z")]
        assert [s.resolved for s in states[:5]] == [[]] * 5

    def test_posts_only_for_new_and_resolved(self):
        assert [s.notify for s in _run({2, 3, 4})] == [False, False, True, False, False, True]

    def test_a_reminder_every_two_hours_of_windows(self):
        """Named at 03:00 (hour 2's end): due again at 05:00 (hour 4's end), not at 04:00."""
        states = _run({2, 3, 4}, remind_every=dt.timedelta(hours=2))
        assert [s.notify for s in states] == [False, False, True, False, True, True]
        assert [a.reminder for a in states[4].alerts] == [True]

    def test_a_gap_in_the_store_keeps_the_incident(self):
        """The previous window in the store may be older (a missed cron run): still ongoing."""
        start, end = _hour(2)
        first = alert_state([], [_flagged()], start, end)
        start, end = _hour(4)
        later = alert_state(_stored(first, 2), [_flagged()], start, end)
        assert [(a.status, a.since) for a in later.alerts] == [("ongoing", "2026-11-20T02:00:00Z")]

    def test_a_post_names_every_alert_and_marks_them_notified(self):
        """When one alert is new, the ongoing one is in the same post and its reminder clock restarts."""
        start, end = _hour(2)
        first = alert_state([], [_flagged()], start, end)
        start, end = _hour(3)
        second = alert_state(_stored(first, 2), [_flagged(), _flagged("vanished_feature", "age")], start, end)
        assert [(a.status, a.notified) for a in second.alerts] == [("ongoing", end), ("new", end)]


class TestDocuments:
    def test_alarming_findings_carry_their_alert_and_resolved_ones_get_a_document(self):
        from featurewatch.detect.report import Finding, Report

        finding = Finding(check="na_spike", feature="income", severity="critical", statistic=0.3, threshold=0.2,
                          baseline="1%", observed="31%", message="m")
        report = Report(model="credit", start="2026-11-20T03:00:00Z", end="2026-11-20T04:00:00Z", records=9,
                        findings=[finding])
        alert = Alert("na_spike", "income", "critical", 2, "ongoing", "2026-11-20T01:00:00Z", "2026-11-20T02:00:00Z")
        gone = Alert("vanished_feature", "age", "warning", 1, "resolved", "2026-11-20T02:00:00Z")
        docs = window_documents(report, {alert.key: alert}, [gone]).findings
        assert [(d["check"], d["alert"], d["since"]) for d in docs] == [
            ("na_spike", "ongoing", "2026-11-20T01:00:00Z"), ("vanished_feature", "resolved", "2026-11-20T02:00:00Z")]
        assert docs[0]["notified"] == "2026-11-20T02:00:00Z" and docs[1]["severity_rank"] == 1
        assert docs[1]["id"] != docs[0]["id"] and docs[1]["message"] == (
            "vanished_feature on age no longer alarms (it did since 2026-11-20T02:00:00Z)")


def test_a_finding_against_recent_traffic_is_an_alert_of_its_own():
    """The same check and feature against training and against recent traffic start and stop apart."""
    start, end = _hour(1)
    training, recent = _flagged(), {**_flagged(), "reference": "recent"}
    first = alert_state([], [training, recent], start, end)
    assert [(a.reference, a.status) for a in first.alerts] == [("training", "new"), ("recent", "new")]
    stored = [{**doc, "alert": "new", "since": start, "notified": end, "window": {"start": start, "end": end}}
              for doc in (training, recent)]
    start2, end2 = _hour(2)
    second = alert_state(stored, [training], start2, end2)
    assert [(a.reference, a.status) for a in second.alerts] == [("training", "ongoing")]
    assert [(a.reference, a.status) for a in second.resolved] == [("recent", "resolved")]
    assert second.resolved[0].to_json()["reference"] == "recent" and "reference" not in second.alerts[0].to_json()
    assert "against recent traffic" in second.resolved[0].describe()
