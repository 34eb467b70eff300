"""The findings and metrics files: window documents replaced on rerun, kept in window order, read back."""

from __future__ import annotations

import pytest

from featurewatch.detect.report import Finding, Report
from featurewatch.errors import BackendError, DataError
from featurewatch.findings import JsonlFindingsFile, JsonlMetricsFile, window_documents
from featurewatch.findings.store import previous_window


def _finding(check="na_spike", feature="income", severity="critical") -> Finding:
    return Finding(check=check, feature=feature, severity=severity, statistic=0.3, threshold=0.2,
                   baseline="1% null", observed="31% null", message=f"{feature} nulls", p_value=1e-9,
                   effect="rate_increase")


def _report(findings, hour=10, model="credit", metrics=()) -> Report:
    start, end = f"2026-11-20T{hour:02d}:00:00Z", f"2026-11-20T{hour + 1:02d}:00:00Z"
    rows = [{"@timestamp": end, "model": model, "window.start": start, "window.end": end, "feature": name,
             "records": 10, "null_rate": 0.1} for name in metrics]
    return Report(model=model, start=start, end=end, records=4000, findings=findings, metrics=rows)


def _write(store, report):
    store.write_window(window_documents(report))


class TestJsonlFindingsFile:
    def test_rerun_replaces_the_window(self, tmp_path):
        store = JsonlFindingsFile(tmp_path / "findings.jsonl")
        _write(store, _report([_finding(), _finding("numeric_shift", "amount", "warning")]))
        _write(store, _report([_finding()], hour=8))
        _write(store, _report([_finding()]))  # rerun of the first window finds less
        docs = store.read()
        assert len(docs) == 2 and len({d["id"] for d in docs}) == 2
        assert [d["window"]["start"] for d in docs] == ["2026-11-20T08:00:00Z", "2026-11-20T10:00:00Z"]

    def test_a_rerun_that_finds_nothing_empties_its_window(self, tmp_path):
        store = JsonlFindingsFile(tmp_path / "findings.jsonl")
        _write(store, _report([_finding()], hour=8))
        _write(store, _report([_finding()], hour=9))
        _write(store, _report([], hour=8))
        assert [d["window"]["start"] for d in store.read()] == ["2026-11-20T09:00:00Z"]

    def test_the_next_window_is_appended_without_rewriting(self, tmp_path, monkeypatch):
        """The cron case: a later window only appends (the file is never rewritten for it)."""
        store = JsonlFindingsFile(tmp_path / "findings.jsonl")
        _write(store, _report([_finding()], hour=8))
        monkeypatch.setattr(JsonlFindingsFile, "_rewrite", lambda self, docs: pytest.fail("rewritten"))
        _write(store, _report([_finding()], hour=9))
        _write(store, _report([], hour=10))
        assert len(store.read()) == 2

    def test_other_models_in_the_same_window_stay(self, tmp_path):
        store = JsonlFindingsFile(tmp_path / "findings.jsonl")
        _write(store, _report([_finding()], model="a"))
        _write(store, _report([_finding()], model="b"))
        _write(store, _report([], model="a"))
        assert [d["model"] for d in store.read()] == ["b"]

    def test_ids_are_deterministic(self):
        one = _report([_finding()]).finding_documents()[0]["id"]
        assert one == _report([_finding()]).finding_documents()[0]["id"]
        assert one != _report([_finding(feature="age")]).finding_documents()[0]["id"]

    def test_unwritable_path_is_a_backend_error(self, tmp_path):
        (tmp_path / "dir").mkdir()
        with pytest.raises(BackendError, match="findings file"):
            _write(JsonlFindingsFile(tmp_path / "dir"), _report([_finding()]))

    def test_require_names_a_missing_file(self, tmp_path):
        with pytest.raises(DataError, match="findings file not found: "):
            JsonlFindingsFile(tmp_path / "none.jsonl").require()


class TestPreviousWindow:
    def test_latest_window_ending_at_or_before_the_start(self):
        docs = [{"model": "m",
                 "window": {"start": f"2026-11-20T{h:02d}:00:00Z", "end": f"2026-11-20T{h + 1:02d}:00:00Z"},
                 "n": h} for h in (1, 2, 2, 5)] + [{"model": "other", "window": {
                     "start": "2026-11-20T03:00:00Z", "end": "2026-11-20T04:00:00Z"}, "n": 9}]
        assert [d["n"] for d in previous_window(docs, "m", "2026-11-20T04:00:00Z")] == [2, 2]
        assert previous_window(docs, "m", "2026-11-20T01:00:00Z") == []

    def test_bounds_of_either_format_compare_as_times(self):
        old = {"model": "m", "window": {"start": "2026-11-20T01:00:00.000000Z", "end": "2026-11-20T02:00:00.000000Z"}}
        assert previous_window([old], "m", "2026-11-20T02:00:00Z") == [old]


class TestJsonlMetricsFile:
    def test_one_line_per_window_and_feature_replaced_on_rerun(self, tmp_path):
        """The metrics-index documents, with ids and a nested window, without a cluster."""
        store = JsonlMetricsFile(tmp_path / "metrics.jsonl")
        _write(store, _report([], hour=8, metrics=["a", "b"]))
        _write(store, _report([], hour=9, metrics=["a", "b"]))
        _write(store, _report([], hour=8, metrics=["a", "b"]))
        docs = store.read()
        assert len(docs) == 4 and len({d["id"] for d in docs}) == 4
        assert docs[0]["window"] == {"start": "2026-11-20T08:00:00Z", "end": "2026-11-20T09:00:00Z"}
        assert {"window.start", "window.end"}.isdisjoint(docs[0]) and docs[0]["null_rate"] == 0.1
