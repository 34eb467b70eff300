"""Deliver one batch: send, sort the items, resend only what may still succeed.

* created (2xx) and 409 (the document already exists: an earlier attempt
  landed) count as delivered;
* per-item 429/5xx and whole-request 429/5xx/connection errors are retried
  with jittered, capped exponential backoff — only the failed subset;
* any other per-item error (a mapping conflict, a malformed document) is a
  dead letter; a 413 splits the batch.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from typing import Any

from ..errors import BackendError
from ..es.outcomes import RETRYABLE_STATUSES, ItemResult, RequestTooLarge, TransientError
from .batching import Batch

__all__ = ["RetryPolicy", "Delivery", "ShipInterrupted", "BulkSender", "SendFunction"]

#: Sends one NDJSON body; returns ``(errors, items)`` like :func:`featurewatch.es.bulk.send_bulk`.
SendFunction = Callable[[bytes], "tuple[bool, list[ItemResult]]"]


class ShipInterrupted(Exception):
    """A stop was requested while a batch was waiting to be retried; it stays unacknowledged."""


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """Jittered, capped exponential backoff. ``max_tries=None`` retries forever (``--follow``)."""

    initial: float = 0.5
    maximum: float = 30.0
    max_tries: int | None = 8

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait before try ``attempt + 1`` (attempt counts from 1): half fixed, half random."""
        cap = min(self.maximum, self.initial * 2.0 ** min(attempt - 1, 30))
        return cap / 2 + rng.uniform(0, cap / 2)


@dataclasses.dataclass
class Delivery:
    """What happened to one batch."""

    created: int = 0
    conflicts: int = 0
    retries: int = 0
    requests: int = 0
    #: (position in batch, status, error object) of items that will never succeed.
    dead: list[tuple[int, int, Any]] = dataclasses.field(default_factory=list)


class BulkSender:
    """Delivers batches through ``send`` with the retry rules above."""

    def __init__(self, send: SendFunction, policy: RetryPolicy | None = None, *,
                 wait: Callable[[float], bool] | None = None, seed: int | None = None,
                 on_retry: Callable[[str, float], None] | None = None) -> None:
        self.send = send
        self.policy = policy or RetryPolicy()
        # ``wait`` sleeps and returns True when a stop was requested meanwhile.
        self.wait = wait or _sleep
        self.rng = random.Random(seed)
        self.on_retry = on_retry

    def deliver(self, batch: Batch) -> Delivery:
        """Send every action of ``batch`` until each is delivered or dead."""
        result = Delivery()
        groups: list[list[int] | None] = [None]  # None means "the whole batch"
        attempt = 0
        while groups:
            group = groups.pop(0)
            positions = list(range(len(batch))) if group is None else group
            if not positions:
                continue
            result.requests += 1
            try:
                errors, items = self.send(batch.body(group))
            except RequestTooLarge:
                if len(positions) == 1:
                    result.dead.append((positions[0], 413, {"type": "request_too_large",
                                                            "reason": "document larger than the cluster accepts"}))
                else:
                    half = len(positions) // 2
                    groups[:0] = [positions[:half], positions[half:]]
                continue
            except TransientError as exc:
                attempt += 1
                self._backoff(attempt, str(exc))
                result.retries += 1
                groups.insert(0, group)
                continue
            if not errors:
                result.created += len(positions)
                attempt = 0
                continue
            if len(items) != len(positions):
                raise BackendError(f"bulk response has {len(items)} items for {len(positions)} actions")
            retry: list[int] = []
            retry_statuses: set[int] = set()
            for position, item in zip(positions, items):
                status = item.status
                if 200 <= status < 300:
                    result.created += 1
                elif status == 409:
                    result.conflicts += 1
                elif status in RETRYABLE_STATUSES:
                    retry.append(position)
                    retry_statuses.add(status)
                else:
                    result.dead.append((position, status, item.error))
            if retry:
                # Tries are bounded per streak without progress: items that settled reset the count.
                attempt = 1 if len(retry) < len(positions) else attempt + 1
                self._backoff(attempt, f"{len(retry)} item(s) rejected with {sorted(retry_statuses)}")
                result.retries += 1
                groups.insert(0, retry)
            else:
                attempt = 0
        return result

    def _backoff(self, attempt: int, reason: str) -> None:
        tries = self.policy.max_tries
        if tries is not None and attempt >= tries:
            raise TransientError(f"giving up after {attempt} tries: {reason}")
        delay = self.policy.delay(attempt, self.rng)
        if self.on_retry is not None:
            self.on_retry(reason, delay)
        if self.wait(delay):
            raise ShipInterrupted(reason)


def _sleep(seconds: float) -> bool:
    import time

    time.sleep(seconds)
    return False
