"""Small durable-write helpers shared by the shim, the shipper's checkpoint and its dead letters."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["write_all", "append_durably", "replace_atomically"]


def write_all(fd: int, data: bytes | bytearray) -> None:
    """``os.write`` until every byte is written (a regular file may take a block in parts)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def append_durably(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` (created with its folder) and fsync it before returning."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_atomically(path: Path, data: bytes) -> None:
    """Make ``path`` hold ``data``, all or nothing: temp file, fsync, rename, fsync the folder."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".{path.name}.{os.getpid()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
