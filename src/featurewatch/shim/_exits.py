"""Buffered lines reach the files however a process ends, worker processes included.

A normal interpreter exit runs ``atexit``, which flushes (``_state``). Worker
processes often end without it:

* a child started by ``multiprocessing`` (``Process``, ``Pool``,
  ``ProcessPoolExecutor``; fork, spawn or forkserver) leaves through
  ``os._exit`` after the ``multiprocessing.util`` finalizers, so a finalizer
  flushes;
* ``Pool.terminate()``, which ``with Pool() as pool:`` calls on the way out,
  and ``Process.terminate()`` send SIGTERM, whose default action ends the
  process at once: in such a child, while SIGTERM keeps its default action, a
  handler flushes and then ends the process by SIGTERM as before.

A process killed otherwise (SIGKILL, ``os._exit`` after a bare ``os.fork``)
loses at most the lines of its last flush interval: the writer's background
thread flushes every ``flush_interval`` seconds.

The hooks are installed once per process, when its first line is buffered,
so a process that never logs is left as it was. The price of the SIGTERM
handler: Python runs it between two bytecodes, so a worker terminated in the
middle of one long call into C code ends when that call returns.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import weakref
from typing import Any, Protocol

__all__ = ["protect"]


class _Flushable(Protocol):
    def flush(self) -> None: ...

    def flush_at_exit(self) -> None: ...


_writers: weakref.WeakSet[_Flushable] = weakref.WeakSet()
_protected_pid: int | None = None


def protect(writer: _Flushable) -> None:
    """Flush ``writer`` however this process ends (see the module docstring).

    Called by the writer under its own lock, once per process and writer; two
    writers racing here at worst install the hooks twice, which is harmless.
    """
    global _protected_pid
    _writers.add(writer)
    if _protected_pid == os.getpid():
        return
    _protected_pid = os.getpid()
    if _in_multiprocessing_child():
        from multiprocessing import util

        util.Finalize(None, _flush_all, exitpriority=10)
        _handle_sigterm()


def _in_multiprocessing_child() -> bool:
    # Without multiprocessing loaded, this process was not started by it.
    multiprocessing = sys.modules.get("multiprocessing")
    return multiprocessing is not None and multiprocessing.parent_process() is not None


def _handle_sigterm() -> None:
    """Flush on SIGTERM, if SIGTERM still has its default action and this is the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return
    try:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _on_sigterm)
    except (ValueError, OSError):  # signals unavailable here: the timed flushes remain
        pass


def _on_sigterm(signum: int, frame: Any) -> None:
    """Flush, then end the process by SIGTERM's default action, as without this handler."""
    try:
        for writer in list(_writers):
            writer.flush_at_exit()
    except Exception:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)


def _flush_all() -> None:
    for writer in list(_writers):
        try:
            writer.flush()
        except Exception:
            pass
