"""`featurewatch kibana import` refuses a bad file or conflicting credentials before talking to Kibana."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from featurewatch.cli import main

NOT_NDJSON = "expected the NDJSON file of `featurewatch kibana build`"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    for name in ("URL", "API_KEY", "USERNAME", "PASSWORD", "CA_FILE", "SPACE", "VERIFY_CERTS"):
        monkeypatch.delenv(f"FEATUREWATCH_KIBANA_{name}", raising=False)
    monkeypatch.delenv("FEATUREWATCH_CONFIG", raising=False)

    def invoke(*args: str):
        return CliRunner().invoke(main, ["kibana", "import", *args])

    return invoke


@pytest.fixture
def listener() -> Iterator[tuple[str, socket.socket]]:
    """A port that accepts connections but never answers: any connection to it is visible afterwards."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        yield f"http://127.0.0.1:{server.getsockname()[1]}", server


def _no_connection(server: socket.socket) -> bool:
    try:
        server.accept()[0].close()
    except BlockingIOError:
        return True
    return False


class TestFileChecks:
    @pytest.mark.parametrize("content, problem", [
        (b'{"type":"dashboard","id":"a"}\n\xff\xfe not text\n', "is not UTF-8 text (byte 0xff at offset 30)"),
        (b"hello\n", "line 1 is not JSON"),
        (b'{"type":"dashboard","id":"a"}\n\n[1, 2]\n', "line 3 is not a saved object (a JSON object with "
                                                     "string \"type\" and \"id\")"),
        (b'{"type":"dashboard"}\n', "line 1 is not a saved object (a JSON object with string \"type\" and \"id\")"),
        (b"\n \n", "holds no saved objects"),
    ])
    def test_bad_file_is_exit_2_before_any_network_call(self, run, listener, tmp_path: Path, content: bytes,
                                                         problem: str) -> None:
        """One line naming the file and the problem; Kibana is not contacted."""
        url, server = listener
        path = tmp_path / "objects.ndjson"
        path.write_bytes(content)
        result = run("--kibana", url, str(path), "--kibana-api-key", "k")
        assert result.exit_code == 2, result.output
        ending = f"; {NOT_NDJSON}" if "saved object" not in problem else ""
        assert result.stderr == f"error: {path} {problem}{ending}\n"
        assert _no_connection(server)


class TestCredentials:
    def test_api_key_and_user_password_together_are_refused(self, run, listener, committed_file: Path) -> None:
        """Like `setup` and `ship`: an API key or a user name and password, not both (exit 2)."""
        url, server = listener
        result = run("--kibana", url, "--kibana-api-key", "k", "--kibana-username", "elastic",
                     "--kibana-password", "pw", str(committed_file))
        assert result.exit_code == 2
        assert result.stderr == "error: give either an API key or a user name and password for Kibana, not both\n"
        assert _no_connection(server)

    def test_api_key_and_password_alone_are_refused_too(self, run, listener, committed_file: Path) -> None:
        url, _server = listener
        result = run("--kibana", url, "--kibana-api-key", "k", "--kibana-password", "pw", str(committed_file))
        assert result.exit_code == 2 and "not both" in result.stderr
