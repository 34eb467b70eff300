"""One bulk request, and what came back for each item: the shipper's only I/O with the cluster.

The body is pre-serialised NDJSON bytes (built by :mod:`featurewatch.ship.actions`),
so the client does no per-document work. Failures are sorted here into the
ones worth retrying (:class:`TransientError`: 429, 5xx, connection problems,
a 2xx answer from something that is not Elasticsearch) and the ones that are
not (:class:`~featurewatch.errors.BackendError`: authentication, a malformed
request).
"""

from __future__ import annotations

from typing import Any

import elasticsearch
from elasticsearch import Elasticsearch

from ..errors import BackendError
from .client import describe_error
from .outcomes import RETRYABLE_STATUSES, ItemResult, RequestTooLarge, TransientError

__all__ = ["ItemResult", "TransientError", "RequestTooLarge", "send_bulk", "RETRYABLE_STATUSES"]

_FILTER = "errors,items.*.status,items.*.error"


def send_bulk(client: Elasticsearch, body: bytes, *, url: str | None = None,
              timeout: float | None = None) -> tuple[bool, list[ItemResult]]:
    """Send one NDJSON bulk body; returns ``(errors, items)`` with items in request order.

    When ``errors`` is false every item succeeded and ``items`` may be empty
    (nothing to look at). Raises :class:`TransientError` for what may pass
    on retry and :class:`BackendError` for what will not.
    """
    options: dict[str, Any] = {}
    if timeout is not None:
        options["request_timeout"] = timeout
    try:
        response = client.options(**options).bulk(operations=body, filter_path=_FILTER)  # type: ignore[arg-type]
    except elasticsearch.UnsupportedProductError as exc:
        # A 2xx answer without Elasticsearch's product header: a proxy's maintenance page, a load
        # balancer's placeholder while the cluster restarts. It passes like an outage does; a URL
        # that never was Elasticsearch shows as the same message, retried.
        raise TransientError(describe_error(exc, url)) from None
    except elasticsearch.ApiError as exc:
        status = exc.status_code if isinstance(exc.status_code, int) else 0
        if status in RETRYABLE_STATUSES:
            raise TransientError(describe_error(exc, url), status) from None
        if status == 413:
            raise RequestTooLarge(describe_error(exc, url)) from None
        raise BackendError(describe_error(exc, url)) from None
    except (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout) as exc:
        raise TransientError(describe_error(exc, url)) from None
    except elasticsearch.TransportError as exc:
        raise BackendError(describe_error(exc, url)) from None
    data = response.body
    if not data.get("errors"):
        return False, []
    items = []
    for entry in data.get("items", ()):
        result = next(iter(entry.values()))
        items.append(ItemResult(int(result.get("status", 0)), result.get("error")))
    return True, items
