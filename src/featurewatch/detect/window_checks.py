"""Checks of the whole window rather than one feature: unexpected model versions, fields the
baseline does not know, failed model calls, lines that are not records, no data.

All of them count facts small windows can decide (exact tests or no test at
all), so they run in quiet windows too.
"""

from __future__ import annotations

from ..profile.model import WindowProfile
from .check import Candidate, Check, Thresholds, rate_candidate
from .text import percent

__all__ = ["UNEXPECTED_VERSION", "NEW_FEATURE", "ERROR_RATE", "UNREADABLE_RECORDS", "NO_DATA", "WINDOW_CHECKS",
           "unexpected_version", "new_feature", "error_rate", "unreadable_records", "version_examples"]

#: New feature names reported per window (the most frequent).
NEW_FEATURES_SHOWN = 20


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


def new_feature(known: set[str], profile: WindowProfile, thresholds: Thresholds) -> list[Candidate]:
    """Fields present in traffic that the baseline never had: ``info`` when first seen, ``warning`` above a share."""
    found = sorted(((n, c) for n, c in profile.new_features.items() if n not in known), key=lambda nc: (-nc[1], nc[0]))
    out = []
    for name, count in found[:NEW_FEATURES_SHOWN]:
        share = count / profile.records if profile.records else 0.0
        candidate = Candidate(
            check="new_feature", feature=name, effect_name="share", effect=share, p_value=None, gate=True,
            baseline="not in the baseline", observed=f"in {percent(share)} of records ({count:,})",
            message=(f"{name} is in {percent(share)} of records ({count:,} of {profile.records:,}) but not in the "
                     f"baseline: a new field upstream? Rebuild the baseline to watch it, or exclude it"),
            baseline_value=0.0, observed_value=share, thresholds=thresholds)
        candidate.note = share < thresholds.warning
        out.append(candidate)
    return out


def error_rate(errors: int, reference_records: int, profile: WindowProfile, thresholds: Thresholds) -> list[Candidate]:
    """More model calls failed than in the reference (usually none), naming the top errors."""
    if profile.records == 0 or profile.errors == 0:
        return []
    top = version_examples(profile.error_types) or "no error type"
    messages = version_examples(profile.error_messages, 2)

    def texts(base_rate: float, rate: float) -> tuple[str, str, str]:
        return (f"{percent(base_rate)} errors", f"{percent(rate)} errors ({profile.errors:,}): {top}",
                f"{percent(rate)} of model calls failed ({profile.errors:,} of {profile.records:,}; reference "
                f"{percent(base_rate)}): {top}" + (f"; messages: {messages}" if messages else ""))
    return rate_candidate("error_rate", (None, thresholds), "rate_increase",
                          (errors, reference_records, profile.errors, profile.records), "records", texts=texts)


def unreadable_records(profile: WindowProfile, thresholds: Thresholds) -> list[Candidate]:
    """Lines of the window's files that are not records, and files that could not be read."""
    lines, files = profile.unreadable, profile.unreadable_files
    if not lines and not files:
        return []
    share = lines / (lines + profile.records) if lines else 0.0
    # An unreadable file may hold any number of records: at least a warning, critical when nothing was read.
    effect = max(share, (1.0 if not profile.records else thresholds.warning) if files else 0.0)
    named = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    message = (f"{lines:,} line(s) in the window's log files are not featurewatch records "
               f"({percent(share)} of lines read)") if lines else ""
    if files:
        message += ("; " if message else "") + f"{len(files)} file(s) could not be read: {named}"
    return [Candidate(check="unreadable_records", feature=None, effect_name="share", effect=effect, p_value=None,
                      gate=True, baseline="0 unreadable", observed=f"{lines:,} lines, {len(files)} files",
                      message=message, baseline_value=0.0, observed_value=effect, thresholds=thresholds,
                      note=effect < thresholds.warning)]


UNEXPECTED_VERSION = Check("unexpected_version", None, {"warning": 0.0, "critical": 0.5},
                           "share of records with a model version the baseline does not list")
NEW_FEATURE = Check("new_feature", None, {"warning": 0.01, "critical": 2.0},
                    "share of records carrying a field the baseline does not know (never critical by default)")
ERROR_RATE = Check("error_rate", None,
                   {"warning": 0.01, "critical": 0.1, "min_ratio": 2.0, "min_count": 20},
                   "increase of the share of records whose model call failed")
UNREADABLE_RECORDS = Check("unreadable_records", None, {"warning": 0.001, "critical": 0.1},
                           "share of lines in the window's files that are not records (1 when files are unreadable "
                           "and nothing else was read)")
NO_DATA = Check("no_data", None, {"severity": "warning"}, "severity of an empty window")
#: The window's checks, in report order.
WINDOW_CHECKS = (UNEXPECTED_VERSION, NEW_FEATURE, ERROR_RATE, UNREADABLE_RECORDS, NO_DATA)
