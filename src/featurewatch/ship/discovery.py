"""Which source files a folder holds, and what was skipped: said, never silent.

A source file is a regular file named like the shim's files (rotated names
included, compressed ones not), found recursively and identified by device +
inode. What is named like one but cannot be shipped is skipped and said
through ``warn``:

* a named pipe, socket or device — once (opening a pipe would block until a
  writer comes, before anything is shipped);
* a file or folder that cannot be read — each time it is skipped, at most
  once per :data:`WARN_AGAIN_AFTER` seconds per path, with its unshipped bytes
  kept in :attr:`Skipped.unreadable`: its records wait, and nobody should read
  "0 bytes behind".
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable

from .. import logfiles

__all__ = ["is_source_file", "discover", "Skipped", "WARN_AGAIN_AFTER"]

#: An unreadable file or folder is named again at most this often while it stays unreadable.
WARN_AGAIN_AFTER = 60.0
_SKIP_SUFFIXES = (".gz", ".bz2", ".xz", ".zst", ".zip", ".tmp", ".swp")
_KINDS = {stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFDIR: "a folder"}


def is_source_file(name: str) -> bool:
    """True for the shim's files, including rotated names (``x.jsonl.1``) but not compressed ones."""
    return (name.startswith(logfiles.PREFIX) and logfiles.SUFFIX in name
            and not name.endswith(_SKIP_SUFFIXES))


class Skipped:
    """What could not be shipped in one tailer's life, and saying so through ``warn``."""

    def __init__(self, warn: Callable[[str], None] | None = None) -> None:
        self.warn = warn
        #: Files and folders found unreadable since the last :meth:`new_scan` → their unshipped bytes.
        self.unreadable: dict[str, int] = {}
        #: Non-regular files named like source files.
        self.not_regular: set[str] = set()
        self._warned: dict[str, float] = {}

    def new_scan(self) -> None:
        """Forget what was unreadable: each scan finds out again (and says it again, in time)."""
        self.unreadable = {}

    def say(self, message: str) -> None:
        if self.warn is not None:
            self.warn(message)

    def not_regular_file(self, path: str, mode: int) -> None:
        if path not in self.not_regular:
            self.not_regular.add(path)
            self.say(f"skipping {path}: {_KINDS.get(stat.S_IFMT(mode), 'not a regular file')}, not a regular file")

    def cannot_read(self, path: str, error: OSError, now: float, behind: int = 0) -> None:
        """``path`` could not be opened or examined; ``behind`` of its bytes are not acknowledged."""
        self._unreadable(path, f"skipping {path}: cannot read it ({error.strerror or error}); "
                               "its records wait until it can be read", behind, now)

    def cannot_list(self, folder: str, error: OSError, now: float) -> None:
        self._unreadable(folder, f"skipping folder {folder}: cannot list it ({error.strerror or error}); "
                                 "its files are not shipped", 0, now)

    def _unreadable(self, path: str, message: str, behind: int, now: float) -> None:
        self.unreadable[path] = behind
        last = self._warned.get(path)
        if last is None or now - last >= WARN_AGAIN_AFTER:
            self._warned[path] = now
            self.say(message)


def discover(root: str | os.PathLike[str], skipped: Skipped, now: float,
             exclude: Iterable[str] = ()) -> dict[str, tuple[str, os.stat_result]]:
    """``"dev:ino"`` → (path, stat) of every source file under ``root``, except the real paths in ``exclude``.

    Hard links count once, under their first name in sorted order.
    """
    excluded = set(exclude)
    excluded_names = {os.path.basename(path) for path in excluded}
    found: dict[str, tuple[str, os.stat_result]] = {}

    def unlistable(error: OSError) -> None:
        skipped.cannot_list(str(error.filename), error, now)

    for folder, _dirs, names in os.walk(root, onerror=unlistable):
        for name in sorted(names):
            if not is_source_file(name):
                continue
            path = os.path.join(folder, name)
            if name in excluded_names and os.path.realpath(path) in excluded:
                continue
            try:
                st = os.stat(path)
            except FileNotFoundError:  # gone since the listing, or a dangling symlink
                continue
            except OSError as error:
                skipped.cannot_read(path, error, now)
                continue
            if not stat.S_ISREG(st.st_mode):
                skipped.not_regular_file(path, st.st_mode)
                continue
            found.setdefault(f"{st.st_dev}:{st.st_ino}", (path, st))
    return found
