"""The webhook body (Slack-compatible text plus the structured alerts) and when it is posted."""

from __future__ import annotations

import pytest

from featurewatch.detect.report import Finding, Report
from featurewatch.findings import Alert, AlertState, Webhook, webhook_payload
from webhooks import webhook_receiver


def _finding(check="na_spike", feature="income", severity="critical") -> Finding:
    return Finding(check=check, feature=feature, severity=severity, statistic=0.3, threshold=0.2,
                   baseline="1% null", observed="31% null", message=f"{feature} nulls")


REPORT = Report(model="credit", start="2026-11-20T04:00:00Z", end="2026-11-20T05:00:00Z", records=4000,
                findings=[_finding(), _finding("vanished_feature", "age", "warning")])
NEW = Alert("vanished_feature", "age", "warning", 1, "new", "2026-11-20T04:00:00Z", "2026-11-20T05:00:00Z")
ONGOING = Alert("na_spike", "income", "critical", 2, "ongoing", "2026-11-20T02:00:00Z", "2026-11-20T03:00:00Z")
RESOLVED = Alert("unseen_category", "region", "warning", 1, "resolved", "2026-11-20T01:00:00Z")


@pytest.fixture
def receiver():
    with webhook_receiver() as (url, received):
        yield url, received


class TestPayload:
    def test_structured_alerts_of_design_section_3(self):
        body = webhook_payload(REPORT, AlertState([ONGOING, NEW], [RESOLVED]))
        assert set(body) == {"text", "featurewatch"}
        assert body["featurewatch"] == {
            "model": "credit", "window": {"start": "2026-11-20T04:00:00Z", "end": "2026-11-20T05:00:00Z"},
            "alerts": [
                {"check": "na_spike", "feature": "income", "severity": "critical", "status": "ongoing",
                 "since": "2026-11-20T02:00:00Z"},
                {"check": "vanished_feature", "feature": "age", "severity": "warning", "status": "new",
                 "since": "2026-11-20T04:00:00Z"},
                {"check": "unseen_category", "feature": "region", "severity": "warning", "status": "resolved",
                 "since": "2026-11-20T01:00:00Z"}]}

    def test_text_says_what_changed_first(self):
        text = webhook_payload(REPORT, AlertState([ONGOING, NEW], [RESOLVED]))["text"].splitlines()
        assert text[0] == ("featurewatch: model credit, window 2026-11-20T04:00:00Z → 2026-11-20T05:00:00Z "
                           "(4,000 records): 1 new, 1 ongoing, 1 resolved")
        assert text[1] == "• NEW warning vanished_feature age: expected 1% null, seen 31% null"
        assert text[2] == "• RESOLVED warning unseen_category region (alarming since 2026-11-20T01:00:00Z)"
        assert text[3] == ("• STILL FIRING critical na_spike income: expected 1% null, seen 31% null "
                           "(since 2026-11-20T02:00:00Z)")

    def test_a_reminder_says_so(self):
        reminder = Alert(**{**ONGOING.__dict__, "reminder": True})
        assert webhook_payload(REPORT, AlertState([reminder], []))["text"].splitlines()[0].endswith(
            ": 1 ongoing (reminder)")

    def test_the_text_stays_short(self):
        alerts = [Alert("na_spike", f"f{i}", "critical", 2, "new", REPORT.start) for i in range(20)]
        text = webhook_payload(REPORT, AlertState(alerts, []))["text"]
        assert "… and 15 more" in text and len(text.splitlines()) == 7


class TestNotify:
    def test_posts_when_something_is_new(self, receiver):
        url, received = receiver
        assert Webhook(url).notify(REPORT, AlertState([NEW], [])) is True
        assert [body["featurewatch"]["alerts"][0]["status"] for body in received] == ["new"]

    def test_stays_quiet_while_an_alert_is_merely_ongoing(self, receiver):
        url, received = receiver
        assert Webhook(url).notify(REPORT, AlertState([ONGOING], [])) is False
        assert received == []

    def test_posts_when_something_resolved(self, receiver):
        url, received = receiver
        Webhook(url).notify(REPORT, AlertState([], [RESOLVED]))
        assert received[0]["featurewatch"]["alerts"] == [RESOLVED.to_json()]
