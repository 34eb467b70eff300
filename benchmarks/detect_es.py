"""Time ``detect`` against Elasticsearch: a window of 200,000 documents in the test server.

Run: ``.venv/bin/python benchmarks/detect_es.py [--records N]``.

Logs N demo requests (the ``credit`` model, 15 features including a text
feature, spread over two hours) through the shim, ships them with the
shipper into an osmem-server (the in-memory OpenSearch-compatible test
server; started here behind the test suite's media-type proxy), then times
the Elasticsearch window source — the profile of the whole window from
aggregations — and the same window from the local files, and counts the HTTP
requests the Elasticsearch source sent. Figures go in the README.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import featurewatch as fw  # noqa: E402
from esproxy import OSMEM_PRESENTS_AS, EsProxy  # noqa: E402  (test-only media-type proxy)
from featurewatch.baseline import BaselineOptions, build_baseline  # noqa: E402
from featurewatch.demo import data  # noqa: E402
from featurewatch.detect import detect_profile  # noqa: E402
from featurewatch.es import layout, setup  # noqa: E402
from featurewatch.es.client import build_client  # noqa: E402
from featurewatch.es.source import ElasticsearchSource  # noqa: E402
from featurewatch.profile import LocalSource  # noqa: E402
from featurewatch.settings import load_settings  # noqa: E402
from featurewatch.ship import RetryPolicy, ShipConfig, Shipper, bulk_sender  # noqa: E402
from featurewatch.ship.enrich import TokenEnricher  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--es", default=None, metavar="URL",
                        help="use this cluster (auth from FEATUREWATCH_ES_*) instead of starting the test server")
    args = parser.parse_args()
    from osmem_server import OsmemServer

    work = Path(tempfile.mkdtemp(prefix="fw-bench-es-"))
    baseline = build_baseline(data.training_frame(20_000).drop(columns=["score"]),
                              BaselineOptions(model=data.MODEL, versions=(data.VERSION,),
                                              kinds={"application_note": "text", "applicant_id": "identifier"}))
    per_hour = args.records // 2
    fw.configure(log_dir=str(work / "logs"))
    started = time.perf_counter()
    count = 0
    for timestamp, features, prediction in data.traffic(per_hour=per_hour, hours=2):
        fw.log_request(model=data.MODEL, version=data.VERSION, features=features, prediction=prediction,
                       timestamp=timestamp)
        count += 1
    fw.flush()
    logged = time.perf_counter() - started

    if args.es:  # a real cluster: the proxy only counts requests, nothing is rewritten
        server = None
        proxy = EsProxy(args.es, rewrite_media_types=False, timeout=1800)
    else:
        server = OsmemServer.start(japanese=False, startup_timeout=60)
        # osmem calls itself OpenSearch: presented as Elasticsearch, as the test fixtures do.
        proxy = EsProxy(server.url, rewrite_media_types=True, timeout=1800, version=OSMEM_PRESENTS_AS,
                        drop_subobjects=True)
    try:
        client = build_client(load_settings({"es_url": proxy.url}).es, request_timeout=1800)
        setup.install(client, "bench")
        config = ShipConfig(source=work / "logs", checkpoint=work / "ckpt.json", dead_letter=work / "dead.jsonl",
                            prefix="bench", retry=RetryPolicy(max_tries=3), enrich=TokenEnricher([baseline]))
        started = time.perf_counter()
        stats = Shipper(config, bulk_sender(client, proxy.url)).run().as_dict()
        client.indices.refresh(index=layout.requests_pattern("bench"))
        shipped = time.perf_counter() - started
        documents = client.count(index=layout.requests_pattern("bench")).body["count"]

        start = data.TRAFFIC_START
        end = start + dt.timedelta(hours=2)
        source = ElasticsearchSource(client, "bench")
        proxy.log.clear()
        timings = []
        for _ in range(args.repeats):
            began = time.perf_counter()
            remote = source.profile(baseline, start, end)
            report = detect_profile(baseline, remote)
            timings.append(time.perf_counter() - began)
        requests = len(proxy.log) // args.repeats
        searches = sum(1 for _, path, _ in proxy.log if "_search" in path) // args.repeats
        began = time.perf_counter()
        local = LocalSource(work / "logs").profile(baseline, start, end)
        local_seconds = time.perf_counter() - began
    finally:
        proxy.close()
        if server is not None:
            server.close()

    target = args.es or "osmem-server test server"
    print(f"detect against Elasticsearch ({target}), {count:,} records x "
          f"{len(baseline.features)} features, window of 2 hours")
    print(f"  logged through the shim                {logged:8.2f} s")
    print(f"  shipped into the test server           {shipped:8.2f} s  ({stats['indexed']:,} indexed, "
          f"{documents:,} documents, {stats['dead_lettered']} dead-lettered)")
    print(f"  detect --es (profile + checks), best   {min(timings):8.2f} s  (runs: "
          + ", ".join(f"{t:.2f}" for t in timings) + ")")
    print(f"  HTTP requests per window               {requests:8d}    ({searches} _search, size 0)")
    print(f"  same window from the local files       {local_seconds:8.2f} s")
    print(f"  records counted: es {remote.records:,}, local {local.records:,}; findings {len(report.findings)}")
    return 0 if remote.records == local.records == documents else 1


if __name__ == "__main__":
    raise SystemExit(main())
