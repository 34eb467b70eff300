"""The metrics history: documents of either shape → points per feature, alarmed windows marked."""

from __future__ import annotations

import datetime as dt

import pytest

from featurewatch.errors import DataError
from featurewatch.report.history import history_from_documents, read_documents

T0 = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)


def bound(hour: int) -> str:
    return (T0 + dt.timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")


def metric(hour: int, feature: str = "income", *, nested: bool = True, model: str = "credit", **values):
    doc = {"id": f"m{hour}{feature}", "@timestamp": bound(hour + 1), "model": model, "feature": feature,
           "records": 100, "null_rate": 0.01, **values}
    if nested:
        doc["window"] = {"start": bound(hour), "end": bound(hour + 1)}
    else:
        doc.update({"window.start": bound(hour), "window.end": bound(hour + 1)})
    return doc


def finding(hour: int, severity: str, feature: str = "income", **extra):
    return {"model": "credit", "window": {"start": bound(hour), "end": bound(hour + 1)}, "feature": feature,
            "check": "na_spike", "severity": severity, **extra}


class TestHistoryFromDocuments:
    def test_both_document_shapes_give_the_same_points(self):
        """The stores nest the window ({"window": {...}}); a Report's metrics are flat ("window.start")."""
        nested = history_from_documents([metric(h) for h in range(3)], model="credit")
        flat = history_from_documents([metric(h, nested=False) for h in range(3)], model="credit")
        assert nested == flat
        points = nested.of("income")
        assert [p.start for p in points] == [T0 + dt.timedelta(hours=h) for h in range(3)]
        assert points[0].metrics["null_rate"] == 0.01 and "records" not in points[0].metrics

    def test_windows_come_oldest_first_whatever_the_file_order(self):
        history = history_from_documents([metric(2), metric(0), metric(1)], model="credit")
        assert [p.start.hour for p in history.of("income")] == [0, 1, 2]

    def test_other_models_and_windows_outside_the_span_are_left_out(self):
        docs = [metric(h) for h in range(6)] + [metric(3, model="other")]
        history = history_from_documents(docs, model="credit", since=T0 + dt.timedelta(hours=2),
                                         until=T0 + dt.timedelta(hours=5))
        # Windows that end in (02:00, 05:00]: those starting at 2, 3 and 4.
        assert [p.start.hour for p in history.of("income")] == [2, 3, 4] and history.windows == 3

    def test_a_window_alarms_with_a_finding_at_warning_or_above(self):
        findings = [finding(1, "info"), finding(2, "warning"), finding(3, "warning"), finding(3, "critical"),
                    finding(4, "critical", alert="resolved"), finding(2, "critical", feature="age")]
        history = history_from_documents([metric(h) for h in range(5)], findings, model="credit")
        assert [p.alarm for p in history.of("income")] == [None, None, "warning", "critical", None]

    def test_a_rerun_line_left_behind_is_replaced_by_the_last_one_read(self):
        history = history_from_documents([metric(0, null_rate=0.5), metric(0, null_rate=0.2)], model="credit")
        assert [p.metrics["null_rate"] for p in history.of("income")] == [0.2]

    def test_documents_without_a_window_or_feature_are_skipped(self):
        docs = [{"model": "credit", "feature": "income"}, {**metric(0), "feature": None},
                {**metric(1), "window": {"start": "yesterday", "end": "today"}}]
        assert history_from_documents(docs, model="credit").windows == 0

    def test_non_numbers_are_no_values(self):
        doc = metric(0, drift_score="0.3", unseen_token_rate=True)
        point = history_from_documents([doc], model="credit").of("income")[0]
        assert point.metrics["drift_score"] is None and point.metrics["unseen_token_rate"] is None


class TestReadDocuments:
    def test_objects_are_read_and_other_lines_skipped(self, tmp_path):
        path = tmp_path / "metrics.jsonl"
        path.write_bytes(b'{"a": 1}\nnot json\n[1, 2]\n\n{"b": 2}\n{"torn": ')
        assert read_documents(path, "metrics file") == [{"a": 1}, {"b": 2}]

    def test_a_missing_file_is_a_usage_error(self, tmp_path):
        with pytest.raises(DataError, match=r"metrics file not found: .*nope.jsonl") as caught:
            read_documents(tmp_path / "nope.jsonl", "metrics file")
        assert caught.value.exit_code == 2
