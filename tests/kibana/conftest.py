"""Shared fixtures of the Kibana tests: the demo model, its file and its mappings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from featurewatch.demo import run as demo_run
from featurewatch.kibana import ModelSpec, build_ndjson, contract_mappings

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "kibana" / "credit.ndjson"


@pytest.fixture(scope="session")
def committed_file() -> Path:
    """The committed dashboards of the demo model."""
    return COMMITTED


@pytest.fixture(scope="session")
def demo_spec() -> ModelSpec:
    return demo_run.demo_spec()


@pytest.fixture(scope="session")
def demo_bytes(demo_spec: ModelSpec) -> bytes:
    return build_ndjson(demo_spec)


@pytest.fixture(scope="session")
def demo_mappings(demo_spec: ModelSpec) -> dict[str, dict[str, str]]:
    return contract_mappings(demo_spec)


@pytest.fixture
def demo_objects(demo_bytes: bytes) -> list[dict]:
    """Fresh parsed objects per test, so a test may break them."""
    return [json.loads(line) for line in demo_bytes.decode().splitlines()]
