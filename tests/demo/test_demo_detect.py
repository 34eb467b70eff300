"""The demo loop: incidents are found at their known times, clean windows stay quiet."""

from __future__ import annotations

import pytest

from featurewatch.demo import data, run


@pytest.fixture(scope="module")
def demo_results(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    training = run.write_training_data(root)
    baseline = run.build_demo_baseline(training, root / "baseline.json")
    run.log_traffic(root / "logs", per_hour=600)
    return run.detect_windows(baseline, root / "logs")


class TestDemo:
    def test_every_incident_is_found(self, demo_results):
        for window, report in demo_results:
            if window.incident is None:
                continue
            flagged = {(f.check, f.feature) for f in report.flagged("warning")}
            assert (window.incident.check, window.incident.feature) in flagged, (window.incident, report.findings)

    def test_clean_windows_are_quiet(self, demo_results):
        clean = [(w, r) for w, r in demo_results if w.incident is None]
        assert len(clean) == 7
        for window, report in clean:
            assert report.records > 0 and report.flagged("warning") == [], (window, report.findings)

    def test_windows_cover_the_day_in_two_hours(self):
        windows = run.demo_windows()
        assert all((w.end - w.start).total_seconds() == 7200 for w in windows)
        assert len(windows) == 12 and sum(w.incident is not None for w in windows) == len(data.INCIDENTS)
