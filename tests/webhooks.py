"""A local webhook receiver for tests: every POST body it received, parsed, in order."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import orjson


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.server.received.append(orjson.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@contextmanager
def webhook_receiver() -> Iterator[tuple[str, list[dict]]]:
    """``(url, received)``: a URL with a secret-looking path, and the list its posts are appended to."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook/secret-token", server.received  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
