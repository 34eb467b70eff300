"""Never overwrite what the user made: a command replaces a file only if it is of the kind it writes.

``baseline build -o training.csv`` or ``kibana build -o baseline.json`` is a
slip of the keyboard, and the file it would destroy is often the only copy.
A command therefore writes where nothing is, or over a file of its own kind
(rewriting a baseline or a dashboard file is the normal case); anything else
is refused with one line, unless the user says ``--force``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from .errors import ConfigError

__all__ = ["OutputExists", "check_output", "first_json_line"]

#: The first line of a file read to tell its kind (a JSON-lines record or saved object is far shorter).
_FIRST_LINE_LIMIT = 1024 * 1024


class OutputExists(ConfigError):
    """The output path holds something the command did not write (exit 2)."""


def check_output(path: str | os.PathLike[str], ours: Callable[[Path], bool], what: str, *,
                 force: bool = False) -> None:
    """Refuse to write ``path`` if it exists and is not ``what`` (as ``ours`` tells), unless ``force``."""
    target = Path(path)
    if target.is_dir():
        raise OutputExists(f"{target} is a folder: give a file name for the {what}")
    if force or not target.exists() or ours(target):
        return
    raise OutputExists(f"{target} exists and is not a {what}: refusing to overwrite it "
                       f"(give another output file, or --force to replace it)")


def first_json_line(path: Path) -> Any:
    """The first line of ``path`` parsed as JSON, or None when it is not JSON (or too long to be a line of ours)."""
    try:
        with path.open("rb") as handle:
            line = handle.readline(_FIRST_LINE_LIMIT)
    except OSError:
        return None
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
