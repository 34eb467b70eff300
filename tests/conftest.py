"""Shared fixtures: a clean shim per test, log folders, and an Elasticsearch-compatible
server for the whole session.

* ``log_dir`` (function, Path) — a fresh folder the shim is configured to write into;
  ``read_records(folder)`` parses every record in it.
* ``synth`` / ``diabetes`` (session, Baseline) — baselines of synthetic data and of
  scikit-learn's bundled diabetes data (builders in ``helpers.py``).

* ``es_url`` (session, str) — the URL to give featurewatch (``--es``).
* ``es_client`` (session, ``elasticsearch.Elasticsearch``) — a client on it.
* ``es_prefix`` (function, str) — a unique index prefix for one test; the
  test's indices and templates are deleted afterwards.
* ``es_proxy`` (function, :class:`tests.esproxy.EsProxy`) — a private proxy to
  the same cluster for injecting faults (429s, outages, failed shards); use ``es_proxy.url``.
* ``es_proxy_as`` (function) — ``es_proxy_as("8.19.4")`` is a private proxy that
  behaves like that Elasticsearch release (``GET /``, and the media types its
  major accepts: an 8.x one refuses ``compatible-with=9`` with a 400);
  ``es_proxy_as("3.8.0", distribution="opensearch")`` presents OpenSearch.

By default each pytest(-xdist) worker starts its own osmem-server (in-memory,
OpenSearch-compatible) behind a test-only proxy that rewrites the
``compatible-with`` media types the ``elasticsearch`` client sends and the
server refuses, and that presents the server as Elasticsearch
:data:`esproxy.OSMEM_PRESENTS_AS` in ``GET /`` (osmem calls itself OpenSearch
3.8, which featurewatch refuses). If the server cannot start, the tests using
it fail; they are never skipped. With ``FEATUREWATCH_TEST_ES_URL`` set, the
same tests run against that real cluster instead (credentials and CA file from
the usual ``FEATUREWATCH_ES_*`` variables; ``es_proxy`` then forwards to it,
over TLS if the URL is https, and changes nothing it answers).

Where osmem differs from Elasticsearch, and why no test depends on it: the
docstring of ``tests/es/__init__.py``.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from esproxy import OSMEM_PRESENTS_AS, EsProxy
from eswindow import parity_baseline
from featurewatch import shim as _state
from featurewatch.baseline.model import Baseline
from featurewatch.es.client import build_client
from featurewatch.settings import load_settings
from helpers import diabetes_baseline, synthetic_baseline

REAL_CLUSTER_VARIABLE = "FEATUREWATCH_TEST_ES_URL"


@pytest.fixture(autouse=True)
def _reset_shim() -> Iterator[None]:
    """Every test starts and ends without a configured shim, so none leaks into another."""
    _state.reset()
    yield
    _state.reset()


def read_records(log_dir: Path) -> list[dict]:
    """Every record in every log file under ``log_dir``, parsed."""
    records = []
    for path in sorted(Path(log_dir).rglob("featurewatch-*.jsonl")):
        for line in path.read_bytes().splitlines():
            records.append(orjson.loads(line))
    return records


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    """A fresh log folder, with the shim configured to write into it."""
    folder = tmp_path / "logs"
    _state.configure(log_dir=str(folder), flush_interval=60)
    return folder



class _Backend:
    """Where the cluster is: ``upstream`` (raw URL), whether media types need rewriting, and the
    Elasticsearch version a proxy must present it as (None: the cluster's own ``GET /``)."""

    def __init__(self, upstream: str, rewrite: bool, url: str, presents_as: str | None = None) -> None:
        self.upstream = upstream
        self.rewrite = rewrite
        self.url = url
        self.presents_as = presents_as


@pytest.fixture(scope="session")
def _es_backend() -> Iterator[_Backend]:
    real = os.environ.get(REAL_CLUSTER_VARIABLE)
    if real:
        yield _Backend(real, rewrite=False, url=real)
        return
    from osmem_server import OsmemServer

    server = OsmemServer.start(japanese=False, startup_timeout=60)
    proxy = EsProxy(server.url, rewrite_media_types=True, version=OSMEM_PRESENTS_AS, drop_subobjects=True)
    try:
        yield _Backend(server.url, rewrite=True, url=proxy.url, presents_as=OSMEM_PRESENTS_AS)
    finally:
        proxy.close()
        server.close()


@pytest.fixture(scope="session")
def es_url(_es_backend: _Backend) -> str:
    """URL of the session's Elasticsearch-compatible cluster."""
    return _es_backend.url


@pytest.fixture(scope="session")
def es_client(es_url: str):
    """An ``elasticsearch.Elasticsearch`` client on ``es_url`` (auth from FEATUREWATCH_ES_*)."""
    settings = load_settings({"es_url": es_url})
    client = build_client(settings.es, max_retries=2)
    yield client
    client.close()


@pytest.fixture
def es_prefix(es_client, worker_id: str) -> Iterator[str]:
    """A unique index prefix for this test; its indices and templates are removed afterwards."""
    prefix = f"fwt-{worker_id}-{uuid.uuid4().hex[:8]}".lower()
    yield prefix
    names = [row["index"] for row in es_client.cat.indices(index=f"{prefix}-*", format="json", h="index").body]
    for name in names:  # one by one: real clusters refuse wildcard deletes by default
        es_client.indices.delete(index=name, ignore_unavailable=True)
    es_client.options(ignore_status=404).indices.delete_index_template(name=f"{prefix}-requests")


@pytest.fixture
def es_proxy(_es_backend: _Backend) -> Iterator[EsProxy]:
    """A private proxy to the cluster whose faults a test controls (``fail_next``, ``down``/``up``)."""
    proxy = EsProxy(_es_backend.upstream, rewrite_media_types=_es_backend.rewrite, version=_es_backend.presents_as,
                    drop_subobjects=_es_backend.rewrite)
    yield proxy
    proxy.close()


@pytest.fixture
def es_proxy_as(_es_backend: _Backend) -> Iterator[Callable[..., EsProxy]]:
    """``es_proxy_as(version, distribution="elasticsearch")``: a private proxy behaving like that release."""
    proxies: list[EsProxy] = []

    def make(version: str, distribution: str = "elasticsearch") -> EsProxy:
        proxy = EsProxy(_es_backend.upstream, version=version, distribution=distribution,
                        drop_subobjects=_es_backend.rewrite)
        proxies.append(proxy)
        return proxy

    yield make
    for proxy in proxies:
        proxy.close()


@pytest.fixture(scope="session")
def synth() -> Baseline:
    """Baseline of 20,000 synthetic training rows (model "synth", version "1.0", prediction "score")."""
    return synthetic_baseline()


@pytest.fixture(scope="session")
def diabetes() -> Baseline:
    """Baseline of scikit-learn's bundled diabetes data (model "diabetes", prediction "target")."""
    return diabetes_baseline()


@pytest.fixture(scope="session")
def baseline() -> Baseline:
    """Baseline of the Elasticsearch parity window (``eswindow.py``): every kind, text and prediction."""
    return parity_baseline()
