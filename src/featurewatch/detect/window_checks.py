"""Checks of the whole window rather than one feature: unexpected model versions, no data."""

from __future__ import annotations

from ..profile.model import WindowProfile
from .check import Candidate, Check, CheckInput
from .text import percent

__all__ = ["UNEXPECTED_VERSION", "NO_DATA", "unexpected_version", "version_examples"]


def version_examples(counts: dict[str, int], limit: int = 3) -> str:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return ", ".join(f"{key[:40]!r} ×{count:,}" for key, count in items)


def unexpected_version(expected: list[str], profile: WindowProfile) -> list[Candidate]:
    """Records whose model version the baseline does not list (a fact, not a sample: no test)."""
    if not expected or profile.records == 0:
        return []
    allowed = set(expected)
    unexpected = {v: c for v, c in profile.versions.items() if v not in allowed}
    count = sum(unexpected.values())
    if count == 0:
        return []
    share = count / profile.records
    return [Candidate(check="unexpected_version", feature="model_version", effect_name="share", effect=share,
                      p_value=None, gate=True, baseline=", ".join(expected),
                      observed=f"{version_examples(unexpected)} ({percent(share)})",
                      message=(f"{count:,} of {profile.records:,} records ({percent(share)}) come from model "
                               f"version(s) the baseline does not expect: {version_examples(unexpected)}; "
                               f"expected {', '.join(expected)}"),
                      baseline_value=0.0, observed_value=share)]


def _per_feature_never(inp: CheckInput) -> list[Candidate]:
    return []  # window checks are run by detect.run on the whole profile, never per feature


UNEXPECTED_VERSION = Check("unexpected_version", _per_feature_never, {"warning": 0.0, "critical": 0.5},
                           "share of records with a model version the baseline does not list")
NO_DATA = Check("no_data", _per_feature_never, {"severity": "warning"}, "severity of an empty window")
