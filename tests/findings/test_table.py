"""The detect table: worst first, an ALERT column, wrapped to the width it is given, coloured only when asked."""

from __future__ import annotations

import orjson

from featurewatch.detect.report import Finding, Report
from featurewatch.findings import Alert, AlertState, render_json, render_table


def _finding(check="na_spike", feature="income", severity="critical", observed="31% null") -> Finding:
    return Finding(check=check, feature=feature, severity=severity, statistic=0.3, threshold=0.2,
                   baseline="1% null", observed=observed, message=f"{feature} nulls")


def _report(findings) -> Report:
    return Report(model="credit", start="2026-11-20T10:00:00Z", end="2026-11-20T11:00:00Z", records=4000,
                  findings=findings)


ONGOING = Alert("na_spike", "income", "critical", 2, "ongoing", "2026-11-20T08:00:00Z")
GONE = Alert("unseen_category", "region", "warning", 1, "resolved", "2026-11-20T07:00:00Z")


class TestTable:
    def test_worst_first_with_expected_and_seen(self):
        lines = render_table(_report([_finding()])).splitlines()
        assert lines[1].split() == ["SEVERITY", "CHECK", "FEATURE", "EXPECTED", "SEEN"]
        assert lines[2].startswith("critical") and "1% null" in lines[2] and "31% null" in lines[2]

    def test_no_findings(self):
        assert "no findings" in render_table(_report([]))

    def test_alert_column_since_and_resolved(self):
        text = render_table(_report([_finding(), _finding("x", "y", "info")]), state=AlertState([ONGOING], [GONE]))
        lines = text.splitlines()
        assert lines[1].split() == ["SEVERITY", "ALERT", "CHECK", "FEATURE", "EXPECTED", "SEEN"]
        assert lines[2].split()[:4] == ["critical", "ongoing", "na_spike", "income"]
        assert lines[3] == "    income nulls (alarming since 2026-11-20T08:00:00Z)"
        assert lines[4].split()[:2] == ["info", "-"]
        assert lines[-2:] == ["resolved:", "  resolved warning unseen_category on region no longer alarms (it did "
                                           "since 2026-11-20T07:00:00Z)"]

    def test_long_cells_wrap_to_the_width_instead_of_being_cut(self):
        """A 45-character feature name and a long observation fit 60 columns on several lines, whole."""
        name = "applicant_previous_employer_industry_category"
        seen = "41% of values unseen in training: retail-online, agri-coop, fintech"
        text = render_table(_report([_finding(feature=name, observed=seen)]), details=False, width=60)
        lines = text.splitlines()
        assert all(len(line) <= 60 for line in lines), lines  # the title line wraps too
        header, *rows = lines[next(i for i, line in enumerate(lines) if line.startswith("SEVERITY")):-1]
        assert len(rows) > 1 and all(len(line) <= 60 for line in [header, *rows])
        at = {word: header.index(word) for word in ("FEATURE", "EXPECTED", "SEEN")}
        column = lambda a, b: "".join(row[a:b].strip() for row in rows)  # noqa: E731
        assert column(at["FEATURE"], at["EXPECTED"]) == name
        assert column(at["SEEN"], None).replace(" ", "") == seen.replace(" ", "")

    def test_colour_only_when_asked(self):
        report = _report([_finding(), _finding("x", "y", "warning")])
        plain = render_table(report, state=AlertState([ONGOING], [GONE]))
        coloured = render_table(report, state=AlertState([ONGOING], [GONE]), color=True)
        assert "\x1b[" not in plain and "\x1b[1;31mcritical" in coloured and "\x1b[33mwarning" in coloured
        assert "\x1b[32mresolved\x1b[0m warning unseen_category" in coloured


def test_json_carries_alerts_and_resolved():
    doc = orjson.loads(render_json(_report([_finding(), _finding("x", "y", "info")]), AlertState([ONGOING], [GONE])))
    assert list(doc) == ["model", "window", "records", "findings", "unreadable", "metrics", "resolved"]
    assert (doc["findings"][0]["alert"], doc["findings"][0]["since"]) == ("ongoing", "2026-11-20T08:00:00Z")
    assert "alert" not in doc["findings"][1]
    assert doc["resolved"] == [GONE.to_json()]
