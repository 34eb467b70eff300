"""A small HTTP proxy in front of the test cluster: TEST-ONLY.

Three jobs:

* **Media types.** The ``elasticsearch`` 8.x/9.x clients send
  ``application/vnd.elasticsearch+json; compatible-with=N``; the in-memory
  test server (osmem-server) answers 406 to those. The proxy rewrites them to
  plain ``application/json`` / ``application/x-ndjson`` (only when
  ``rewrite_media_types`` is on, i.e. in front of osmem). Production code
  never carries this workaround.
* **Being a given Elasticsearch version** (``version="8.19.4"``). ``GET /``
  answers as that release would (``version.number``, the Elasticsearch
  tagline, ``X-Elastic-Product``; or, with ``distribution="opensearch"``,
  as OpenSearch does, without that header), and media types are checked as
  that major's REST layer checks them: ``compatible-with`` must be the
  major or the one before, the same on ``Accept`` and ``Content-Type``,
  else 400 ``media_type_header_exception`` with Elasticsearch's own words
  (so an 8.x proxy refuses the 9.x client's default headers). The upstream
  then gets plain media types, so an 8.x-behaving proxy works in front of
  osmem and in front of a real 8.x or 9.x cluster alike. osmem itself says
  it is OpenSearch 3.8: the conftest's proxy in front of it presents it as
  Elasticsearch :data:`OSMEM_PRESENTS_AS`. Presented so, featurewatch sends
  ``subobjects: false`` (Elasticsearch ≥ 8.3), which osmem refuses: with
  ``drop_subobjects`` (only in front of osmem) the proxy removes it from
  template and mapping bodies, so osmem maps exactly as it did when it was
  known as OpenSearch.
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
import re
import socket
import ssl
import threading
import urllib.parse
from typing import Any

__all__ = ["EsProxy", "MAINTENANCE_PAGE", "OSMEM_PRESENTS_AS", "compatibility_error"]

#: The Elasticsearch release the fixtures present osmem as (the installed client's major).
OSMEM_PRESENTS_AS = "9.1.5"

_COMPATIBLE_WITH = re.compile(r"compatible-with\s*=\s*(\d+)")

_HOP_HEADERS = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
                "host", "content-length", "accept-encoding"}


def compatibility_error(major: int, accept: str | None, content_type: str | None) -> str | None:
    """Why Elasticsearch ``major`` would refuse these media types (its RestCompatibleVersionHelper), or None."""
    found = {}
    for name, value in (("Accept", accept), ("Content-Type", content_type)):
        match = _COMPATIBLE_WITH.search(value or "")
        if match:
            found[name] = int(match.group(1))
    for name, version in found.items():
        if version not in (major, major - 1):
            return (f"{name} version must be either version {major} or {major - 1}, but found {version}. "
                    f"{name}={accept if name == 'Accept' else content_type}")
    if len(set(found.values())) > 1 or (content_type and len(found) == 1):
        return ("A compatible version is required on both Content-Type and Accept headers if either one has "
                f"requested a compatible version and the compatible versions must match. Accept={accept}, "
                f"Content-Type={content_type}")
    return None


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
                 timeout: float = 60.0, version: str | None = None, distribution: str = "elasticsearch",
                 drop_subobjects: bool = False) -> None:
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
        self.rewrite_media_types = rewrite_media_types or version is not None
        #: The release this proxy presents (None: whatever the upstream says), and its distribution.
        self.version = version
        self.distribution = distribution
        self.drop_subobjects = drop_subobjects
        self.timeout = timeout
        self._shard_faults: list[tuple[str, str, str, int | None]] = []  # (path substring, form, index, item)
        self._lock = threading.Lock()
        self._fail: list[tuple[str, int]] = []  # (path substring, status) consumed one per matching request
        self._item_429: int = 0  # bulk requests whose second half is answered with per-item 429s
        self._pages: list[str] = []  # path substrings of requests answered with a foreign page
        self.requests = 0
        self.bulk_requests = 0
        #: Requests refused for their media types (as the presented Elasticsearch version would).
        self.refused_media_types = 0
        self.injected = 0
        #: Every request forwarded: (method, path, body), for tests that count or inspect requests.
        self.log: list[tuple[str, str, bytes]] = []
        #: Every request received: (path without query, Accept, Content-Type) as the client sent them.
        self.headers_log: list[tuple[str, str | None, str | None]] = []
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

    def fail_shards_next(self, count: int, index: str, *, form: str = "partial", path: str = "_search",
                         item: int | None = None) -> None:
        """Make the next ``count`` searches (paths containing ``path``) report a failed shard of ``index``.

        ``form="partial"`` answers 200 with ``_shards.failed`` (what a search allowing partial results
        gets); ``form="error"`` answers 400 ``search_phase_execution_exception`` with ``failed_shards``
        (what Elasticsearch answers when partial results are not allowed). In an ``_msearch`` every
        response of the batch is affected (``error``: each becomes an error item with status 400), or
        with ``item`` only that one (0-based).
        """
        if form not in {"partial", "error"}:
            raise ValueError(form)
        with self._lock:
            self._shard_faults.extend([(path, form, index, item)] * count)

    def _take_shard_fault(self, path: str) -> tuple[str, str, int | None] | None:
        with self._lock:
            for position, (pattern, form, index, item) in enumerate(self._shard_faults):
                if pattern in path:
                    del self._shard_faults[position]
                    self.injected += 1
                    return form, index, item
        return None


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


def _without_subobjects(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_subobjects(v) for k, v in node.items() if not (k == "subobjects" and v is False)}
    if isinstance(node, list):
        return [_without_subobjects(v) for v in node]
    return node


def _shard_failure(index: str) -> dict[str, Any]:
    return {"shard": 0, "index": index, "node": "proxy",
            "reason": {"type": "query_shard_exception", "reason": "failed to create query: injected by the test proxy",
                       "index": index}}


def _with_failed_shard(answer: dict[str, Any], index: str) -> dict[str, Any]:
    shards = dict(answer.get("_shards") or {"total": 1, "successful": 1, "skipped": 0, "failed": 0})
    shards["total"] = int(shards.get("total", 0)) + 1
    shards["failed"] = int(shards.get("failed", 0)) + 1
    shards["failures"] = [*shards.get("failures", []), _shard_failure(index)]
    return {**answer, "_shards": shards}


def _search_phase_error(index: str) -> dict[str, Any]:
    failure = _shard_failure(index)
    return {"error": {"root_cause": [failure["reason"]], "type": "search_phase_execution_exception",
                      "reason": "Partial shards failure", "phase": "query", "grouped": True,
                      "failed_shards": [failure]}, "status": 400}


def _elasticsearch_info(upstream: dict[str, Any], version: str, distribution: str) -> dict[str, Any]:
    """``GET /`` as release ``version`` of ``distribution`` answers it."""
    info = {key: upstream[key] for key in ("name", "cluster_name", "cluster_uuid") if key in upstream}
    major = int(version.split(".")[0])
    details: dict[str, Any] = {"number": version, "build_type": "docker", "build_hash": "proxy",
                               "build_date": "2026-01-01T00:00:00.000Z", "build_snapshot": False,
                               "lucene_version": "10.0.0" if major >= 9 else "9.12.0",
                               "minimum_wire_compatibility_version": f"{major - 1}.18.0",
                               "minimum_index_compatibility_version": f"{major - 1}.0.0"}
    if distribution == "elasticsearch":
        details["build_flavor"] = "default"
        tagline = "You Know, for Search"
    else:
        details["distribution"] = distribution
        tagline = "The OpenSearch Project: https://opensearch.org/"
    return {**info, "version": details, "tagline": tagline}


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
                proxy.headers_log.append((self.path.split("?")[0], self.headers.get("Accept"),
                                          self.headers.get("Content-Type")))
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
            if proxy.version is not None and proxy.distribution == "elasticsearch":
                refusal = compatibility_error(int(proxy.version.split(".")[0]), self.headers.get("Accept"),
                                              self.headers.get("Content-Type"))
                if refusal is not None:
                    self._refuse_media_type(refusal)
                    return
            if proxy.rewrite_media_types:
                for key in list(headers):
                    if key.lower() in {"content-type", "accept"}:
                        headers[key] = _plain_media_type(headers[key])
            if proxy.drop_subobjects and body and self.command in {"PUT", "POST"} and b'"subobjects"' in body \
                    and "_bulk" not in self.path and "_doc" not in self.path:
                body = json.dumps(_without_subobjects(json.loads(body))).encode()
            if body is not None and "/_bulk" in self.path and proxy._take_item_fault():
                self._half_bulk(headers, body)
                return
            try:
                status, out_headers, data = proxy.forward(self.command, self.path, headers, body)
            except OSError:
                self.close_connection = True
                self._reply(502, [("Content-Type", "application/json")], b'{"error":"upstream unreachable"}')
                return
            if proxy.version is not None and self.command == "GET" and self.path.split("?")[0] == "/" \
                    and status == 200:
                info = _elasticsearch_info(json.loads(data), proxy.version, proxy.distribution)
                out_headers = [(k, v) for k, v in out_headers if k.lower() not in {"x-elastic-product",
                                                                                  "content-type"}]
                out_headers.append(("Content-Type", "application/json; charset=UTF-8"))
                if proxy.distribution == "elasticsearch":
                    out_headers.append(("X-Elastic-Product", "Elasticsearch"))
                data = json.dumps(info).encode()
            if status == 200 and ("_search" in self.path or "_msearch" in self.path):
                fault = proxy._take_shard_fault(self.path)
                if fault is not None:
                    form, index, item = fault
                    answer = json.loads(data)
                    if "responses" in answer:
                        # Each search of an _msearch answers for itself, errors included.
                        answer["responses"] = [
                            r if item is not None and position != item
                            else _with_failed_shard(r, index) if form == "partial" else _search_phase_error(index)
                            for position, r in enumerate(answer["responses"])]
                    elif form == "error":
                        self._reply(400, [("Content-Type", "application/json"),
                                          ("X-Elastic-Product", "Elasticsearch")],
                                    json.dumps(_search_phase_error(index)).encode())
                        return
                    else:
                        answer = _with_failed_shard(answer, index)
                    data = json.dumps(answer).encode()
            self._reply(status, out_headers, data)

        def _refuse_media_type(self, reason: str) -> None:
            cause = "Invalid media-type value on headers [Accept, Content-Type]"
            payload = {"error": {"root_cause": [{"type": "media_type_header_exception", "reason": cause}],
                                 "type": "media_type_header_exception", "reason": cause,
                                 "caused_by": {"type": "status_exception", "reason": reason}}, "status": 400}
            with proxy._lock:
                proxy.refused_media_types += 1
            self._reply(400, [("Content-Type", "application/json"), ("X-Elastic-Product", "Elasticsearch")],
                        json.dumps(payload).encode())

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
