"""One shipper per source folder and cluster: two would read the same files and race on offsets.

The lock is an advisory ``flock`` on a lock file, held for the whole run and
released by :meth:`ShipLock.release` or by the kernel when the process dies
(even by SIGKILL), so a crash never leaves a stale lock behind. Where the file
lives is the caller's choice (:func:`featurewatch.ship.places.lock_path` puts
it in the source folder, so every checkpoint folder meets on it); a second
place is used only where the first cannot be created (a read-only source
folder), which then protects only shippers sharing that second place.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

from ..errors import BackendError

__all__ = ["ShipLock"]

_CANNOT_CREATE = (errno.EACCES, errno.EPERM, errno.EROFS)


class ShipLock:
    """An exclusive, non-blocking lock on ``path`` (or ``fallback`` where ``path`` cannot be created)."""

    def __init__(self, path: str | os.PathLike[str], fallback: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path)
        self.fallback = Path(fallback) if fallback is not None else None
        #: The file actually locked, once :meth:`acquire` succeeded.
        self.held: Path | None = None
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`BackendError` saying another shipper has it."""
        candidates = [self.path] if self.fallback is None else [self.path, self.fallback]
        for index, path in enumerate(candidates):
            try:
                fd = _open(path)
            except OSError as exc:
                if exc.errno in _CANNOT_CREATE and index + 1 < len(candidates):
                    continue
                raise BackendError(f"cannot create the shipper's lock {path}: {exc.strerror or exc}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise BackendError(f"another shipper is already shipping this folder to this cluster (it holds "
                                   f"{path}); run one shipper per source folder and cluster") from None
            self._fd, self.held = fd, path
            return

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = self.held = None


def _open(path: Path) -> int:
    """A descriptor on the lock file, created if need be; read-only where only that is allowed
    (``flock`` works on any descriptor, so a shipper of another user still collides)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno not in _CANNOT_CREATE:
            raise
        try:
            return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise exc from None
