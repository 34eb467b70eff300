"""Detection: compare a window profile with a baseline and report findings.

Python API::

    from featurewatch.baseline import load_baseline
    from featurewatch.profile import LocalSource
    from featurewatch.detect import run_detection, DetectConfig

    report = run_detection(load_baseline("baseline.json"), LocalSource("logs"), start, end,
                           DetectConfig.from_table(settings.detect))
    report.findings   # worst first; report.to_json() is `detect --format json`

Names are imported on first use: the kinds (:mod:`featurewatch.kinds`) build
on this package's check vocabulary, and detection builds on the kinds.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import CHECKS, DEFAULTS, DetectConfig
    from .report import SEVERITIES, Finding, Report, Severity, finding_id, severity_rank
    from .run import detect_profile, run_detection

__all__ = ["run_detection", "detect_profile", "DetectConfig", "Finding", "Report", "CHECKS", "DEFAULTS",
           "Severity", "SEVERITIES", "finding_id", "severity_rank"]

_LAZY = {"CHECKS": ".config", "DEFAULTS": ".config", "DetectConfig": ".config", "SEVERITIES": ".report",
         "Finding": ".report", "Report": ".report", "Severity": ".report", "finding_id": ".report",
         "severity_rank": ".report", "detect_profile": ".run", "run_detection": ".run"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
