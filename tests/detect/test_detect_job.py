"""The detect job API: all of what `featurewatch detect` does, in one call, for Python callers."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import orjson
import pytest

from eswindow import END, START, log_window, ship
from featurewatch.detect.job import DetectJob, DetectResult, run_detect_job
from featurewatch.settings import load_settings
from featurewatch.window import Window
from helpers import END as H_END
from helpers import START as H_START
from helpers import synthetic_frame, write_logs


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    """A log folder of model synth with a null spike in `amount`."""
    frame = synthetic_frame(1500, seed=3)
    frame.loc[np.arange(len(frame)) % 3 == 0, "amount"] = np.nan
    return write_logs(tmp_path_factory.mktemp("job") / "logs", frame, model="synth", prediction="score")


WINDOW = Window(H_START, H_END)


class TestLocal:
    def test_one_call_detects_and_writes_the_findings_file(self, faulty, synth, tmp_path):
        path = tmp_path / "findings.jsonl"
        result = run_detect_job(DetectJob(synth, WINDOW, log_dir=faulty, findings_file=path),
                                load_settings(environ={}))
        assert isinstance(result, DetectResult) and result.source == f"local files in {faulty}"
        assert [(f.check, f.feature) for f in result.flagged][:1] == [("na_spike", "amount")]
        docs = [orjson.loads(line) for line in path.read_bytes().splitlines()]
        assert len(docs) == len(result.report.findings) and result.warnings == []

    def test_bounds_are_written_without_a_fraction(self, faulty, synth, tmp_path):
        """Report, metrics and stored findings carry the window as 2026-11-20T00:00:00Z."""
        path = tmp_path / "findings.jsonl"
        report = run_detect_job(DetectJob(synth, WINDOW, log_dir=faulty, findings_file=path),
                                load_settings(environ={})).report
        assert (report.start, report.end) == ("2026-11-20T00:00:00Z", "2026-11-20T02:00:00Z")
        assert {(m["window.start"], m["window.end"], m["@timestamp"]) for m in report.metrics} == {
            ("2026-11-20T00:00:00Z", "2026-11-20T02:00:00Z", "2026-11-20T02:00:00Z")}
        doc = orjson.loads(path.read_bytes().splitlines()[0])
        assert doc["window"] == {"start": "2026-11-20T00:00:00Z", "end": "2026-11-20T02:00:00Z"}

    def test_the_settings_log_dir_is_the_default_source(self, faulty, synth):
        settings = load_settings({"log_dir": str(faulty)}, environ={})
        assert run_detect_job(DetectJob(synth, WINDOW), settings).report.records == 1500

    def test_a_baseline_file_is_loaded(self, faulty, synth, tmp_path):
        from featurewatch.baseline import save_baseline

        path = save_baseline(synth, tmp_path / "b.json")
        job = DetectJob(path, WINDOW, log_dir=faulty)
        assert run_detect_job(job, load_settings(environ={})).report.model == "synth"

    def test_fail_on_never_flags_nothing(self, faulty, synth):
        result = run_detect_job(DetectJob(synth, WINDOW, log_dir=faulty, fail_on="never"), load_settings(environ={}))
        assert result.report.findings and result.flagged == []

    def test_a_failed_webhook_post_is_a_warning(self, faulty, synth):
        result = run_detect_job(DetectJob(synth, WINDOW, log_dir=faulty, webhook="http://127.0.0.1:9/hook/SECRET"),
                                load_settings(environ={}))
        assert len(result.warnings) == 1 and result.warnings[0].startswith("cannot post to webhook")
        assert "SECRET" not in result.warnings[0]

    def test_a_local_run_does_not_load_the_elasticsearch_client(self, faulty, synth, tmp_path):
        """Even with an Elasticsearch URL configured, log_dir means the local files, and no client import."""
        from featurewatch.baseline import save_baseline

        path = save_baseline(synth, tmp_path / "b.json")
        code = ("import sys, datetime as dt\n"
                "from featurewatch.detect.job import DetectJob, run_detect_job\n"
                "from featurewatch.settings import load_settings\n"
                "from featurewatch.window import Window\n"
                "w = Window(dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc), "
                "dt.datetime(2026, 11, 20, 2, tzinfo=dt.timezone.utc))\n"
                f"r = run_detect_job(DetectJob({str(path)!r}, w, log_dir={str(faulty)!r}), "
                "load_settings({'es_url': 'http://127.0.0.1:9'}))\n"
                "print(r.report.records, 'elasticsearch' in sys.modules)")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        assert out == "1500 False\n"


def test_an_elasticsearch_url_without_a_log_dir_means_the_cluster(tmp_path, es_url, es_client, es_prefix, baseline):
    """The same job against the cluster: counts from aggregations, findings and metrics in its indices."""
    logs = tmp_path / "logs"
    log_window(logs, n=600)
    ship(logs, es_url, es_client, es_prefix, baseline, tmp_path)
    settings = load_settings({"es_url": es_url, "es_index_prefix": es_prefix}, environ={})
    result = run_detect_job(DetectJob(baseline, Window(START, END)), settings)
    assert result.source.startswith("Elasticsearch at ") and result.report.records == 600
    findings = f"{es_prefix}-findings"
    es_client.indices.refresh(index=findings)
    assert es_client.count(index=findings).body["count"] == len(result.report.findings)
    local = run_detect_job(DetectJob(baseline, Window(START, END), log_dir=logs), settings)
    assert local.report.to_json() == result.report.to_json()
