"""Every check by name: the kinds' checks and the window's, declared where they live.

A static mapping built from :data:`featurewatch.kinds.KINDS`; nothing
registers itself at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..kinds import KINDS
from .check import Check
from .window_checks import WINDOW_CHECKS as _WINDOW_CHECKS

__all__ = ["CHECKS", "FEATURE_CHECKS", "WINDOW_CHECKS", "DEFAULTS"]


def _feature_checks() -> dict[str, Check]:
    found: dict[str, Check] = {}
    for kind in KINDS.values():
        for check in kind.checks:
            found.setdefault(check.name, check)
    return found


#: Checks run per feature (by the kinds that list them).
FEATURE_CHECKS: Mapping[str, Check] = MappingProxyType(_feature_checks())
#: Checks of the whole window.
WINDOW_CHECKS: Mapping[str, Check] = MappingProxyType({c.name: c for c in _WINDOW_CHECKS})
#: Every check name (the DESIGN.md §3 contract).
CHECKS: tuple[str, ...] = (*FEATURE_CHECKS, *WINDOW_CHECKS)
#: Documented default thresholds per check.
DEFAULTS: Mapping[str, Mapping[str, object]] = MappingProxyType(
    {name: MappingProxyType(dict(check.defaults)) for name, check in {**FEATURE_CHECKS, **WINDOW_CHECKS}.items()})
