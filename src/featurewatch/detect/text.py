"""Formatting numbers and rates for findings: short, readable at a glance."""

from __future__ import annotations

import math

__all__ = ["number", "percent", "pvalue"]


def number(value: float | None) -> str:
    """``1234.5`` → ``"1,234.5"``; large or tiny values in scientific form."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if magnitude >= 1e7 or magnitude < 1e-3:
        return f"{value:.3g}"
    if float(value).is_integer():
        return f"{int(value):,}"
    digits = max(0, 4 - math.floor(math.log10(magnitude)) - 1)
    return f"{value:,.{digits}f}".rstrip("0").rstrip(".")


def percent(rate: float) -> str:
    """A rate as a percentage with sensible precision (``0.0123`` → ``"1.2%"``)."""
    value = 100 * rate
    if value == 0:
        return "0%"
    if abs(value) < 0.1:
        return f"{value:.2g}%"
    return f"{value:.1f}%"


def pvalue(p: float | None) -> str:
    if p is None:
        return ""
    return "p<1e-300" if p < 1e-300 else f"p={p:.2g}"


def why(effect_name: str, effect: float, threshold: float, severity: str, q: float | None,
        reference: str = "training") -> str:
    """Why a finding has its severity, in words: the measure, the level it reached, and chance ruled out."""
    def points(rate: float) -> str:
        return percent(rate).replace("%", " points")

    def level(shown: str) -> str:
        return f"at least {shown}" if threshold > 0 else "any rise alarms for this check"

    compared = "training" if reference == "training" else f"{reference} traffic"
    if effect_name == "js_distance":
        measured = f"the Jensen–Shannon distance {effect:.2f} is {level(f'{threshold:g}')}"
    elif effect_name == "absent_rate_increase":
        measured = f"{points(effect)} more of the records lack it than in {compared}, {level(points(threshold))}"
    elif effect_name == "rate_increase":
        measured = f"the share is {points(effect)} above the expected one, {level(points(threshold))}"
    elif effect_name == "share":
        measured = f"its share {percent(effect)} is " + (f"at least {percent(threshold)}" if threshold > 0
                                                         else "more than none, which alarms for this check")
    else:
        measured = f"{effect_name} {effect:.3g} is {level(f'{threshold:g}')}"
    chance = f"; not chance ({pvalue(q)}, corrected for all checks of the window)" if q is not None else ""
    return f"{severity} because {measured}{chance}"
