"""Detection: baseline + window profile → findings and metrics.

Every window is compared with the training data (the baseline's reference
profile). Optionally it is also compared with recent traffic (a reference
window from the same source, counted on the same schema): those findings say
``reference: "recent"`` and report *sudden* changes, which a slowly drifting
input does not raise. A window below ``min_records`` is *quiet*: only the
checks small samples can decide run (exact tests and facts).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any

from ..baseline.model import PREDICTION, Baseline
from ..errors import BaselineError, ConfigError
from ..kinds import kind_of
from ..profile import ProfileSource
from ..profile.model import FeatureProfile, WindowProfile
from ..record import format_timestamp
from . import stats
from .check import Candidate, CheckInput, Thresholds
from .config import DetectConfig
from .metrics import window_metrics
from .report import Finding, Report, Severity
from .text import pvalue, why
from .window_checks import error_rate, new_feature, unexpected_version, unreadable_records

__all__ = ["detect_profile", "run_detection"]

RECENT = "recent"


def run_detection(baseline: Baseline, source: ProfileSource, start: _dt.datetime, end: _dt.datetime,
                  config: DetectConfig | None = None, *, reference_window: _dt.timedelta | None = None,
                  min_records: int | None = None, max_lookback: _dt.timedelta | None = None) -> Report:
    """Profile ``[start, end)`` with ``source`` and run every check against ``baseline``.

    ``source`` is anything with ``profile(baseline, start, end)``: the local
    files (:class:`featurewatch.profile.LocalSource`) or an Elasticsearch
    source. With ``reference_window``, the span just before the window is
    profiled from the same source and compared with it too. With
    ``min_records`` and ``max_lookback``, a window holding fewer records is
    widened back in time, one window length at a time, until it holds enough
    or reaches ``max_lookback`` before its start; the report keeps the
    window's own bounds (reruns still replace it) and says how far it reached.
    """
    if end <= start:
        raise ConfigError(f"window end {end.isoformat()} is not after its start {start.isoformat()}")
    profile = source.profile(baseline, start, end)
    notes = list(getattr(source, "notes", []))
    if min_records and max_lookback and profile.records < min_records:
        profile, note = _widen(baseline, source, start, end, profile, min_records, max_lookback)
        notes.append(note)
    reference = None
    if reference_window is not None:
        reference = source.profile(baseline, start - reference_window, start)
        notes += [n for n in getattr(source, "notes", []) if n not in notes]
    report = detect_profile(baseline, profile, config, reference=reference)
    report.notes = notes + report.notes
    return report


def _widen(baseline: Baseline, source: ProfileSource, start: _dt.datetime, end: _dt.datetime,
           profile: WindowProfile, min_records: int, max_lookback: _dt.timedelta) -> tuple[WindowProfile, str]:
    """The profile of a quiet window widened back until it holds ``min_records`` (or the lookback ends)."""
    step, reach = end - start, start
    while profile.records < min_records and start - (reach - step) <= max_lookback:
        reach -= step
        profile = source.profile(baseline, reach, end)
    # The report keeps the window's own start, so a rerun replaces the same window.
    widened = dataclasses.replace(profile, start=format_timestamp(start))
    return widened, (f"the window held fewer than {min_records:,} records: counted {profile.records:,} records "
                     f"from {format_timestamp(reach)} to its end (up to {max_lookback} back)")


def detect_profile(baseline: Baseline, profile: WindowProfile, config: DetectConfig | None = None, *,
                   reference: WindowProfile | None = None) -> Report:
    """Run every check on ``profile`` (against training, and ``reference`` when given); findings worst first."""
    config = config or DetectConfig()
    if profile.model != baseline.model:
        raise BaselineError(f"the profile is of model {profile.model!r}, the baseline of {baseline.model!r}")
    training = _inputs(baseline, profile, baseline.reference_profile(), config)
    report = Report(model=baseline.model, start=profile.start, end=profile.end, records=profile.records,
                    findings=[], unreadable_lines=profile.unreadable, unreadable_files=list(profile.unreadable_files))
    candidates = _window_candidates(baseline, profile, config)
    if profile.records == 0:
        if config.enabled("no_data"):
            report.findings.append(_no_data(baseline, profile, config))
    else:
        quiet = profile.records < config.min_records
        if quiet and config.enabled("no_data"):
            report.findings.append(Finding(
                check="no_data", feature=None, severity=Severity.INFO, statistic=float(profile.records),
                threshold=float(config.min_records), baseline="", observed=f"{profile.records:,} records",
                message=(f"only {profile.records:,} records in the window: not enough data for the statistical "
                         f"checks (they need at least {config.min_records:,}); only what a small sample can decide "
                         f"was checked (features gone, type changes, new values of closed fields, versions, new "
                         f"fields, errors)"),
                effect="records", observed_value=float(profile.records)))
        candidates += _feature_candidates(training, config, quiet)
        if reference is not None and reference.records and not quiet:
            recent = _inputs(baseline, profile, reference, config)
            for candidate in _feature_candidates(recent, config, quiet=reference.records < config.min_records):
                candidate.message = f"sudden change against {_span(reference)}: {candidate.message}"
                candidate.reference = RECENT
                candidates.append(candidate)
    effects = {(c.feature or "", c.check): c.effect for c in candidates if not c.note and c.reference == "training"}
    report.metrics = window_metrics(training, effects, model=baseline.model, start=profile.start, end=profile.end)
    report.findings = sorted(report.findings + _resolve(candidates, config.alpha), key=_order)
    return report


def _span(reference: WindowProfile) -> str:
    return f"recent traffic ({reference.start} – {reference.end})"


def _inputs(baseline: Baseline, profile: WindowProfile, reference: WindowProfile,
            config: DetectConfig) -> list[CheckInput]:
    """One input per monitored feature (thresholds are resolved per check when it runs)."""
    return [CheckInput(feature=f, reference=reference.features.get(f.name) or FeatureProfile(),
                       reference_records=reference.records, window=profile.feature(f.name),
                       records=profile.records, thresholds=Thresholds())
            for f in baseline.monitored() if config.features.get(f.name, {}).get("enabled") is not False]


def _feature_candidates(inputs: list[CheckInput], config: DetectConfig, quiet: bool) -> list[Candidate]:
    """Every enabled check of each feature's kind (in a quiet window, those small samples can decide)."""
    out: list[Candidate] = []
    for inp in inputs:
        for check in kind_of(inp.feature).checks:
            if check.run is None or (quiet and not check.small_samples) or not config.enabled(check.name, inp.name):
                continue
            thresholds = config.thresholds(check.name, inp.name)
            if quiet:
                thresholds = dataclasses.replace(thresholds, min_count=0)  # exact tests decide small samples
            out.extend(check.run(dataclasses.replace(inp, thresholds=thresholds, quiet=quiet)))
    return out


def _window_candidates(baseline: Baseline, profile: WindowProfile, config: DetectConfig) -> list[Candidate]:
    """The checks of the whole window (all decidable on small samples)."""
    out: list[Candidate] = []
    if config.enabled("unexpected_version"):
        for candidate in unexpected_version(baseline.versions, profile):
            candidate.thresholds = config.thresholds("unexpected_version")
            out.append(candidate)
    if config.enabled("new_feature"):
        out += new_feature(baseline.known_names(), profile, config.thresholds("new_feature"))
    if config.enabled("error_rate"):
        thresholds = config.thresholds("error_rate")
        if profile.records < config.min_records:
            thresholds = dataclasses.replace(thresholds, min_count=0)
        out += error_rate(baseline.errors, baseline.rows, profile, thresholds)
    if config.enabled("unreadable_records"):
        out += unreadable_records(profile, config.thresholds("unreadable_records"))
    return out


def _no_data(baseline: Baseline, profile: WindowProfile, config: DetectConfig) -> Finding:
    message = f"no records of model {baseline.model!r} between {profile.start} and {profile.end}"
    others = profile.other_models
    if others:
        named = ", ".join(f"{m!r} ({c:,})" for m, c in sorted(others.items(), key=lambda mc: -mc[1])[:5])
        message += f"; the window holds records of other models: {named} — is this the right baseline?"
    return Finding(check="no_data", feature=None, severity=config.severity("no_data"), statistic=0.0, threshold=1.0,
                   baseline=f"{baseline.rows:,} training rows", observed="0 records", message=message,
                   effect="records", baseline_value=None, observed_value=0.0)


def _finding(candidate: Candidate, severity: Severity, threshold: float | None, message: str,
             q: float | None) -> Finding:
    return Finding(check=candidate.check, feature=candidate.feature, severity=severity, statistic=candidate.effect,
                   threshold=threshold, baseline=candidate.baseline, observed=candidate.observed, message=message,
                   p_value=q, effect=candidate.effect_name, baseline_value=candidate.baseline_value,
                   observed_value=candidate.observed_value, reference=candidate.reference,
                   evidence=dict(candidate.evidence))


def _resolve(candidates: list[Candidate], alpha: float) -> list[Finding]:
    """Adjust all p-values together (Benjamini–Hochberg), apply thresholds."""
    findings = []
    tested = [c for c in candidates if not c.note and c.p_value is not None]
    adjusted = dict(zip(map(id, tested), stats.benjamini_hochberg([c.p_value or 0.0 for c in tested])))
    for candidate in candidates:
        if candidate.note:
            threshold = candidate.baseline_value if candidate.effect_name == "count" else candidate.thresholds.warning
            findings.append(_finding(candidate, Severity.INFO, threshold, candidate.message, None))
            continue
        q = adjusted.get(id(candidate))
        if q is not None and q > alpha:
            if candidate.info_when_quiet and candidate.observed_value:
                findings.append(_finding(candidate, Severity.INFO, None,
                                         f"{candidate.message} — not yet more than chance ({pvalue(q)})", q))
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
        reason = why(candidate.effect_name, candidate.effect, threshold, severity, q, candidate.reference)
        findings.append(_finding(candidate, severity, threshold, f"{candidate.message} — {reason}", q))
    return findings


def _order(finding: Finding) -> tuple[Any, ...]:
    """Worst first; within a severity, input features before the prediction they affect, largest effect first."""
    return (-finding.severity.rank, finding.feature == PREDICTION,
            -(finding.statistic or 0.0) if finding.severity != Severity.INFO else 0.0,
            finding.check, finding.feature or "", finding.reference)
