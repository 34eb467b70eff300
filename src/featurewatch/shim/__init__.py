"""The logging shim: wraps model calls and writes one JSON line per predicted row."""

from ._state import configure, current, flush, reset
from .api import Request, log_request, monitor, request

__all__ = ["configure", "current", "flush", "reset", "monitor", "request", "log_request", "Request"]
