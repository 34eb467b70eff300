"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from featurewatch.shim import _state


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
