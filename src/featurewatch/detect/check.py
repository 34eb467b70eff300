"""The vocabulary of checks: how one is declared, what it is given, what it returns.

A :class:`Check` names a test, its documented default thresholds and its
function; the feature kinds (:mod:`featurewatch.kinds`) list the checks that
apply to them, so adding a check is one declaration in one kind. A check
function gets one :class:`CheckInput` — the feature's schema, the reference
counts, the window counts and the thresholds already resolved for this check
and feature — and returns :class:`Candidate` effects with their own texts.
:mod:`featurewatch.detect.run` adjusts the p-values of a run together and
turns candidates over their thresholds into findings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from ..baseline.model import FeatureBaseline
from ..profile.model import FeatureProfile
from . import stats

__all__ = ["Check", "CheckInput", "Candidate", "Thresholds", "rate_candidate", "not_enough", "new_values"]


@dataclasses.dataclass(frozen=True)
class Thresholds:
    """One check's settings for one feature (defaults < ``[detect.<check>]`` < the feature's table)."""

    warning: float = 0.0
    critical: float = 1.0
    #: The smallest window denominator tested; below it the check reports "not enough data".
    min_count: int = 0
    #: For rates: the window's rate must also be at least this many times the reference's.
    min_ratio: float = 0.0
    #: For new categories: at least this many new values.
    min_unseen: int = 0


@dataclasses.dataclass(frozen=True)
class CheckInput:
    """What a check sees of one feature: schema, reference counts, window counts, thresholds."""

    feature: FeatureBaseline
    reference: FeatureProfile
    reference_records: int
    window: FeatureProfile
    records: int
    thresholds: Thresholds
    #: A window below ``min_records``: only what small samples can decide is checked (exact tests).
    quiet: bool = False

    @property
    def name(self) -> str:
        return self.feature.name


@dataclasses.dataclass
class Candidate:
    """A measured effect waiting for the run's p-value adjustment and thresholds."""

    check: str
    feature: str | None
    effect_name: str
    effect: float
    p_value: float | None
    #: Extra conditions (minimum ratio, minimum count) that must hold for a finding.
    gate: bool
    baseline: str
    observed: str
    message: str
    baseline_value: float | None = None
    observed_value: float | None = None
    #: Replaces the configured warning threshold (a closed field warns on any significant new value).
    warning: float | None = None
    #: Report as ``info`` when not significant (yet): a fact worth seeing, not an alarm.
    info_when_quiet: bool = False
    #: Not a test but a note (for example "not enough data"): always reported as ``info``.
    note: bool = False
    thresholds: Thresholds = dataclasses.field(default_factory=Thresholds)
    #: What the window was compared with: ``training``, or ``recent`` traffic (``--reference-window``).
    reference: str = "training"
    #: Evidence as data for the finding's JSON (for example ``new_values``).
    evidence: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Check:
    """A check declared once: its name (the DESIGN.md §3 contract), defaults and function."""

    name: str
    #: The test of one feature; None for a check of the whole window (run by :mod:`featurewatch.detect.run`).
    run: Callable[[CheckInput], list[Candidate]] | None
    #: Documented default thresholds; also the settings ``featurewatch.toml`` may override.
    defaults: Mapping[str, Any]
    #: What the effect measures, for people reading the defaults.
    effect: str
    #: Decidable on a small sample (exact tests, or facts): also run in windows below ``min_records``.
    small_samples: bool = False


def new_values(counts: Mapping[str, int], limit: int = 10) -> dict[str, Any]:
    """Evidence of new values: the most frequent with their counts, and how many distinct were seen."""
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return {"new_values": [{"value": value, "count": count} for value, count in top], "new_distinct": len(counts)}


def not_enough(check: str, inp: CheckInput, n: int, what: str) -> Candidate:
    """The ``info`` note of a check whose window denominator is below ``min_count``."""
    return _not_enough(check, inp.name, inp.thresholds, n, what)


def _not_enough(check: str, feature: str | None, thresholds: Thresholds, n: int, what: str) -> Candidate:
    need = thresholds.min_count
    subject = f"{feature}: " if feature else ""
    return Candidate(check=check, feature=feature, effect_name="count", effect=float(n), p_value=None, gate=False,
                     baseline="", observed=f"{n:,} {what}", note=True, baseline_value=float(need),
                     message=f"{subject}not enough data for {check} ({n:,} {what}, need at least {need:,})",
                     thresholds=thresholds)


def rate_candidate(check: str, inp: CheckInput | tuple[str | None, Thresholds], effect_name: str,
                   counts: tuple[int, int, int, int], what: str, *,
                   texts: Callable[[float, float], tuple[str, str, str]], gate: bool = True) -> list[Candidate]:
    """A one-sided two-sample test that the window's rate rose above the reference's.

    ``inp`` is the feature's input, or ``(None, thresholds)`` for a check of
    the whole window; ``counts`` are ``(reference hits, reference total,
    window hits, window total)``; ``texts(reference rate, window rate)`` gives
    the check's own ``(baseline, observed, message)`` texts.
    """
    feature, thresholds = (inp.name, inp.thresholds) if isinstance(inp, CheckInput) else inp
    base_hits, base_total, hits, total = counts
    if total <= 0 or base_total <= 0:
        return []
    if total < thresholds.min_count:
        return [_not_enough(check, feature, thresholds, total, what)]
    base_rate, rate = base_hits / base_total, hits / total
    baseline, observed, message = texts(base_rate, rate)
    return [Candidate(check=check, feature=feature, effect_name=effect_name, effect=rate - base_rate,
                      p_value=stats.rate_increase_pvalue(base_hits, base_total, hits, total),
                      gate=gate and hits > 0 and rate >= thresholds.min_ratio * base_rate,
                      baseline=baseline, observed=observed, message=message, baseline_value=base_rate,
                      observed_value=rate, thresholds=thresholds)]
