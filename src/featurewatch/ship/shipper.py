"""The shipping loop: scan, read, batch, deliver, dead-letter, checkpoint — in that order.

One batch is in flight at a time, and the checkpoint moves only after the
batch is acknowledged (every item created, already present, or written to
the dead-letter file). Killed at any moment, the shipper restarts from the
last checkpoint and re-sends at most one batch, whose documents come back
as 409s: nothing lost, nothing duplicated.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from ..es import layout
from .actions import Action, ActionBuilder, Enricher, Rejected
from .batching import DEFAULT_MAX_BYTES, DEFAULT_MAX_DOCS, Batch, Origin
from .checkpoint import CheckpointStore
from .deadletter import DeadLetterFile
from .lock import ShipLock
from .sender import BulkSender, RetryPolicy, SendFunction, ShipInterrupted
from .tailer import Tailer

__all__ = ["ShipConfig", "ShipStats", "Progress", "Shipper"]

#: How much of one file is read per pass before the others get their turn.
_PASS_BYTES_PER_FILE = 16 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class ShipConfig:
    """Everything one shipper run needs besides the connection."""

    source: Path
    checkpoint: Path
    dead_letter: Path
    prefix: str = layout.DEFAULT_PREFIX
    follow: bool = False
    max_docs: int = DEFAULT_MAX_DOCS
    max_bytes: int = DEFAULT_MAX_BYTES
    retry: RetryPolicy = RetryPolicy()
    poll_interval: float = 1.0
    #: Delete files fully shipped and unmodified for this many hours (None: never).
    delete_after_hours: float | None = None
    progress_interval: float = 5.0
    enrich: Enricher | None = None
    #: The lock file keeping a second shipper off this source folder and cluster
    #: (:func:`~featurewatch.ship.places.lock_path`). None: ``<checkpoint>.lock``, which only
    #: keeps off shippers on the same checkpoint; also the fallback where ``lock`` cannot be created.
    lock: Path | None = None


@dataclasses.dataclass
class ShipStats:
    """Counters of one run, printed by ``ship --stats``."""

    lines: int = 0
    bytes_read: int = 0
    indexed: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    batches: int = 0
    bulk_requests: int = 0
    retries: int = 0
    checkpoint_writes: int = 0
    files: int = 0
    files_deleted: int = 0
    #: Source files (and folders) that could not be read at the last look; named on stderr.
    files_unreadable: int = 0
    #: Pipes, sockets and devices named like source files, skipped.
    files_not_regular: int = 0
    truncations: int = 0
    #: Lines longer than the tailer's limit, cut into dead letters.
    oversized_lines: int = 0
    #: Bytes not yet acknowledged, unreadable files included.
    bytes_behind: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["seconds"] = round(self.seconds, 3)
        data["records_per_second"] = round((self.indexed + self.duplicates) / self.seconds, 1) if self.seconds else 0.0
        return data


@dataclasses.dataclass(frozen=True)
class Progress:
    """A progress report on a backlog."""

    records: int
    records_per_second: float
    bytes_behind: int
    files: int


class Shipper:
    """Ships every source file under ``config.source`` through ``send``."""

    def __init__(self, config: ShipConfig, send: SendFunction, *,
                 on_progress: Callable[[Progress], None] | None = None,
                 on_retry: Callable[[str, float], None] | None = None,
                 on_warning: Callable[[str], None] | None = None,
                 stop: threading.Event | None = None) -> None:
        """``on_warning`` gets one line per skipped file or cut line; ``stop`` (default: a new event)
        is what :meth:`stop` sets, so a signal handler installed before the shipper exists can set it."""
        self.config = config
        self.build = ActionBuilder(config.prefix, config.enrich)
        self._stop = stop if stop is not None else threading.Event()
        self._on_retry = on_retry
        self._on_warning = on_warning
        self.sender = BulkSender(send, config.retry, wait=self._stop.wait, on_retry=self._retried)
        self.store = CheckpointStore(config.checkpoint)
        self.tailer = self._new_tailer()
        beside_checkpoint = config.checkpoint.with_name(config.checkpoint.name + ".lock")
        self.lock = (ShipLock(config.lock, fallback=beside_checkpoint) if config.lock is not None
                     else ShipLock(beside_checkpoint))
        self.dead_letter = DeadLetterFile(config.dead_letter)
        self.stats = ShipStats()
        self.on_progress = on_progress
        self._batch = self._new_batch()
        self._saved_changes = 0

    def stop(self) -> None:
        """Ask the loop to finish the in-flight batch, save the checkpoint and return (signal-safe)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def _retried(self, reason: str, delay: float) -> None:
        self.stats.retries += 1  # counted live, so a long outage shows in the stats at once
        if self._on_retry is not None:
            self._on_retry(reason, delay)

    def _new_batch(self) -> Batch:
        return Batch(self.config.max_docs, self.config.max_bytes)

    def _new_tailer(self) -> Tailer:
        return Tailer(self.config.source, self.store, exclude=(self.config.checkpoint, self.config.dead_letter),
                      warn=self._on_warning)

    # -- the loop ------------------------------------------------------------
    def run(self) -> ShipStats:
        """Ship until caught up (``follow=False``) or until :meth:`stop` (``follow=True``).

        Raises :class:`~featurewatch.errors.BackendError` when the cluster
        cannot take the records (bounded tries exhausted, credentials refused);
        the checkpoint on disk is then still exact. :meth:`stop` is final: a
        stopped shipper's next ``run`` returns at once.
        """
        started = time.monotonic()
        last_report = started
        reported_records = 0
        # Fresh state from the checkpoint on disk: a run after a failed one re-reads what was not acknowledged.
        self.store = CheckpointStore(self.config.checkpoint)
        self.tailer = self._new_tailer()
        self._batch = self._new_batch()
        self.lock.acquire()
        try:
            self.store.load()
        except BaseException:
            self.lock.release()
            raise
        self._saved_changes = self.store.changes
        try:
            while not self._stop.is_set():
                self.tailer.scan()
                moved = self._pass()
                self._housekeeping()
                now = time.monotonic()
                if self.on_progress and now - last_report >= self.config.progress_interval:
                    records = self.stats.indexed + self.stats.duplicates
                    rate = (records - reported_records) / (now - last_report)
                    behind = self.tailer.bytes_behind()
                    if behind or rate:
                        self.on_progress(Progress(records, rate, behind, len(self.tailer.files)))
                    last_report, reported_records = now, records
                if not moved:
                    if not self.config.follow:
                        break
                    self._stop.wait(self.config.poll_interval)
        except ShipInterrupted:
            self.stats.interrupted = True
        finally:
            if self.store.changes != self._saved_changes:
                self._save()
            self.stats.seconds = time.monotonic() - started
            tailer = self.tailer
            self.stats.files = len(tailer.files)
            self.stats.files_unreadable = len(tailer.skipped.unreadable)
            self.stats.files_not_regular = len(tailer.skipped.not_regular)
            self.stats.truncations = tailer.truncations
            self.stats.oversized_lines = tailer.oversized_lines
            self.stats.bytes_behind = tailer.bytes_behind()
            tailer.close()
            self.lock.release()
        if self._stop.is_set():
            self.stats.interrupted = True
        return self.stats

    def _pass(self) -> bool:
        """Read every file once (up to a budget each), shipping full batches; True if anything was read."""
        moved = False
        build = self.build
        for tracked in self.tailer.ordered():
            budget = _PASS_BYTES_PER_FILE
            while budget > 0 and not self._stop.is_set():
                chunk = self.tailer.read(tracked)
                if chunk is None:
                    break
                moved = True
                budget -= len(chunk.data)
                self.stats.bytes_read += len(chunk.data)
                key, path = chunk.key, chunk.path
                lines = chunk.data.split(b"\n")
                if chunk.data.endswith(b"\n"):
                    lines.pop()
                self.stats.lines += len(lines)
                offset = chunk.offset
                batch = self._batch
                for line in lines:
                    start = offset
                    offset += len(line) + 1
                    if not line or line.isspace():
                        continue
                    action = build(line)
                    if type(action) is Action:  # not isinstance: this runs once per record
                        if not batch.fits(action):
                            batch.advance(key, start)
                            self._flush()
                            batch = self._batch
                        batch.add(action, Origin(key, path, start))
                    else:
                        batch.reject(Origin(key, path, start), line, cast(Rejected, action).reason)
                batch.advance(key, chunk.end)
                if batch.full:
                    self._flush()
            if self._stop.is_set():
                break
        self._flush()
        return moved

    def _flush(self) -> None:
        """Deliver the current batch, dead-letter its failures, then move the checkpoint."""
        batch = self._batch
        if batch.empty:
            return
        if len(batch):
            delivery = self.sender.deliver(batch)
            self.stats.batches += 1
            self.stats.bulk_requests += delivery.requests
            self.stats.indexed += delivery.created
            self.stats.duplicates += delivery.conflicts
            for position, status, error in delivery.dead:
                origin = batch.origins[position]
                reason = _error_reason(error, status)
                self.dead_letter.add(file=origin.path, offset=origin.offset, line=batch.sources[position],
                                     reason=reason, status=status, error=error)
        for origin, line, reason in batch.rejected:
            self.dead_letter.add(file=origin.path, offset=origin.offset, line=line, reason=reason)
        self.stats.dead_lettered += self.dead_letter.commit()
        self.tailer.acknowledge(batch.offsets)
        self._batch = self._new_batch()
        self._save()

    def _save(self) -> None:
        self.store.save()
        self.stats.checkpoint_writes += 1
        self._saved_changes = self.store.changes

    def _housekeeping(self) -> None:
        self.tailer.release_finished()
        if self.config.delete_after_hours is not None:
            deleted = self.tailer.delete_shipped(self.config.delete_after_hours * 3600)
            self.stats.files_deleted += len(deleted)
        # Files found, dropped or retired since the last save: save, so a restart agrees.
        if self.store.changes != self._saved_changes:
            self._save()


def _error_reason(error: Any, status: int) -> str:
    if isinstance(error, dict):
        reason = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict) and cause.get("reason"):
            reason += f" ({cause.get('type')}: {cause.get('reason')})"
        return f"rejected by Elasticsearch ({status}) {reason}"[:1000]
    return f"rejected by Elasticsearch ({status}): {error}"[:1000]
