"""The shim's only global state: the current :class:`Shim`, replaced by ``configure()``."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Sequence
from typing import Any

from structlog.typing import Processor

from ..settings import Settings, load_settings
from ._core import Shim

__all__ = ["configure", "current", "flush", "reset"]

_lock = threading.Lock()
_current: Shim | None = None


def configure(processors: Sequence[Processor] | None = None, **settings: Any) -> Shim:
    """Replace the shim: records logged after this call follow the new settings.

    The previous shim is flushed and closed first, so nothing already logged
    is lost or written to the new folder.
    """
    global _current
    resolved = load_settings(settings)
    new = Shim(resolved, processors or ())
    with _lock:
        old, _current = _current, new
    if old is not None:
        old.close()
    return new


def configured() -> Shim | None:
    """The configured shim, or None before the first use (the hot path's cheap read)."""
    return _current


def current() -> Shim:
    """The configured shim, configuring one from the environment on first use.

    Never raises: this runs inside the model call, so a bad environment
    variable or featurewatch.toml turns logging off with one warning on
    stderr instead of breaking the call (an explicit ``configure()`` does raise).
    """
    shim = _current
    if shim is None:
        with _lock:
            if _current is None:
                globals()["_current"] = _from_environment()
            shim = _current
    assert shim is not None
    return shim


def _from_environment() -> Shim:
    try:
        return Shim(load_settings())
    except Exception as exc:
        try:
            sys.stderr.write(f"featurewatch: logging is off, the configuration is invalid: {exc}\n")
        except Exception:
            pass
        return Shim(Settings(enabled=False))


def flush() -> None:
    """Make everything logged so far durable in the files."""
    if _current is not None:
        _current.flush()


def reset() -> None:
    """Flush, close and forget the shim (tests use this between cases)."""
    global _current
    with _lock:
        old, _current = _current, None
    if old is not None:
        old.close()


def _at_exit() -> None:
    try:
        flush()
    except Exception:
        pass


atexit.register(_at_exit)
def _after_fork_in_child() -> None:
    if _current is not None:
        _current.after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_at_exit, after_in_child=_after_fork_in_child)
