"""The report job: one call profiles the window, detects, reads the history and writes the file."""

from __future__ import annotations

import datetime as dt

import numpy as np
import orjson
import pytest

from eswindow import END as ES_END
from eswindow import START as ES_START
from eswindow import log_window, ship
from featurewatch.baseline import save_baseline
from featurewatch.detect import run_detection
from featurewatch.detect.job import DetectJob, run_detect_job
from featurewatch.errors import BackendError, BaselineError, DataError
from featurewatch.profile import LocalSource
from featurewatch.report import ReportJob, ReportResult, write_report
from featurewatch.settings import load_settings
from featurewatch.window import Window, format_bound
from helpers import END, START, synthetic_frame, write_logs

HOUR = dt.timedelta(hours=1)
LOCAL = load_settings(environ={})


def nested(doc: dict) -> dict:
    """A metrics document as the metrics file and index store it (``window: {start, end}``)."""
    out = {k: v for k, v in doc.items() if not k.startswith("window.")}
    return {**out, "window": {"start": doc["window.start"], "end": doc["window.end"]}}


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    """Two hours of synth traffic: the first clean, the second with `amount` null for a third of records."""
    folder = tmp_path_factory.mktemp("report-job") / "logs"
    write_logs(folder, synthetic_frame(1200, seed=3), model="synth", prediction="score", start=START,
               end=START + HOUR)
    faulty = synthetic_frame(1200, seed=4)
    faulty.loc[np.arange(len(faulty)) % 3 == 0, "amount"] = np.nan
    return write_logs(folder, faulty, model="synth", prediction="score", start=START + HOUR, end=END, seed=4)


def write_history(baseline, logs, windows, folder):
    """The metrics and findings files `detect` runs over ``windows`` leave behind (bounds as detect writes them)."""
    metrics, findings = folder / "metrics.jsonl", folder / "findings.jsonl"
    source = LocalSource(logs)
    for window in windows:
        report = run_detection(baseline, source, window.start, window.end)
        report.start, report.end = format_bound(window.start), format_bound(window.end)
        for metric in report.metrics:
            metric["window.start"], metric["window.end"] = report.start, report.end
        with metrics.open("ab") as handle:
            handle.writelines(orjson.dumps(nested(m), option=orjson.OPT_APPEND_NEWLINE) for m in report.metrics)
        with findings.open("ab") as handle:
            handle.writelines(orjson.dumps(d, option=orjson.OPT_APPEND_NEWLINE) for d in report.finding_documents())
    return metrics, findings


@pytest.fixture(scope="module")
def history_files(logs, synth, tmp_path_factory):
    """The files hourly `detect` runs leave behind for the two hours."""
    windows = [Window(START, START + HOUR), Window(START + HOUR, END)]
    return write_history(synth, logs, windows, tmp_path_factory.mktemp("history"))


class TestLocal:
    def test_one_call_writes_the_report_with_its_history(self, logs, synth, history_files, tmp_path):
        metrics, findings = history_files
        output = tmp_path / "out" / "report.html"
        result = write_report(ReportJob(synth, Window(START, END), output, log_dir=logs, metrics_file=metrics,
                                        findings_file=findings), LOCAL)
        assert isinstance(result, ReportResult) and result.path == output
        assert result.size == output.stat().st_size and output.read_text(encoding="utf-8").startswith("<!DOCTYPE")
        assert result.data.records == result.report.records == 2400 and result.source == f"local files in {logs}"
        assert result.data.history_windows == 2 and list(output.parent.iterdir()) == [output]
        amount = next(s for s in result.data.sections if s.name == "amount")
        assert [p.alarm for p in amount.history] == [None, "critical"]
        assert ("na_spike", "amount") in {(f.check, f.feature) for f in result.report.flagged("warning")}

    def test_the_report_detects_what_detect_detects(self, logs, synth, tmp_path):
        """Same profile, same checks: the report's findings are `detect`'s."""
        window = Window(START, END)
        result = write_report(ReportJob(synth, window, tmp_path / "r.html", log_dir=logs), LOCAL)
        detected = run_detect_job(DetectJob(synth, window, log_dir=logs), LOCAL).report
        assert [f.to_dict() for f in result.report.findings] == [f.to_dict() for f in detected.findings]

    def test_without_history_there_is_no_over_time_part(self, logs, synth, tmp_path):
        result = write_report(ReportJob(synth, Window(START, END), tmp_path / "r.html", log_dir=logs), LOCAL)
        assert result.data.history_windows == 0 and "Over time" not in (tmp_path / "r.html").read_text()

    def test_history_beyond_the_span_is_left_out(self, logs, synth, history_files, tmp_path):
        job = ReportJob(synth, Window(START, END), tmp_path / "r.html", log_dir=logs,
                        metrics_file=history_files[0], history_span=HOUR)
        assert write_report(job, LOCAL).data.history_windows == 1

    def test_the_settings_log_dir_and_a_baseline_file(self, logs, synth, tmp_path):
        path = save_baseline(synth, tmp_path / "baseline.json")
        settings = load_settings({"log_dir": str(logs)}, environ={})
        result = write_report(ReportJob(str(path), Window(START, END), tmp_path / "r.html"), settings)
        assert result.data.records == 2400

    def test_an_existing_report_is_replaced(self, logs, synth, tmp_path):
        output = tmp_path / "r.html"
        output.write_text("old")
        write_report(ReportJob(synth, Window(START, END), output, log_dir=logs), LOCAL)
        assert output.read_text(encoding="utf-8").startswith("<!DOCTYPE")


class TestErrors:
    def test_a_missing_baseline_is_a_baseline_error(self, logs, tmp_path):
        with pytest.raises(BaselineError, match="baseline file not found"):
            write_report(ReportJob(tmp_path / "none.json", Window(START, END), tmp_path / "r.html", log_dir=logs),
                         LOCAL)

    def test_a_missing_history_file_is_a_data_error(self, logs, synth, tmp_path):
        with pytest.raises(DataError, match="findings file not found"):
            write_report(ReportJob(synth, Window(START, END), tmp_path / "r.html", log_dir=logs,
                                   findings_file=tmp_path / "nope.jsonl"), LOCAL)

    def test_an_unwritable_output_is_a_backend_error_and_leaves_nothing(self, logs, synth, tmp_path):
        (tmp_path / "file").write_text("x")
        with pytest.raises(BackendError, match="cannot write the report"):
            write_report(ReportJob(synth, Window(START, END), tmp_path / "file" / "r.html", log_dir=logs), LOCAL)
        target = tmp_path / "dir.html"
        target.mkdir()
        with pytest.raises(BackendError, match="cannot write the report"):
            write_report(ReportJob(synth, Window(START, END), target, log_dir=logs), LOCAL)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.html", "file"]


def test_the_report_from_elasticsearch(tmp_path, es_url, es_client, es_prefix, baseline):
    """Counts from aggregations and the history from the metrics and findings indices; the same content
    as the report from the local files with the same history."""
    logs = tmp_path / "logs"
    log_window(logs, n=1200)
    ship(logs, es_url, es_client, es_prefix, baseline, tmp_path)
    settings = load_settings({"es_url": es_url, "es_index_prefix": es_prefix}, environ={})
    half = ES_START + (ES_END - ES_START) / 2
    halves = [Window(ES_START, half), Window(half, ES_END)]
    for window in halves:  # the cron runs that fill the indices
        run_detect_job(DetectJob(baseline, window), settings)
    es_client.indices.refresh(index=[f"{es_prefix}-metrics", f"{es_prefix}-findings"])

    remote = write_report(ReportJob(baseline, Window(ES_START, ES_END), tmp_path / "es.html"), settings)
    assert remote.source.startswith("Elasticsearch at ") and remote.data.records == 1200
    assert remote.data.history_windows == 2
    income = next(s for s in remote.data.sections if s.name == "income")
    assert [p.alarm for p in income.history] == ["critical", "critical"]

    metrics, findings = write_history(baseline, logs, halves, tmp_path)
    local = write_report(ReportJob(baseline, Window(ES_START, ES_END), tmp_path / "local.html", log_dir=logs,
                                   metrics_file=metrics, findings_file=findings), settings)
    # A mean is a sum over the records: the cluster adds them in another order (the last digits differ).
    assert [(f.check, f.feature, f.severity, f.message) for f in remote.report.findings] == [
        (f.check, f.feature, f.severity, f.message) for f in local.report.findings]
    assert [(s.name, s.rates, s.numeric, s.categories, s.text, s.novelty, [(p.start, p.alarm) for p in s.history])
            for s in remote.data.sections] == [
        (s.name, s.rates, s.numeric, s.categories, s.text, s.novelty, [(p.start, p.alarm) for p in s.history])
        for s in local.data.sections]
