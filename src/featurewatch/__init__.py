"""featurewatch: watch a production model's inputs against its training data.

Quick start::

    import featurewatch as fw

    fw.configure(log_dir="logs")

    @fw.monitor(model="credit", version="1.4.0")
    def predict(features: dict) -> float:
        ...

See README.md for the command-line jobs (``featurewatch detect``, ``ship``, ...).
"""

from __future__ import annotations

from typing import Any

from .errors import (
    BackendError,
    BaselineError,
    ConfigError,
    DataError,
    FeaturewatchError,
)
from .shim import Request, configure, flush, log_request, monitor, request
from .shim import current as _current_shim

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "configure",
    "flush",
    "monitor",
    "request",
    "log_request",
    "stats",
    "Request",
    "FeaturewatchError",
    "ConfigError",
    "DataError",
    "BaselineError",
    "BackendError",
]


def stats() -> dict[str, Any]:
    """Counters of the current shim: records written and dropped, requests filtered or failed."""
    return _current_shim().stats()
