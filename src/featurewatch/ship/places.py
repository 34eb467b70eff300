"""Where a shipper keeps its state, named per source folder and cluster: pure, no I/O.

A shipper's checkpoint and lock are keyed by the cluster it ships to and the
index prefix. The cluster is named by its URL *normalised*, so ``URL``,
``URL/``, an upper-case host, an explicit default port or credentials in the
URL all name the same cluster: otherwise each spelling gets a checkpoint of its
own (re-sending everything) and a lock of its own (two shippers race).
"""

from __future__ import annotations

import hashlib
import os
import urllib.parse
from pathlib import Path

__all__ = ["STATE_FOLDER", "cluster_url", "cluster_tag", "default_checkpoint_path", "lock_path"]

#: Folder inside the source folder for the default checkpoint, dead letters and the lock.
STATE_FOLDER = ".featurewatch-ship"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def cluster_url(url: str) -> str:
    """``url`` in one spelling per cluster: lower-case scheme and host, no user-info, no default port,
    no trailing slash, query or fragment. An unparseable URL is returned stripped (the client refuses it later)."""
    text = url.strip()
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal: urlsplit dropped its brackets
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return urllib.parse.urlunsplit((scheme, host, parts.path.rstrip("/"), "", ""))


def cluster_tag(es_url: str, prefix: str) -> str:
    """A short stable name for (cluster, index prefix), used in file names."""
    return hashlib.blake2b(f"{cluster_url(es_url)}\x1f{prefix}".encode(), digest_size=6).hexdigest()


def default_checkpoint_path(source: str | os.PathLike[str], es_url: str, prefix: str,
                            checkpoint_dir: str | os.PathLike[str] | None = None) -> Path:
    """``<checkpoint_dir or source/.featurewatch-ship>/checkpoint-<tag>.json``, one per cluster and prefix."""
    folder = Path(checkpoint_dir) if checkpoint_dir else Path(source) / STATE_FOLDER
    return folder / f"checkpoint-{cluster_tag(es_url, prefix)}.json"


def lock_path(source: str | os.PathLike[str], es_url: str, prefix: str) -> Path:
    """``source/.featurewatch-ship/ship-<tag>.lock``.

    In the source folder, not the checkpoint folder: two shippers given
    different ``--checkpoint-dir`` values still meet on the same lock, and so
    do shippers on other hosts or containers that mount the same folder.
    """
    return Path(source) / STATE_FOLDER / f"ship-{cluster_tag(es_url, prefix)}.lock"
