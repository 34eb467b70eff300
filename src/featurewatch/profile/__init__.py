"""Window profiles: the counts of a time window, from local files (or, later, Elasticsearch).

A *profile source* is any object with
``profile(baseline, start, end) -> WindowProfile`` (:class:`ProfileSource`);
detection takes one and never knows where the counts came from.
"""

from __future__ import annotations

import datetime as _dt
from typing import Protocol

from ..baseline.model import Baseline
from .counting import (
    FeatureSpec,
    compile_specs,
    count_keys,
    count_numbers,
    count_texts,
    empty_profile,
)
from .local import LocalSource
from .model import UNSEEN_KEEP, FeatureProfile, WindowProfile

__all__ = ["ProfileSource", "WindowProfile", "FeatureProfile", "LocalSource", "UNSEEN_KEEP", "FeatureSpec",
           "compile_specs", "count_keys", "count_numbers", "count_texts", "empty_profile"]


class ProfileSource(Protocol):
    """Anything that can summarise a window of a model's records into a profile."""

    def profile(self, baseline: Baseline, start: _dt.datetime, end: _dt.datetime) -> WindowProfile:
        """Counts of ``baseline.model``'s records with ``start <= @timestamp < end``."""
        ...
