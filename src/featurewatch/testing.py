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

from .shim import current

__all__ = ["capture_records"]


@contextlib.contextmanager
def capture_records() -> Iterator[list[dict[str, Any]]]:
    """Collect the records logged inside the block instead of writing them.

    Each record is parsed from the very line the files would have received,
    so tests see exactly what the files would hold: nulls, encodings, long
    strings cut, redacted fields hashed or dropped.
    """
    captured: list[dict[str, Any]] = []
    with current().capture(lambda line: captured.append(orjson.loads(line))):
        yield captured
