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


def test_run_demo_is_the_whole_job_and_scores_itself(tmp_path):
    """One call: training data, traffic, baseline and every window, with the score the CLI prints."""
    logged = []
    demo = run.run_demo(tmp_path / "demo", per_hour=400, progress=logged.append)
    assert demo.training_rows > 0 and demo.logged == 400 * 24 == sum(logged) + demo.logged % 1000
    assert demo.baseline_path.exists() and len(demo.hours) == 24 and sum(n for _, n in demo.hours) == demo.logged
    assert (demo.incidents_found, demo.clean_quiet, demo.clean_windows) == (len(data.INCIDENTS), 7, 7)


def test_the_demo_spec_has_the_demo_model_and_its_kinds():
    spec = run.demo_spec()
    assert spec.model == data.MODEL and {f.kind for f in spec.features} >= {"numeric", "categorical", "text"}
