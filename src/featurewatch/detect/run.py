"""Detection: baseline + window profile → findings and metrics."""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any

from ..baseline.model import Baseline
from ..errors import BaselineError, ConfigError
from ..kinds import kind_of
from ..profile import ProfileSource
from ..profile.model import FeatureProfile, WindowProfile
from . import stats
from .check import Candidate, CheckInput
from .config import DetectConfig
from .metrics import window_metrics
from .report import Finding, Report, Severity
from .text import pvalue
from .window_checks import unexpected_version

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


def _inputs(baseline: Baseline, profile: WindowProfile, reference: WindowProfile,
            config: DetectConfig) -> list[CheckInput]:
    """One input per monitored feature (thresholds resolved later, per check)."""
    return [CheckInput(feature=f, reference=reference.features.get(f.name) or FeatureProfile(),
                       reference_records=reference.records, window=profile.feature(f.name),
                       records=profile.records, thresholds=config.thresholds(""))
            for f in baseline.monitored() if config.features.get(f.name, {}).get("enabled") is not False]


def detect_profile(baseline: Baseline, profile: WindowProfile, config: DetectConfig | None = None) -> Report:
    """Run every check on ``profile`` against the training data; findings come worst first."""
    config = config or DetectConfig()
    if profile.model != baseline.model:
        raise BaselineError(f"the profile is of model {profile.model!r}, the baseline of {baseline.model!r}")
    inputs = _inputs(baseline, profile, baseline.reference_profile(), config)
    candidates: list[Candidate] = []
    report = Report(model=baseline.model, start=profile.start, end=profile.end, records=profile.records,
                    findings=[])
    if profile.records == 0:
        if config.enabled("no_data"):
            report.findings.append(Finding(
                check="no_data", feature=None, severity=config.severity("no_data"), statistic=0.0, threshold=1.0,
                baseline=f"{baseline.rows:,} training rows", observed="0 records",
                message=f"no records of model {baseline.model!r} between {profile.start} and {profile.end}",
                effect="records", baseline_value=None, observed_value=0.0))
    else:
        if config.enabled("unexpected_version"):
            for candidate in unexpected_version(baseline.versions, profile):
                candidate.thresholds = config.thresholds("unexpected_version")
                candidates.append(candidate)
        if profile.records < config.min_records:
            if config.enabled("no_data"):
                report.findings.append(Finding(
                    check="no_data", feature=None, severity=Severity.INFO, statistic=float(profile.records),
                    threshold=float(config.min_records), baseline="", observed=f"{profile.records:,} records",
                    message=(f"only {profile.records:,} records in the window (statistical checks need at least "
                             f"{config.min_records:,}); not enough data"),
                    effect="records", observed_value=float(profile.records)))
        else:
            for inp in inputs:
                for check in kind_of(inp.feature).checks:
                    if config.enabled(check.name, inp.name):
                        resolved = dataclasses.replace(inp, thresholds=config.thresholds(check.name, inp.name))
                        candidates.extend(check.run(resolved))
    effects = {(c.feature or "", c.check): c.effect for c in candidates if not c.note}
    report.metrics = window_metrics(inputs, effects, model=baseline.model, start=profile.start, end=profile.end)
    report.findings = sorted(report.findings + _resolve(candidates, config.alpha), key=_order)
    return report


def _quiet(candidate: Candidate, q: float) -> Finding:
    """An ``info`` finding for a candidate that is not significant yet (see ``info_when_quiet``)."""
    return Finding(check=candidate.check, feature=candidate.feature, severity=Severity.INFO,
                   statistic=candidate.effect, threshold=None, baseline=candidate.baseline,
                   observed=candidate.observed, message=f"{candidate.message} [not yet more than chance: {pvalue(q)}]",
                   p_value=q, effect=candidate.effect_name, baseline_value=candidate.baseline_value,
                   observed_value=candidate.observed_value)


def _note(candidate: Candidate) -> Finding:
    return Finding(check=candidate.check, feature=candidate.feature, severity=Severity.INFO,
                   statistic=candidate.effect, threshold=candidate.baseline_value, baseline=candidate.baseline,
                   observed=candidate.observed, message=candidate.message, effect=candidate.effect_name)


def _resolve(candidates: list[Candidate], alpha: float) -> list[Finding]:
    """Adjust all p-values together (Benjamini–Hochberg), apply thresholds."""
    findings = [_note(c) for c in candidates if c.note]
    tested = [c for c in candidates if not c.note and c.p_value is not None]
    adjusted = dict(zip(map(id, tested), stats.benjamini_hochberg([c.p_value or 0.0 for c in tested])))
    for candidate in candidates:
        if candidate.note:
            continue
        q = adjusted.get(id(candidate))
        if q is not None and q > alpha:
            if candidate.info_when_quiet and candidate.observed_value:
                findings.append(_quiet(candidate, q))
            continue
        if not candidate.gate:
            continue
        critical = candidate.thresholds.critical
        warning = candidate.thresholds.warning if candidate.warning is None else candidate.warning
        if candidate.effect >= critical:
            severity, threshold = Severity.CRITICAL, critical
        elif candidate.effect >= warning and candidate.effect > 0:
            severity, threshold = Severity.WARNING, warning
        else:
            continue
        evidence = f" [{candidate.effect_name} {candidate.effect:.3g} ≥ {threshold:g}"
        evidence += f", {pvalue(q)}]" if q is not None else "]"
        findings.append(Finding(check=candidate.check, feature=candidate.feature, severity=severity,
                                statistic=candidate.effect, threshold=threshold, baseline=candidate.baseline,
                                observed=candidate.observed, message=candidate.message + evidence, p_value=q,
                                effect=candidate.effect_name, baseline_value=candidate.baseline_value,
                                observed_value=candidate.observed_value))
    return findings


def _order(finding: Finding) -> tuple[Any, ...]:
    return (-finding.severity.rank, -(finding.statistic or 0.0) if finding.severity != Severity.INFO else 0.0,
            finding.check, finding.feature or "")
