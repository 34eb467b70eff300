"""The demo's folder: made by the demo, and only the demo's own files in it are ever replaced.

``featurewatch demo`` (and ``make demo``) runs again and again in the same
folder, so it must replace what an earlier run wrote, and nothing else: a
user's ``training.csv``, or another model's logs in ``logs/``, look exactly
like the demo's. A marker file (:data:`MARKER`) says the folder is the demo's
and lists every file the demo wrote with its digest. The demo takes a folder
that does not exist or is empty; it refuses any other folder without the
marker, a file it would replace that it did not write, and a file of its own
that has changed since (someone worked on it), before it changes anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import orjson

from ..fileio import replace_atomically
from ..outputs import OutputExists

__all__ = ["MARKER", "DemoFolder"]

#: The marker file in the demo's folder: ``{"kind": "featurewatch-demo", "files": {path: digest}}``.
MARKER = ".featurewatch-demo.json"
_KIND = "featurewatch-demo"


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


class DemoFolder:
    """A folder the demo owns, and the files it wrote there (paths relative to the folder)."""

    def __init__(self, root: Path, files: dict[str, str]) -> None:
        self.root = root
        self.files = files

    @classmethod
    def claim(cls, root: str | Path, replaces: Iterable[str] = ()) -> DemoFolder:
        """Take ``root`` for the demo, which will write ``replaces`` there; OutputExists (exit 2) if it may not.

        Nothing is changed when the folder is refused.
        """
        folder = Path(root)
        marker = folder / MARKER
        if folder.exists() and not folder.is_dir():
            raise OutputExists(f"{folder} is a file: give the demo a new or empty folder (--workdir)")
        if not marker.is_file():
            if folder.exists() and any(folder.iterdir()):
                raise OutputExists(f"{folder} is not empty and was not made by featurewatch demo: give --workdir a "
                                   f"new or empty folder (nothing was changed)")
            folder.mkdir(parents=True, exist_ok=True)
            claimed = cls(folder, {})
            claimed._save()
            return claimed
        claimed = cls(folder, cls._read(marker))
        for name, digest in claimed.files.items():
            path = folder / name
            if path.is_file() and _digest(path) != digest:
                raise OutputExists(f"{path} has changed since the demo wrote it: move it out of {folder}, or give "
                                   f"--workdir another folder (nothing was changed)")
        for name in replaces:
            if (folder / name).exists() and name not in claimed.files:
                raise OutputExists(f"{folder / name} was not written by the demo: move it out of {folder}, or give "
                                   f"--workdir another folder (nothing was changed)")
        return claimed

    @staticmethod
    def _read(marker: Path) -> dict[str, str]:
        try:
            doc = orjson.loads(marker.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            doc = None
        files = doc.get("files") if isinstance(doc, dict) and doc.get("kind") == _KIND else None
        if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
            raise OutputExists(f"{marker} is damaged, so the demo cannot tell its files from yours: give --workdir "
                               f"a new or empty folder (nothing was changed)")
        return dict(files)

    def _save(self) -> None:
        doc = {"kind": _KIND, "files": dict(sorted(self.files.items()))}
        replace_atomically(self.root / MARKER, orjson.dumps(doc, option=orjson.OPT_INDENT_2))

    def replace(self, name: str) -> Path:
        """The path of ``name``, with the demo's earlier file there removed (claim checked it is the demo's)."""
        path = self.root / name
        if name in self.files:
            path.unlink(missing_ok=True)
            del self.files[name]
            self._save()
        return path

    def remove_own(self, under: str) -> None:
        """Remove every file the demo wrote under the subfolder ``under`` (the user's files there stay)."""
        prefix = under.rstrip("/") + "/"
        for name in [n for n in self.files if n.startswith(prefix)]:
            (self.root / name).unlink(missing_ok=True)
            del self.files[name]
        self._save()

    def record(self, paths: Iterable[Path]) -> None:
        """Note ``paths`` (in the folder) as the demo's own, with their digests."""
        for path in paths:
            self.files[path.relative_to(self.root).as_posix()] = _digest(path)
        self._save()
