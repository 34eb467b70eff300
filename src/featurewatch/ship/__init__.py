"""The shipper: the shim's JSON-lines files into Elasticsearch, nothing lost, nothing duplicated.

Layers, from pure to I/O (like ``elasticsearch.helpers``):

* :mod:`.actions` — a line → a bulk ``create`` action (pure; enrichment hook);
* :mod:`.batching` — actions → batches by count and bytes (pure);
* :mod:`.places` — where the checkpoint and the lock live, per source folder and cluster (pure);
* :mod:`.checkpoint` — per-file identity and offsets, saved atomically;
* :mod:`.lock` — one shipper per source folder and cluster;
* :mod:`.discovery` — which files a folder holds, and what was skipped (said, never silent);
* :mod:`.tailer` — reading them from where we left off: rotation, truncation, partial lines;
* :mod:`.sender` — one batch → bulk requests with retries (through
  :func:`featurewatch.es.bulk.send_bulk`);
* :mod:`.deadletter` — records Elasticsearch will never take;
* :mod:`.shipper` — the loop tying them together.

Typical use::

    from featurewatch.ship import ShipConfig, Shipper, bulk_sender

    config = ShipConfig(source=Path("logs"), checkpoint=Path("ckpt.json"), dead_letter=Path("dead.jsonl"))
    stats = Shipper(config, bulk_sender(client)).run()
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from .actions import Action, ActionBuilder, Enricher, Rejected, build_action
from .batching import Batch, Origin
from .checkpoint import CheckpointStore, FileCheckpoint
from .deadletter import DeadLetterFile
from .lock import ShipLock
from .places import cluster_url, default_checkpoint_path, lock_path
from .sender import BulkSender, Delivery, RetryPolicy, SendFunction, ShipInterrupted
from .shipper import Progress, ShipConfig, Shipper, ShipStats
from .tailer import Tailer

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

__all__ = [
    "Action", "ActionBuilder", "Enricher", "Rejected", "build_action",
    "Batch", "Origin", "CheckpointStore", "FileCheckpoint", "DeadLetterFile", "ShipLock",
    "cluster_url", "default_checkpoint_path", "lock_path",
    "BulkSender", "Delivery", "RetryPolicy", "SendFunction", "ShipInterrupted",
    "Progress", "ShipConfig", "Shipper", "ShipStats", "Tailer",
    "bulk_sender",
]


def bulk_sender(client: Elasticsearch, url: str | None = None, timeout: float | None = 60.0) -> SendFunction:
    """A :data:`SendFunction` posting NDJSON bodies to ``client``'s bulk API."""
    from ..es.bulk import send_bulk

    return functools.partial(send_bulk, client, url=url, timeout=timeout)
