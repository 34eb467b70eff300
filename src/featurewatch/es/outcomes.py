"""What a bulk request can come back with: pure types, no client.

The shipper's retry layer decides on these without importing the
Elasticsearch client (which loads pyarrow and numpy when they are installed),
so ``import featurewatch.ship`` stays light; :mod:`featurewatch.es.bulk`
raises them.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..errors import BackendError

__all__ = ["ItemResult", "TransientError", "RequestTooLarge", "RETRYABLE_STATUSES"]

#: Whole-request or per-item statuses after which the same document may succeed later.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class ItemResult(NamedTuple):
    """The outcome of one bulk item: HTTP-style status and the error object, if any."""

    status: int
    error: dict[str, Any] | None


class TransientError(BackendError):
    """The whole request failed in a way that may pass on retry (429, 5xx, unreachable)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RequestTooLarge(BackendError):
    """The cluster refused the request body as too large (413): send smaller batches."""
