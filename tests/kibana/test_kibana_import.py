"""`featurewatch kibana import` against a local endpoint that answers like Kibana's import API."""

from __future__ import annotations

import base64
import dataclasses
import email.parser
import email.policy
import json
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from featurewatch.cli import main

PASSWORD = "s3cret-pa55"
API_KEY = "a2V5OnZhbHVl"


@dataclasses.dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    filename: str | None
    content: bytes | None


@dataclasses.dataclass
class FakeKibana:
    """Saved objects import endpoint: checks xsrf, auth and space; resolves conflicts and references."""

    url: str = ""
    received: list[Received] = dataclasses.field(default_factory=list)
    existing: set[tuple[str, str]] = dataclasses.field(default_factory=set)
    spaces: tuple[str, ...] = ("default", "team a")

    def answer(self, request: Received) -> tuple[int, dict[str, Any]]:
        auth = request.headers.get("authorization", "")
        basic = "Basic " + base64.b64encode(f"elastic:{PASSWORD}".encode()).decode()
        if auth not in {basic, f"ApiKey {API_KEY}"}:
            return 401, {"statusCode": 401, "error": "Unauthorized", "message": "unable to authenticate user"}
        if "kbn-xsrf" not in request.headers:
            return 400, {"statusCode": 400, "error": "Bad Request",
                         "message": "Request must contain a kbn-xsrf header."}
        parts = request.path.split("/")
        space = urllib.parse.unquote(parts[2]) if request.path.startswith("/s/") else "default"
        if space not in self.spaces or not request.path.endswith("/api/saved_objects/_import"):
            return 404, {"statusCode": 404, "error": "Not Found", "message": "Not Found"}
        if not (request.filename or "").endswith(".ndjson"):
            return 415, {"statusCode": 415, "error": "Unsupported Media Type", "message": "Invalid file extension"}
        overwrite = request.query.get("overwrite") == ["true"]
        objects = [json.loads(line) for line in (request.content or b"").decode().splitlines() if line.strip()]
        in_file = {(o["type"], o["id"]) for o in objects}
        errors, results = [], []
        for obj in objects:
            key = (obj["type"], obj["id"])
            meta = {"title": obj["attributes"].get("title", "")}
            missing = [r for r in obj["references"]
                       if (r["type"], r["id"]) not in in_file | self.existing]
            if missing:
                errors.append({"id": obj["id"], "type": obj["type"], "meta": meta,
                               "error": {"type": "missing_references",
                                         "references": [{"type": r["type"], "id": r["id"]} for r in missing]}})
            elif key in self.existing and not overwrite:
                errors.append({"id": obj["id"], "type": obj["type"], "meta": meta, "error": {"type": "conflict"}})
            else:
                results.append({"id": obj["id"], "type": obj["type"], "meta": meta})
        self.existing |= {(r["type"], r["id"]) for r in results}
        return 200, {"success": not errors, "successCount": len(results), "successResults": results,
                     "errors": errors}


def _handler(kibana: FakeKibana) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n".encode() + body)
            filename = content = None
            if message.is_multipart():
                for part in message.iter_parts():
                    if part.get_param("name", header="content-disposition") == "file":
                        filename, content = part.get_filename(), part.get_payload(decode=True)
            url = urllib.parse.urlsplit(self.path)
            request = Received("POST", url.path, urllib.parse.parse_qs(url.query),
                               {k.lower(): v for k, v in self.headers.items()}, filename, content)
            kibana.received.append(request)
            status, answer = kibana.answer(request)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def kibana() -> Iterator[FakeKibana]:
    fake = FakeKibana()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    for name in ("URL", "API_KEY", "USERNAME", "PASSWORD", "CA_FILE", "SPACE", "VERIFY_CERTS"):
        monkeypatch.delenv(f"FEATUREWATCH_KIBANA_{name}", raising=False)
    monkeypatch.delenv("FEATUREWATCH_CONFIG", raising=False)

    def invoke(*args: str, env: dict[str, str] | None = None):
        return CliRunner().invoke(main, ["kibana", "import", *args], env=env)

    return invoke


def _user(kibana: FakeKibana) -> list[str]:
    return ["--kibana", kibana.url, "--kibana-username", "elastic", "--kibana-password", PASSWORD]


class TestSuccess:
    def test_imports_the_file(self, kibana: FakeKibana, run, committed_file: Path) -> None:
        """The file goes as multipart field 'file' with kbn-xsrf and basic auth; the summary counts objects."""
        result = run(*_user(kibana), str(committed_file))
        assert result.exit_code == 0, result.output
        total = len(committed_file.read_bytes().splitlines())
        assert result.stdout == (f"imported {total} of {total} saved objects into Kibana at {kibana.url} "
                                 f"(space default)\n")
        (request,) = kibana.received
        assert request.path == "/api/saved_objects/_import" and request.query == {}
        assert request.filename == "credit.ndjson" and request.content == committed_file.read_bytes()
        assert "kbn-xsrf" in request.headers
        assert len(kibana.existing) == total

    def test_space_overwrite_and_api_key_from_env(self, kibana: FakeKibana, run, committed_file: Path) -> None:
        """--space and --overwrite shape the URL; URL and API key may come from FEATUREWATCH_KIBANA_*."""
        env = {"FEATUREWATCH_KIBANA_URL": kibana.url + "/", "FEATUREWATCH_KIBANA_API_KEY": API_KEY}
        result = run("--space", "team a", "--overwrite", str(committed_file), env=env)
        assert result.exit_code == 0, result.output
        (request,) = kibana.received
        assert request.path == "/s/team%20a/api/saved_objects/_import"
        assert request.query == {"overwrite": ["true"]}
        assert request.headers["authorization"] == f"ApiKey {API_KEY}"
        assert "(space team a)" in result.stdout

    def test_file_name_gets_ndjson_extension(self, kibana: FakeKibana, run, committed_file: Path,
                                             tmp_path: Path) -> None:
        """Kibana only accepts .ndjson uploads, so another file name is sent as NAME.ndjson."""
        copy = tmp_path / "dashboards.json"
        copy.write_bytes(committed_file.read_bytes())
        assert run(*_user(kibana), str(copy)).exit_code == 0
        assert kibana.received[0].filename == "dashboards.ndjson"


class TestDeclined:
    def test_conflicts_without_and_with_overwrite(self, kibana: FakeKibana, run, committed_file: Path) -> None:
        """A second import conflicts (exit 1, hint to --overwrite); with --overwrite it succeeds."""
        assert run(*_user(kibana), str(committed_file)).exit_code == 0
        again = run(*_user(kibana), str(committed_file))
        assert again.exit_code == 1
        total = len(committed_file.read_bytes().splitlines())
        assert "not imported: dashboard '[featurewatch] credit: overview'" in again.stderr
        assert again.stderr.splitlines()[-1] == (
            f"error: Kibana imported 0 of {total} saved objects, {total} failed; "
            f"rerun with --overwrite to replace existing objects")
        assert run(*_user(kibana), "--overwrite", str(committed_file)).exit_code == 0

    def test_missing_references(self, kibana: FakeKibana, run, committed_file: Path, tmp_path: Path) -> None:
        """Objects whose references are neither in the file nor in Kibana are named with what they lack."""
        lines = committed_file.read_bytes().splitlines(keepends=True)
        without_views = tmp_path / "partial.ndjson"
        without_views.write_bytes(b"".join(line for line in lines if json.loads(line)["type"] != "index-pattern"))
        result = run(*_user(kibana), str(without_views))
        assert result.exit_code == 1
        assert "references objects that are neither in the file nor in Kibana: index-pattern " in result.stderr
        sent = len(without_views.read_bytes().splitlines())
        # Only the two dashboards import: their panels' objects are in the file.
        assert result.stderr.splitlines()[-1] == f"error: Kibana imported 2 of {sent} saved objects, {sent - 2} failed"


class TestFailures:
    def test_wrong_password(self, kibana: FakeKibana, run, committed_file: Path) -> None:
        """HTTP 401 is one line, exit 1, and the password is not printed."""
        result = run("--kibana", kibana.url, "--kibana-username", "elastic", "--kibana-password", "wrong-pw",
                     str(committed_file))
        assert result.exit_code == 1
        assert result.stderr == (f"error: Kibana at {kibana.url} refused the credentials (HTTP 401); check the API "
                                 f"key or user name and password (FEATUREWATCH_KIBANA_*)\n")
        assert "wrong-pw" not in result.output

    def test_unknown_space(self, kibana: FakeKibana, run, committed_file: Path) -> None:
        """HTTP 404 for a space that does not exist says so."""
        result = run(*_user(kibana), "--space", "nope", str(committed_file))
        assert result.exit_code == 1
        assert "space 'nope' (HTTP 404)" in result.stderr

    def test_unreachable(self, run, committed_file: Path) -> None:
        """Nothing listening: one line, exit 1, credentials in the URL are not printed."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        result = run("--kibana", f"http://elastic:{PASSWORD}@127.0.0.1:{port}", str(committed_file))
        assert result.exit_code == 1
        assert result.stderr.startswith(f"error: cannot reach Kibana at http://127.0.0.1:{port}: ")
        assert PASSWORD not in result.output and len(result.stderr.splitlines()) == 1

    @pytest.mark.parametrize("args, message", [
        ([], "no Kibana URL"),
        (["--kibana", "localhost:5601"], "must start with http:// or https://"),
        (["--kibana", "http://127.0.0.1:9", "--kibana-username", "elastic"], "needs a password"),
        (["--kibana", "http://127.0.0.1:9", "--kibana-ca-file", "/no/such/ca.pem"], "CA file not found"),
    ])
    def test_bad_usage(self, run, committed_file: Path, args: list[str], message: str) -> None:
        """Missing or malformed settings are exit 2 with one line naming the fix."""
        result = run(*args, str(committed_file))
        assert result.exit_code == 2
        assert message in result.stderr and len(result.stderr.splitlines()) == 1

    def test_missing_file(self, run, tmp_path: Path) -> None:
        """A file that cannot be read is exit 2."""
        result = run("--kibana", "http://127.0.0.1:9", str(tmp_path / "none.ndjson"))
        assert result.exit_code == 2 and "cannot read" in result.stderr
