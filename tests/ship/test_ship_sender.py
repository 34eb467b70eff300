"""Tests for featurewatch.ship.sender: retries of the failed subset, 409s, dead items (fake bulk endpoint)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from featurewatch.errors import BackendError
from featurewatch.es.bulk import ItemResult, RequestTooLarge, TransientError
from featurewatch.ship.actions import Action
from featurewatch.ship.batching import Batch, Origin
from featurewatch.ship.sender import BulkSender, RetryPolicy, ShipInterrupted


def _batch(n: int) -> Batch:
    batch = Batch()
    for i in range(n):
        batch.add(Action(b"H%d\n" % i, b"S%d\n" % i), Origin("k", "p", i))
    return batch


def _ids(body: bytes) -> list[int]:
    return [int(line[1:]) for line in body.split(b"\n") if line.startswith(b"H")]


class FakeBulk:
    """Answers each call with the next scripted reply: an exception or a status per item id."""

    def __init__(self, script):
        self.script = list(script)
        self.bodies: list[list[int]] = []

    def __call__(self, body: bytes):
        ids = _ids(body)
        self.bodies.append(ids)
        step = self.script.pop(0) if self.script else {}
        if isinstance(step, Exception):
            raise step
        statuses = [step.get(i, 201) for i in ids]
        errors = any(s >= 300 for s in statuses)
        items = [ItemResult(s, None if s < 300 else {"type": "x", "reason": f"status {s}"}) for s in statuses]
        return errors, items if errors else []


def _sender(fake, tries=5):
    waits = []

    def wait(seconds):
        waits.append(seconds)
        return False

    sender = BulkSender(fake, RetryPolicy(initial=0.1, maximum=1.0, max_tries=tries), wait=wait, seed=1)
    return sender, waits


class TestDeliver:
    def test_all_created_in_one_request(self):
        """A clean batch takes one request and counts every item as created."""
        fake = FakeBulk([{}])
        result = _sender(fake)[0].deliver(_batch(5))
        assert (result.created, result.conflicts, result.requests, result.dead) == (5, 0, 1, [])

    def test_only_the_failed_subset_is_resent(self):
        """Items rejected with 429/503 are resent alone; 409 counts as delivered; 400 is dead."""
        fake = FakeBulk([{1: 429, 2: 409, 3: 400, 4: 503}, {}])
        sender, waits = _sender(fake)
        result = sender.deliver(_batch(5))
        assert fake.bodies == [[0, 1, 2, 3, 4], [1, 4]]
        assert result.created == 3 and result.conflicts == 1
        assert [(pos, status) for pos, status, _ in result.dead] == [(3, 400)]
        assert len(waits) == 1

    def test_whole_request_failures_are_retried_with_growing_capped_jittered_delays(self):
        """Connection errors and 5xx retry the same group; delays grow, stay under the cap, vary."""
        fake = FakeBulk([TransientError("down")] * 4 + [{}])
        sender, waits = _sender(fake, tries=10)
        result = sender.deliver(_batch(3))
        assert result.created == 3 and result.retries == 4
        assert all(b == [0, 1, 2] for b in fake.bodies)
        assert waits[0] < waits[-1] <= 1.0
        assert 0.05 <= waits[0] <= 0.1

    def test_gives_up_after_max_tries(self):
        """With bounded tries the error surfaces as a TransientError (a BackendError, exit 1)."""
        fake = FakeBulk([TransientError("down")] * 10)
        sender, _ = _sender(fake, tries=3)
        with pytest.raises(TransientError, match="giving up after 3 tries"):
            sender.deliver(_batch(2))
        assert len(fake.bodies) == 3
        assert issubclass(TransientError, BackendError)

    def test_stop_during_backoff_interrupts(self):
        """A stop request while waiting to retry leaves the batch unacknowledged."""
        fake = FakeBulk([TransientError("down")] * 3)
        sender = BulkSender(fake, RetryPolicy(max_tries=None), wait=lambda s: True)
        with pytest.raises(ShipInterrupted):
            sender.deliver(_batch(2))

    def test_request_too_large_splits_the_batch(self):
        """A 413 halves the group; a single document that is still too large is dead."""
        fake = FakeBulk([RequestTooLarge("big"), {}, RequestTooLarge("big")])
        result = _sender(fake)[0].deliver(_batch(4))
        assert fake.bodies == [[0, 1, 2, 3], [0, 1], [2, 3], [2], [3]]
        assert result.created == 4 and not result.dead
        alone = FakeBulk([RequestTooLarge("big")])
        result = _sender(alone)[0].deliver(_batch(1))
        assert [(pos, status) for pos, status, _ in result.dead] == [(0, 413)]

    def test_mismatched_item_count_is_an_error(self):
        """A response with fewer items than actions is never taken as success."""
        sender, _ = _sender(lambda body: (True, [ItemResult(201, None)]))
        with pytest.raises(BackendError, match="items"):
            sender.deliver(_batch(3))


class TestDeliverProperties:
    @settings(max_examples=60, deadline=None)
    @given(n=st.integers(min_value=1, max_value=40),
           rounds=st.lists(st.lists(st.sampled_from([201, 201, 409, 429, 503, 400]), min_size=40, max_size=40),
                           max_size=6))
    def test_every_item_is_accounted_for_exactly_once(self, n, rounds):
        """Whatever mix of statuses comes back, each item ends created, conflict or dead exactly once,
        and only retryable items are ever sent again."""
        sent: list[list[int]] = []
        script = list(rounds)

        def send(body: bytes):
            ids = _ids(body)
            sent.append(ids)
            statuses = script.pop(0)[: len(ids)] if script else [201] * len(ids)
            return True, [ItemResult(s, None if s < 300 else {"type": "x"}) for s in statuses]

        result = BulkSender(send, RetryPolicy(max_tries=None), wait=lambda s: False).deliver(_batch(n))
        assert result.created + result.conflicts + len(result.dead) == n
        assert sent[0] == list(range(n))
        settled_before: set[int] = set()
        for request, statuses in zip(sent, rounds):
            assert not settled_before & set(request)
            settled_before |= {i for i, s in zip(request, statuses) if s not in (429, 503)}
