"""Helpers for shipper tests: real shim files, document counts, id checks."""

from __future__ import annotations

import ctypes
import datetime as _dt
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from elasticsearch import helpers

import featurewatch as fw
from featurewatch import record as R
from featurewatch.es import layout
from featurewatch.ship import RetryPolicy, ShipConfig, Shipper, bulk_sender

BASE = _dt.datetime(2026, 11, 26, 21, 0, tzinfo=_dt.UTC)


def write_records(log_dir: Path, count: int, start: int = 0, *, model: str = "credit",
                  spacing_s: float = 1.0) -> None:
    """Log ``count`` requests through the shim (spread over hours and two days) and flush them."""
    fw.configure(log_dir=str(log_dir))
    for i in range(start, start + count):
        fw.log_request(
            model=model, version="1.4.0", request_id=f"req-{i}",
            features={"age": i % 90, "income": (i % 1000) * 10.5, "city": ["paris", "lyon", None][i % 3],
                      "member": i % 2 == 0, "note": f"n{i % 7}"},
            prediction=(i % 100) / 100, timestamp=BASE + _dt.timedelta(seconds=i * spacing_s), latency_ms=1.5)
    fw.flush()


def file_ids(log_dir: Path) -> set[str]:
    """Document ids of every complete record line under ``log_dir``."""
    ids = set()
    for path in log_dir.rglob("featurewatch-*.jsonl*"):
        for line in path.read_bytes().splitlines():
            if line.strip():
                try:
                    ids.add(R.document_id(orjson.loads(line)))
                except orjson.JSONDecodeError:
                    pass
    return ids


def client_for(url: str) -> Any:
    """A featurewatch-built client for ``url`` (auth from FEATUREWATCH_ES_*, as the CLI would)."""
    from featurewatch.es.client import build_client
    from featurewatch.settings import load_settings

    return build_client(load_settings({"es_url": url}).es)


def count_docs(client: Any, prefix: str) -> int:
    client.indices.refresh(index=layout.requests_pattern(prefix), ignore_unavailable=True, allow_no_indices=True)
    return int(client.count(index=layout.requests_pattern(prefix), ignore_unavailable=True,
                            allow_no_indices=True)["count"])


def indexed_ids(client: Any, prefix: str) -> list[str]:
    """Every document ``_id`` in the prefix's requests indices (with repeats, if any)."""
    client.indices.refresh(index=layout.requests_pattern(prefix))
    return [hit["_id"] for hit in helpers.scan(client, index=layout.requests_pattern(prefix),
                                               query={"query": {"match_all": {}}}, _source=False, size=5000)]


def shipper(client_or_send: Any, source: Path, work: Path, prefix: str, *, follow: bool = False,
            tries: int | None = 8, max_docs: int = 1000, **options: Any) -> Shipper:
    """A Shipper with fast retries, its checkpoint and dead letters under ``work``."""
    send = client_or_send if callable(client_or_send) and not hasattr(client_or_send, "bulk") \
        else bulk_sender(client_or_send)
    config = ShipConfig(source=source, checkpoint=work / "checkpoint.json", dead_letter=work / "dead.jsonl",
                        prefix=prefix, follow=follow, max_docs=max_docs,
                        retry=RetryPolicy(initial=0.05, maximum=0.4, max_tries=tries), poll_interval=0.05,
                        progress_interval=3600, **options)
    return Shipper(config, send)


def ship_command(source: Path, es_url: str, prefix: str, *args: str, timeout: float = 120,
                 preexec: Callable[[], None] | None = None) -> subprocess.CompletedProcess:
    """Run ``featurewatch ship`` in a subprocess and wait for it (``preexec`` runs in the child first)."""
    return subprocess.run(ship_argv(source, es_url, *args), env=ship_env(prefix), capture_output=True,
                          text=True, timeout=timeout, preexec_fn=preexec)


def open_files_limit(soft: int) -> Callable[[], None]:
    """A ``preexec`` lowering the child's soft RLIMIT_NOFILE to ``soft`` (like ``ulimit -Sn``)."""
    def lower() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    return lower


def obeying_file_modes() -> Callable[[], None] | None:
    """A ``preexec`` after which a child running as root is refused files its modes refuse.

    Root reads a mode-000 file through CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH;
    dropping both from the child's bounding set (``prctl(PR_CAPBSET_DROP)``)
    makes it obey the modes like any user. None when not root: modes apply already.
    """
    if os.geteuid() != 0:
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def drop() -> None:
        for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")

    return drop


def ship_argv(source: Path, es_url: str, *args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "featurewatch"), "ship", "--source", str(source), "--es", es_url, *args]


def ship_env(prefix: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEATUREWATCH_") or k.startswith("FEATUREWATCH_ES_")}
    env["FEATUREWATCH_ES_INDEX_PREFIX"] = prefix
    env.pop("FEATUREWATCH_ES_URL", None)
    return env
