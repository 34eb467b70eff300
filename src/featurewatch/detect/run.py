"""Detection: baseline + window profile → findings and metrics."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..baseline.model import Baseline
from ..errors import BaselineError, ConfigError
from ..profile import ProfileSource
from ..profile.model import WindowProfile
from . import checks, stats
from .config import DetectConfig
from .metrics import window_metrics
from .report import Finding, Report, severity_rank
from .text import pvalue

__all__ = ["detect_profile", "run_detection"]


def run_detection(baseline: Baseline, source: ProfileSource, start: _dt.datetime, end: _dt.datetime,
                  config: DetectConfig | None = None) -> Report:
    """Profile ``[start, end)`` with ``source`` and run every check against ``baseline``.

    ``source`` is anything with ``profile(baseline, start, end)``: the local
    files (:class:`featurewatch.profile.LocalSource`) or an Elasticsearch source.
    """
    if end <= start:
        raise ConfigError(f"window end {end.isoformat()} is not after its start {start.isoformat()}")
    profile = source.profile(baseline, start, end)
    report = detect_profile(baseline, profile, config)
    report.notes = list(getattr(source, "notes", []))
    return report


def detect_profile(baseline: Baseline, profile: WindowProfile, config: DetectConfig | None = None) -> Report:
    """Run every check on ``profile``; findings come worst first."""
    config = config or DetectConfig()
    if profile.model != baseline.model:
        raise BaselineError(f"the profile is of model {profile.model!r}, the baseline of {baseline.model!r}")
    metrics = window_metrics(baseline, profile)
    report = Report(model=baseline.model, start=profile.start, end=profile.end, records=profile.records,
                    findings=[], metrics=metrics)
    if profile.records == 0:
        if config.enabled("no_data"):
            severity = str(config.get("no_data", "severity", None, "warning"))
            report.findings.append(Finding(
                check="no_data", feature=None, severity=severity, statistic=0.0, threshold=1.0,
                baseline=f"{baseline.rows:,} training rows", observed="0 records",
                message=f"no records of model {baseline.model!r} between {profile.start} and {profile.end}",
                effect="records", baseline_value=None, observed_value=0.0))
        return report
    results: list[checks.Candidate | Finding] = []
    if config.enabled("unexpected_version"):
        results.extend(checks.unexpected_version(baseline.versions, profile))
    if profile.records < config.min_records:
        if config.enabled("no_data"):
            results.append(Finding(
                check="no_data", feature=None, severity="info", statistic=float(profile.records),
                threshold=float(config.min_records), baseline="", observed=f"{profile.records:,} records",
                message=(f"only {profile.records:,} records in the window (statistical checks need at least "
                         f"{config.min_records:,}); not enough data"),
                effect="records", observed_value=float(profile.records)))
    else:
        for feature in baseline.monitored():
            if config.features.get(feature.name, {}).get("enabled") is False:
                continue
            results.extend(checks.check_feature(feature, profile, config))
    report.findings = _resolve(results, config)
    return report


def _quiet(candidate: checks.Candidate, q: float) -> Finding:
    """An ``info`` finding for a candidate that is not significant yet (see ``info_when_quiet``)."""
    return Finding(check=candidate.check, feature=candidate.feature, severity="info", statistic=candidate.effect,
                   threshold=None, baseline=candidate.baseline, observed=candidate.observed,
                   message=f"{candidate.message} [not yet more than chance: {pvalue(q)}]", p_value=q,
                   effect=candidate.effect_name, baseline_value=candidate.baseline_value,
                   observed_value=candidate.observed_value)


def _resolve(results: list[checks.Candidate | Finding], config: DetectConfig) -> list[Finding]:
    """Adjust all p-values together (Benjamini–Hochberg), apply thresholds, sort worst first."""
    candidates = [r for r in results if isinstance(r, checks.Candidate)]
    findings = [r for r in results if isinstance(r, Finding)]
    tested = [c for c in candidates if c.p_value is not None]
    adjusted = dict(zip(map(id, tested), stats.benjamini_hochberg([c.p_value for c in tested])))  # type: ignore[misc]
    for candidate in candidates:
        q = adjusted.get(id(candidate))
        if q is not None and q > config.alpha:
            if candidate.info_when_quiet and candidate.observed_value:
                findings.append(_quiet(candidate, q))
            continue
        if not candidate.gate:
            continue
        critical = float(config.get(candidate.check, "critical", candidate.feature, 1.0))
        warning = float(config.get(candidate.check, "warning", candidate.feature, 0.0))
        if candidate.warning is not None:
            warning = candidate.warning
        if candidate.effect >= critical:
            severity, threshold = "critical", critical
        elif candidate.effect >= warning and candidate.effect > 0:
            severity, threshold = "warning", warning
        else:
            continue
        evidence = f" [{candidate.effect_name} {candidate.effect:.3g} ≥ {threshold:g}"
        evidence += f", {pvalue(q)}]" if q is not None else "]"
        findings.append(Finding(check=candidate.check, feature=candidate.feature, severity=severity,
                                statistic=candidate.effect, threshold=threshold, baseline=candidate.baseline,
                                observed=candidate.observed, message=candidate.message + evidence, p_value=q,
                                effect=candidate.effect_name, baseline_value=candidate.baseline_value,
                                observed_value=candidate.observed_value))
    return sorted(findings, key=_order)


def _order(finding: Finding) -> tuple[Any, ...]:
    return (-severity_rank(finding.severity), -(finding.statistic or 0.0) if finding.severity != "info" else 0.0,
            finding.check, finding.feature or "")
