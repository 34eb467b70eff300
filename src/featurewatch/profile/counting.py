"""What every window source shares: the empty profile of a baseline, and the version key.

The per-kind counting rules live with their kinds (:mod:`featurewatch.kinds`);
sources only get values out of records and hand them over.
"""

from __future__ import annotations

from ..baseline.model import Baseline
from ..kinds import kind_of
from .model import WindowProfile

__all__ = ["NO_VERSION", "empty_profile"]

#: Version key for records without a model version.
NO_VERSION = "(none)"


def empty_profile(baseline: Baseline, start: str, end: str) -> WindowProfile:
    """A profile with zero counts for every monitored feature, shaped by its kind."""
    return WindowProfile(model=baseline.model, start=start, end=end,
                         features={f.name: kind_of(f).empty(f) for f in baseline.monitored()})
