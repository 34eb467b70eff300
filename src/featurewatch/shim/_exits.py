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

Python runs signal handlers in the main thread only, and only once that thread
wakes up; but the kernel may hand a process's SIGTERM to any thread that does
not block it (a BLAS pool's, the caller's own), and a pool worker's main
thread asleep on its task queue then never wakes: the worker hangs and so does
the pool's ``terminate()``. So the child also gets a signal wake-up pipe
(``signal.set_wakeup_fd``, written by whichever thread takes the signal) and a
thread that reads it and passes a SIGTERM on to the main thread. When the
handler interrupts the main thread in the middle of a flush, that flush
finishes first and the process ends right after it.

A process killed otherwise (SIGKILL, ``os._exit`` after a bare ``os.fork``)
loses at most the lines of its last flush interval: the writer's background
thread flushes every ``flush_interval`` seconds.

The hooks are installed once per process, when its first line is buffered,
so a process that never logs is left as it was. The price of the SIGTERM
handler: Python runs it between two bytecodes, so a worker terminated in the
middle of one long call into C code ends when that call returns. The wake-up
pipe is installed only where no other code has one (asyncio takes it over when
an event loop adds signal handlers; the handler then works as without it).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import weakref
from typing import Any, Protocol

__all__ = ["protect", "after_flush"]


class _Flushable(Protocol):
    def flush(self) -> None: ...

    def flush_at_exit(self) -> None: ...

    def flushing_in_this_thread(self) -> bool: ...


_writers: weakref.WeakSet[_Flushable] = weakref.WeakSet()
_protected_pid: int | None = None
#: Set by the SIGTERM handler: ``"deferred"`` while an interrupted flush finishes, then ``"ending"``.
_sigterm: str | None = None
#: This process's wake-up pipe (read end, write end), if it has one.
_wakeup: tuple[int, int] | None = None


def protect(writer: _Flushable) -> None:
    """Flush ``writer`` however this process ends (see the module docstring).

    Called by the writer under its own lock, once per process and writer; two
    writers racing here at worst install the hooks twice, which is harmless.
    """
    global _protected_pid, _sigterm
    _writers.add(writer)
    if _protected_pid == os.getpid():
        return
    _protected_pid = os.getpid()
    _sigterm = None
    if _in_multiprocessing_child():
        from multiprocessing import util

        util.Finalize(None, _flush_all, exitpriority=10)
        _handle_sigterm()


def after_flush() -> None:
    """Called by a writer after each flush: a SIGTERM that interrupted it ends the process now."""
    if _sigterm == "deferred" and threading.current_thread() is threading.main_thread():
        _end_by_sigterm()


def _in_multiprocessing_child() -> bool:
    # Without multiprocessing loaded, this process was not started by it.
    multiprocessing = sys.modules.get("multiprocessing")
    return multiprocessing is not None and multiprocessing.parent_process() is not None


def _handle_sigterm() -> None:
    """Flush on SIGTERM, if SIGTERM still has its default action and this is the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return
    try:
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            return
        signal.signal(signal.SIGTERM, _on_sigterm)
    except (ValueError, OSError):  # signals unavailable here: the timed flushes remain
        return
    _watch_wakeups()


def _on_sigterm(signum: int, frame: Any) -> None:
    """Flush, then end the process by SIGTERM's default action, as without this handler."""
    global _sigterm
    if _sigterm is not None:  # already ending, or waiting for the flush it interrupted
        return
    if any(writer.flushing_in_this_thread() for writer in list(_writers)):
        # Flushing now would find the buffer already taken by the interrupted flush, and
        # ending the process would lose what that flush is writing: it ends it when done.
        _sigterm = "deferred"
        return
    _end_by_sigterm()


def _end_by_sigterm() -> None:
    global _sigterm
    _sigterm = "ending"
    try:
        for writer in list(_writers):
            writer.flush_at_exit()
    except Exception:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)


def _watch_wakeups() -> None:
    """Give this process a signal wake-up pipe and a thread passing SIGTERM on to the main thread."""
    global _wakeup
    inherited = _wakeup  # a forked child inherits its parent's pipe, not the thread reading it
    try:
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)
    except OSError:
        return
    try:
        previous = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    except (ValueError, OSError):
        previous = None
    ours_before = inherited is not None and previous == inherited[1]
    if previous is None or (previous != -1 and not ours_before):
        if previous is not None:
            signal.set_wakeup_fd(previous)  # another library's pipe: it stays theirs
        for fd in (read_fd, write_fd):
            os.close(fd)
        return
    if ours_before and inherited is not None:
        for fd in inherited:
            try:
                os.close(fd)
            except OSError:
                pass
    _wakeup = (read_fd, write_fd)
    threading.Thread(target=_pass_sigterm_on, args=(read_fd, threading.main_thread().ident),
                     name="featurewatch-signals", daemon=True).start()


def _pass_sigterm_on(read_fd: int, main_thread: int | None) -> None:
    """Read the wake-up pipe; on SIGTERM, make sure the main thread hears it (once)."""
    passed_on = False
    while True:
        try:
            data = os.read(read_fd, 64)
        except OSError:
            return
        if not data:
            return
        if signal.SIGTERM in data and _sigterm is None and not passed_on and main_thread is not None:
            passed_on = True
            try:
                signal.pthread_kill(main_thread, signal.SIGTERM)
            except (OSError, ValueError):
                return


def _flush_all() -> None:
    for writer in list(_writers):
        try:
            writer.flush()
        except Exception:
            pass
