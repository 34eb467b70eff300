"""Findings sinks: the rerun-safe JSONL file, the webhook, the table."""

from __future__ import annotations

import http.server
import threading

import orjson
import pytest

from featurewatch.detect.report import Finding, Report
from featurewatch.errors import BackendError
from featurewatch.findings import (
    JsonlFindingsFile,
    WebhookSink,
    render_table,
    webhook_payload,
)


def _finding(check="na_spike", feature="income", severity="critical") -> Finding:
    return Finding(check=check, feature=feature, severity=severity, statistic=0.3, threshold=0.2,
                   baseline="1% null", observed="31% null", message=f"{feature} nulls", p_value=1e-9,
                   effect="rate_increase")


def _report(findings, start="2026-11-20T10:00:00.000000Z") -> Report:
    return Report(model="credit", start=start, end="2026-11-20T12:00:00.000000Z", records=4000, findings=findings)


class TestJsonlFindingsFile:
    def test_rerun_replaces_the_window(self, tmp_path):
        sink = JsonlFindingsFile(tmp_path / "findings.jsonl")
        sink.write(_report([_finding(), _finding("numeric_shift", "amount", "warning")]))
        sink.write(_report([_finding()], start="2026-11-20T08:00:00.000000Z"))
        sink.write(_report([_finding()]))  # rerun of the first window finds less
        docs = sink.read()
        assert len(docs) == 2 and len({d["id"] for d in docs}) == 2
        assert sorted(d["window"]["start"] for d in docs) == ["2026-11-20T08:00:00.000000Z",
                                                               "2026-11-20T10:00:00.000000Z"]

    def test_ids_are_deterministic(self, tmp_path):
        one = _report([_finding()]).finding_documents()[0]["id"]
        assert one == _report([_finding()]).finding_documents()[0]["id"]
        assert one != _report([_finding(feature="age")]).finding_documents()[0]["id"]

    def test_unwritable_path_is_a_backend_error(self, tmp_path):
        (tmp_path / "dir").mkdir()
        with pytest.raises(BackendError, match="findings file"):
            JsonlFindingsFile(tmp_path / "dir").write(_report([_finding()]))


class _Handler(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        self.received.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_server():
    _Handler.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook/secret-token", _Handler.received
    server.shutdown()


class TestWebhook:
    def test_posts_slack_compatible_summary(self, webhook_server):
        url, received = webhook_server
        WebhookSink(url, fail_on="warning").write(_report([_finding(), _finding("x", "y", "info")]))
        payload = orjson.loads(received[0])
        assert set(payload) == {"text"} and "1 critical" in payload["text"] and "na_spike income" in payload["text"]

    def test_nothing_flagged_posts_nothing(self, webhook_server):
        url, received = webhook_server
        WebhookSink(url, fail_on="critical").write(_report([_finding(severity="warning")]))
        assert received == []

    def test_failure_is_a_backend_error_without_the_token(self):
        with pytest.raises(BackendError) as error:
            WebhookSink("http://127.0.0.1:9/hook/secret-token", timeout=2).write(_report([_finding()]))
        assert "secret-token" not in str(error.value)

    def test_payload_is_short(self):
        report = _report([_finding(feature=f"f{i}") for i in range(20)])
        text = webhook_payload(report, "warning")["text"]
        assert "and 15 more" in text and len(text.splitlines()) == 7


class TestTable:
    def test_worst_first_with_expected_and_seen(self):
        text = render_table(_report([_finding()]))
        lines = text.splitlines()
        assert lines[1].split() == ["SEVERITY", "CHECK", "FEATURE", "EXPECTED", "SEEN"]
        assert lines[2].startswith("critical") and "1% null" in lines[2] and "31% null" in lines[2]

    def test_no_findings(self):
        assert "no findings" in render_table(_report([]))
