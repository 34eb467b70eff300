"""The demo writes the day's report, its 2-hour windows drawn over time with the incidents marked."""

from __future__ import annotations

import re

from click.testing import CliRunner

from featurewatch.cli import main
from featurewatch.demo import data
from featurewatch.report import history_from_documents


def test_the_demo_report_marks_each_incident_in_its_window(demo):
    """For every injected incident, its feature's timeline alarms in the incident's window, and only then."""
    assert demo.report == demo.training.parent / "report.html" and demo.report.is_file()
    history = history_from_documents([m for _, r in demo.results for m in r.metrics],
                                     [d for _, r in demo.results for d in r.finding_documents()], model=data.MODEL)
    assert history.windows == len(demo.results) == 12
    page = demo.report.read_text(encoding="utf-8")
    for incident in data.INCIDENTS:
        assert [p.start for p in history.of(incident.feature) if p.alarm] == [incident.start], incident
        section = re.search(rf'data-feature="{incident.feature}">(.*?)</section>', page, re.S)
        assert section and "12 windows, 1 alarmed (marked)" in section.group(1)


def test_the_demo_prints_the_reports_path(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--workdir", str(tmp_path / "d"), "--per-hour", "100"], env={})
    assert result.exit_code == 0, result.output
    assert f"\nreport: {tmp_path / 'd' / 'report.html'}\n" in result.output and (tmp_path / "d/report.html").is_file()
