"""Detection: compare a window profile with a baseline and report findings.

Python API::

    from featurewatch.baseline import load_baseline
    from featurewatch.profile import LocalSource
    from featurewatch.detect import run_detection, DetectConfig

    report = run_detection(load_baseline("baseline.json"), LocalSource("logs"), start, end,
                           DetectConfig.from_table(settings.detect))
    report.findings   # worst first; report.to_json() is `detect --format json`
"""

from __future__ import annotations

from .config import CHECKS, DEFAULTS, DetectConfig
from .report import SEVERITIES, Finding, Report, finding_id, severity_rank
from .run import detect_profile, run_detection

__all__ = ["run_detection", "detect_profile", "DetectConfig", "Finding", "Report", "CHECKS", "DEFAULTS",
           "SEVERITIES", "finding_id", "severity_rank"]
