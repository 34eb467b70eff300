"""Helpers for testing code that uses featurewatch, like ``structlog.testing.capture_logs``.

Example::

    from featurewatch.testing import capture_records

    def test_predict_logs_its_inputs():
        with capture_records() as records:
            predict({"age": 41})
        assert records[0]["features"] == {"age": 41}
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import orjson
import structlog

from . import record as R
from .shim import _state

__all__ = ["capture_records"]


@contextlib.contextmanager
def capture_records() -> Iterator[list[dict[str, Any]]]:
    """Collect the records logged inside the block, as they would be written, instead of writing them.

    Records are parsed from their JSON form, so tests see exactly what the
    files would hold (nulls, encodings, truncation).
    """
    captured: list[dict[str, Any]] = []
    shim = _state.current()

    def capture(logger: Any, method_name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
        captured.append(orjson.loads(R.dumps(event_dict)))
        raise structlog.DropEvent

    previous = shim.processors
    shim.processors = (*previous, capture)
    try:
        yield captured
    finally:
        shim.processors = previous
        shim.filtered = max(0, shim.filtered - len(captured))
