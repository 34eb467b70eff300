"""Benchmark: how many records per second (per core of *our* process) the shipper moves.

Three measurements on the same shim-written files (20 features: 10 numeric,
8 categorical, 2 short text):

1. ``featurewatch`` shipper into a minimal local bulk endpoint (a separate
   process that accepts and acknowledges everything, answering like a real
   cluster with one ``{"create":{"status":201}}`` per item): our own cost.
2. Baseline in the same run: ``elasticsearch.helpers.streaming_bulk`` with
   dict actions (parse each line, build the action dict, let the client
   serialise) into the same endpoint.
3. The shipper into the test server (osmem-server, behind the test proxy in
   its own process): end to end, bound by the server.

CPU time is our process's user+system time (all threads), so the endpoint's
work is not counted. Target (DESIGN.md §8): ≥ 30k records/s per core in (1).

Run: ``.venv/bin/python benchmarks/ship.py [--records 200000] [--server-records 20000]``
"""

from __future__ import annotations

import argparse
import datetime as _dt
import http.server
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- a minimal bulk endpoint, in its own process ---------------------------------
def _endpoint(port_queue: multiprocessing.Queue) -> None:
    info = orjson.dumps({"name": "bench", "cluster_name": "bench", "version": {"number": "9.0.0",
                        "build_flavor": "default"}, "tagline": "You Know, for Search"})

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            return

        def _send(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._send(info)

        def do_POST(self) -> None:
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            items = data.count(b"\n") // 2
            self._send(b'{"took":1,"errors":false,"items":[' +
                       b",".join([b'{"create":{"status":201}}'] * items) + b"]}")

        do_PUT = do_POST

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def _proxy(upstream: str, port_queue: multiprocessing.Queue) -> None:
    from esproxy import OSMEM_PRESENTS_AS, EsProxy

    # In front of osmem (it calls itself OpenSearch): presented as Elasticsearch, as the test fixtures do.
    proxy = EsProxy(upstream, version=OSMEM_PRESENTS_AS, drop_subobjects=True)
    port_queue.put(proxy.port)
    while True:
        time.sleep(3600)


def _start(target, *args) -> tuple[multiprocessing.Process, int]:
    queue: multiprocessing.Queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=target, args=(*args, queue), daemon=True)
    process.start()
    return process, queue.get(timeout=30)


# -- data ---------------------------------------------------------------------------
def write_logs(folder: Path, count: int) -> int:
    import featurewatch as fw

    fw.configure(log_dir=str(folder))
    cities = ["paris", "lyon", "nice", "lille", "nantes", "brest", None]
    base = _dt.datetime(2026, 11, 26, 0, tzinfo=_dt.UTC)
    for i in range(count):
        features = {f"num_{j}": (i * (j + 1)) % 997 / 7 for j in range(10)}
        features.update({f"cat_{j}": cities[(i + j) % len(cities)] for j in range(8)})
        features.update({"text_0": f"the quick brown fox {i % 50}", "text_1": f"jumps over {i % 13} dogs"})
        fw.log_request(model="bench", version="1.0", request_id=f"r{i}", features=features,
                       prediction=(i % 100) / 100, timestamp=base + _dt.timedelta(seconds=i * 0.25),
                       latency_ms=2.5)
    fw.flush()
    return sum(p.stat().st_size for p in folder.glob("*.jsonl"))


# -- runs ---------------------------------------------------------------------------
def run_shipper(url: str, source: Path, work: Path, prefix: str) -> tuple[int, float, float]:
    from featurewatch.es.client import build_client
    from featurewatch.settings import ElasticsearchSettings
    from featurewatch.ship import ShipConfig, Shipper, bulk_sender

    client = build_client(ElasticsearchSettings(url=url))
    client.info()
    config = ShipConfig(source=source, checkpoint=work / "checkpoint.json", dead_letter=work / "dead.jsonl",
                        prefix=prefix, progress_interval=3600)
    cpu, wall = _cpu(), time.perf_counter()
    stats = Shipper(config, bulk_sender(client, url)).run()
    return stats.indexed + stats.duplicates, _cpu() - cpu, time.perf_counter() - wall


def run_helpers_bulk(url: str, source: Path, prefix: str) -> tuple[int, float, float]:
    from elasticsearch import Elasticsearch, helpers

    from featurewatch import record as R
    from featurewatch.es import layout

    client = Elasticsearch(url)
    client.info()
    cpu, wall = _cpu(), time.perf_counter()

    def actions():
        for path in sorted(source.glob("*.jsonl")):
            with path.open("rb") as handle:
                for line in handle:
                    doc = orjson.loads(line)
                    yield {"_op_type": "create", "_index": layout.requests_index(doc[R.TIMESTAMP], prefix),
                           "_id": R.document_id(doc), "_source": doc}

    count = sum(1 for ok, _ in helpers.streaming_bulk(client, actions(), chunk_size=5000,
                                                      max_chunk_bytes=5 * 1024 * 1024) if ok)
    return count, _cpu() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--server-records", type=int, default=20_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        logs = root / "logs"
        size = write_logs(logs, args.records)
        print(f"records: {args.records} in {len(list(logs.glob('*.jsonl')))} files, "
              f"{size / 1e6:.1f} MB ({size / args.records:.0f} bytes/record)")

        endpoint, port = _start(_endpoint)
        url = f"http://127.0.0.1:{port}"
        try:
            n, cpu, wall = run_shipper(url, logs, root / "w1", "bench")
            ours = n / cpu
            print(f"featurewatch ship -> local bulk endpoint:   {n / wall:10,.0f} records/s wall, "
                  f"{ours:10,.0f} records/s per core (cpu {cpu:.2f} s)")
            n, cpu, wall = run_helpers_bulk(url, logs, "bench")
            base = n / cpu
            print(f"baseline helpers.streaming_bulk -> endpoint: {n / wall:10,.0f} records/s wall, "
                  f"{base:10,.0f} records/s per core (cpu {cpu:.2f} s)")
            print(f"ratio: featurewatch ship is {ours / base:.1f}x the baseline per core; "
                  f"target >= 30,000 records/s per core: {'met' if ours >= 30_000 else 'NOT met'}")
        finally:
            endpoint.terminate()

        from osmem_server import OsmemServer

        server = OsmemServer.start(japanese=False)
        proxy, proxy_port = _start(_proxy, server.url)
        try:
            small = root / "small"
            write_logs(small, args.server_records)
            n, cpu, wall = run_shipper(f"http://127.0.0.1:{proxy_port}", small, root / "w2", "bench")
            print(f"featurewatch ship -> osmem test server:     {n / wall:10,.0f} records/s wall, "
                  f"{n / cpu:10,.0f} records/s per core (cpu {cpu:.2f} s; wall bound by the server)")
        finally:
            proxy.terminate()
            server.close()


if __name__ == "__main__":
    main()
