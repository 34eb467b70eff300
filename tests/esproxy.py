"""A small HTTP proxy in front of the test cluster: TEST-ONLY.

Two jobs:

* **Media types.** The ``elasticsearch`` 8.x/9.x clients send
  ``application/vnd.elasticsearch+json; compatible-with=N``; the in-memory
  test server (osmem-server) answers 406 to those. The proxy rewrites them to
  plain ``application/json`` / ``application/x-ndjson`` (only when
  ``rewrite_media_types`` is on, i.e. in front of osmem). Production code
  never carries this workaround.
* **Faults.** Tests inject a run of whole-request errors (429, 503), per-item
  429s inside a bulk response (only part of the batch lands), a page from
  something that is not Elasticsearch (a proxy's maintenance page answered
  with 200), or an outage (the port stops accepting connections, then comes
  back on the same port).
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import socket
import ssl
import threading
import urllib.parse
from typing import Any

__all__ = ["EsProxy", "MAINTENANCE_PAGE"]

_HOP_HEADERS = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
                "host", "content-length", "accept-encoding"}


#: What a reverse proxy in front of the cluster may answer while the cluster is down for maintenance.
MAINTENANCE_PAGE = b"<html><body><h1>Down for maintenance</h1><p>Back soon.</p></body></html>"


def _plain_media_type(value: str) -> str:
    lowered = value.lower()
    if "vnd.elasticsearch+x-ndjson" in lowered:
        return "application/x-ndjson"
    if "vnd.elasticsearch+json" in lowered:
        return "application/json"
    return value


class EsProxy:
    """Forward HTTP requests to ``upstream`` with optional rewriting and injected faults."""

    def __init__(self, upstream: str, *, rewrite_media_types: bool = True, port: int = 0,
                 timeout: float = 60.0) -> None:
        parts = urllib.parse.urlsplit(upstream)
        if parts.scheme not in {"http", "https"}:
            raise ValueError(f"the test proxy forwards to http(s) upstreams, not {parts.scheme!r}")
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or (443 if parts.scheme == "https" else 80)
        self.tls: ssl.SSLContext | None = None
        if parts.scheme == "https":
            # A real cluster with TLS (FEATUREWATCH_TEST_ES_URL): clients talk plain HTTP to the proxy.
            ca_file = os.environ.get("FEATUREWATCH_ES_CA_FILE")
            self.tls = ssl.create_default_context(cafile=ca_file) if ca_file else ssl._create_unverified_context()
        self.rewrite_media_types = rewrite_media_types
        self.timeout = timeout
        self._lock = threading.Lock()
        self._fail: list[tuple[str, int]] = []  # (path substring, status) consumed one per matching request
        self._item_429: int = 0  # bulk requests whose second half is answered with per-item 429s
        self._pages: list[str] = []  # path substrings of requests answered with a foreign page
        self.requests = 0
        self.bulk_requests = 0
        self.injected = 0
        #: Every request forwarded: (method, path, body), for tests that count or inspect requests.
        self.log: list[tuple[str, str, bytes]] = []
        self._server: http.server.ThreadingHTTPServer | None = None
        self._connections: set[socket.socket] = set()
        self._thread: threading.Thread | None = None
        self.port = port
        self.up()

    # -- lifecycle ---------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        """Start accepting connections (again, on the same port)."""
        if self._server is not None:
            return
        handler = _make_handler(self)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler, bind_and_activate=False)
        server.daemon_threads = True
        server.allow_reuse_address = True
        server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.server_bind()
        server.server_activate()
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def down(self) -> None:
        """Stop accepting connections: clients get "connection refused" until :meth:`up`."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        # Kept-alive connections would go on being served: cut them too.
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(5)

    def close(self) -> None:
        self.down()

    # -- faults ------------------------------------------------------------
    def fail_next(self, count: int, status: int = 429, path: str = "/_bulk") -> None:
        """Answer the next ``count`` requests whose path contains ``path`` with ``status``."""
        with self._lock:
            self._fail.extend([(path, status)] * count)

    def reject_half_of_next_bulks(self, count: int) -> None:
        """For the next ``count`` bulk requests, forward only the first half; the rest get item 429s."""
        with self._lock:
            self._item_429 += count

    def serve_page_next(self, count: int, path: str = "/_bulk") -> None:
        """Answer the next ``count`` requests whose path contains ``path`` with a 200 HTML page
        without Elasticsearch's product header, as a proxy in maintenance mode does."""
        with self._lock:
            self._pages.extend([path] * count)

    def _take_page(self, path: str) -> bool:
        with self._lock:
            for index, pattern in enumerate(self._pages):
                if pattern in path:
                    del self._pages[index]
                    self.injected += 1
                    return True
        return False

    def _take_fault(self, path: str) -> int | None:
        with self._lock:
            for index, (pattern, status) in enumerate(self._fail):
                if pattern in path:
                    del self._fail[index]
                    self.injected += 1
                    return status
        return None

    def _take_item_fault(self) -> bool:
        with self._lock:
            if self._item_429 > 0:
                self._item_429 -= 1
                self.injected += 1
                return True
        return False

    # -- forwarding --------------------------------------------------------
    def forward(self, method: str, path: str, headers: dict[str, str],
                body: bytes | None) -> tuple[int, list[tuple[str, str]], bytes]:
        with self._lock:
            self.log.append((method, path, body or b""))
        if self.tls is not None:
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                self.upstream_host, self.upstream_port, timeout=self.timeout, context=self.tls)
        else:
            connection = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            return response.status, [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_HEADERS], data
        finally:
            connection.close()


def _split_bulk(body: bytes) -> list[bytes]:
    """Pairs of (action line + source line) of a create-only bulk body."""
    lines = [line for line in body.split(b"\n") if line.strip()]
    return [lines[i] + b"\n" + lines[i + 1] + b"\n" for i in range(0, len(lines) - 1, 2)]


def _make_handler(proxy: EsProxy) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with proxy._lock:
                proxy._connections.add(self.connection)

        def finish(self) -> None:
            with proxy._lock:
                proxy._connections.discard(self.connection)
            try:
                super().finish()
            except OSError:
                pass

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            with proxy._lock:
                proxy.requests += 1
                if "/_bulk" in self.path:
                    proxy.bulk_requests += 1
            if proxy._take_page(self.path):
                self._reply(200, [("Content-Type", "text/html")], MAINTENANCE_PAGE)
                return
            status = proxy._take_fault(self.path)
            if status is not None:
                payload = json.dumps({"error": {"type": "es_rejected_execution_exception",
                                                "reason": "injected by the test proxy"}, "status": status}).encode()
                self._reply(status, [("Content-Type", "application/json"), ("X-Elastic-Product", "Elasticsearch")],
                            payload)
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
            if proxy.rewrite_media_types:
                for key in list(headers):
                    if key.lower() in {"content-type", "accept"}:
                        headers[key] = _plain_media_type(headers[key])
            if body is not None and "/_bulk" in self.path and proxy._take_item_fault():
                self._half_bulk(headers, body)
                return
            try:
                status, out_headers, data = proxy.forward(self.command, self.path, headers, body)
            except OSError:
                self.close_connection = True
                self._reply(502, [("Content-Type", "application/json")], b'{"error":"upstream unreachable"}')
                return
            self._reply(status, out_headers, data)

        def _half_bulk(self, headers: dict[str, str], body: bytes) -> None:
            pairs = _split_bulk(body)
            keep = pairs[: len(pairs) // 2]
            items: list[dict[str, Any]] = []
            if keep:
                status, _, data = proxy.forward("POST", self.path, headers, b"".join(keep))
                items = json.loads(data)["items"] if status == 200 else []
            for pair in pairs[len(keep):]:
                action = json.loads(pair.split(b"\n", 1)[0])
                op, meta = next(iter(action.items()))
                items.append({op: {"_index": meta.get("_index"), "_id": meta.get("_id"), "status": 429,
                                   "error": {"type": "es_rejected_execution_exception",
                                             "reason": "injected per-item rejection"}}})
            payload = json.dumps({"took": 1, "errors": True, "items": items}).encode()
            self._reply(200, [("Content-Type", "application/json"), ("X-Elastic-Product", "Elasticsearch")], payload)

        def _reply(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    return Handler
