"""Window profiles: the counts of a time window, from local files, a DataFrame or Elasticsearch.

A *profile source* is any object with
``profile(baseline, start, end) -> WindowProfile`` (:class:`ProfileSource`);
detection takes one and never knows where the counts came from. The local
source is imported on first use, so detection against Elasticsearch never
loads the local reader (or pyarrow).
"""

from __future__ import annotations

import datetime as _dt
import importlib
from typing import TYPE_CHECKING, Any, Protocol

from .model import UNSEEN_KEEP, FeatureProfile, WindowProfile

if TYPE_CHECKING:
    from ..baseline.model import Baseline
    from .local import LocalSource

__all__ = ["ProfileSource", "WindowProfile", "FeatureProfile", "LocalSource", "UNSEEN_KEEP"]

_LAZY = {"LocalSource": ".local"}


class ProfileSource(Protocol):
    """Anything that can summarise a window of a model's records into a profile."""

    #: Warnings about the last profile (for example fields it could not count).
    notes: list[str]

    def profile(self, baseline: Baseline, start: _dt.datetime, end: _dt.datetime) -> WindowProfile:
        """Counts of ``baseline.model``'s records with ``start <= @timestamp < end``."""
        ...


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
