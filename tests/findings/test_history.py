"""Incidents read back from alert documents: grouped by since, open until resolved or superseded."""

from __future__ import annotations

from featurewatch.findings import incidents


def _doc(h: int, alert: str, since: int, feature: str = "amount", severity: str = "warning", model: str = "m"):
    rank = {"info": 0, "warning": 1, "critical": 2}[severity]
    return {"model": model, "check": "na_spike", "feature": feature, "severity": severity, "severity_rank": rank,
            "alert": alert, "since": f"2026-11-20T{since:02d}:00:00Z",
            "window": {"start": f"2026-11-20T{h:02d}:00:00Z", "end": f"2026-11-20T{h + 1:02d}:00:00Z"}}


class TestIncidents:
    def test_consecutive_windows_become_one_incident_with_its_worst_severity(self):
        docs = [_doc(3, "ongoing", 2, severity="critical"), _doc(2, "new", 2), _doc(4, "ongoing", 2),
                _doc(5, "resolved", 2)]
        [incident] = incidents(docs)
        assert incident.to_json() == {
            "model": "m", "check": "na_spike", "feature": "amount", "worst_severity": "critical",
            "status": "resolved", "first_window_start": "2026-11-20T02:00:00Z",
            "last_window_end": "2026-11-20T05:00:00Z", "windows": 3}

    def test_an_incident_without_a_resolution_is_open(self):
        assert [i.status for i in incidents([_doc(2, "new", 2), _doc(3, "ongoing", 2)])] == ["open"]

    def test_two_incidents_of_one_feature_oldest_first(self):
        docs = [_doc(1, "new", 1), _doc(2, "resolved", 1), _doc(6, "new", 6)]
        assert [(i.first_window_start[11:13], i.status, i.windows) for i in incidents(docs)] == [
            ("01", "resolved", 1), ("06", "open", 1)]

    def test_a_later_incident_closes_one_whose_resolution_was_never_stored(self):
        """The store may lack the resolved document (a missed run): a newer incident supersedes the old one."""
        docs = [_doc(1, "new", 1), _doc(6, "new", 6)]
        assert [i.status for i in incidents(docs)] == ["resolved", "open"]

    def test_models_and_features_stay_apart_and_documents_without_alerts_are_ignored(self):
        docs = [_doc(1, "new", 1), _doc(1, "new", 1, feature="age"), _doc(1, "new", 1, model="other"),
                {**_doc(2, "new", 2), "alert": None}]
        assert sorted((i.model, i.feature) for i in incidents(docs)) == [("m", "age"), ("m", "amount"),
                                                                          ("other", "amount")]


class TestReferences:
    """A check against recent traffic is an alert, and an incident, of its own."""

    @staticmethod
    def _report(hour, findings):
        from featurewatch.detect.report import Report

        start, end = f"2026-01-01T{hour:02d}:00:00Z", f"2026-01-01T{hour + 1:02d}:00:00Z"
        return Report(model="m", start=start, end=end, records=100, findings=findings)

    @staticmethod
    def _finding(severity, reference):
        from featurewatch.detect.report import Finding

        return Finding(check="type_mismatch", feature="x", severity=severity, statistic=0.5, threshold=0.1,
                       baseline="0%", observed="50%", message="m", reference=reference)

    def test_an_info_finding_against_recent_traffic_is_no_alert(self):
        from types import SimpleNamespace

        from featurewatch.detect.job import _conclude

        job = SimpleNamespace(fail_on="warning", remind_every=None)
        result, documents = _conclude(job, self._report(0, [self._finding("critical", "training"),
                                                            self._finding("info", "recent")]), [], [], "here")
        assert [a.key for a in result.state.alerts] == [("type_mismatch", "x", "training")]
        assert [(d["reference"], d.get("alert")) for d in documents.findings] == [("training", "new"), ("recent", None)]

    def test_incidents_are_per_reference(self):
        from types import SimpleNamespace

        from featurewatch.detect.job import _conclude
        from featurewatch.findings.history import incidents

        job = SimpleNamespace(fail_on="warning", remind_every=None)
        stored, everything = [], []
        for hour, findings in enumerate([[("critical", "training")],
                                         [("critical", "training"), ("warning", "recent")],
                                         [("critical", "training")]]):
            report = self._report(hour, [self._finding(s, r) for s, r in findings])
            _, documents = _conclude(job, report, stored, [], "here")
            stored = documents.findings
            everything += stored
        found = {(i.reference, i.status, i.windows) for i in incidents(everything)}
        assert found == {("training", "open", 3), ("recent", "resolved", 1)}
        assert [i.to_json().get("reference") for i in incidents(everything)] == [None, "recent"]
