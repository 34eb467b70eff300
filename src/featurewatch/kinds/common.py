"""Checks every kind has: a feature gone missing, nulls rising, values of the wrong JSON type.

Their counts (``present``, ``nulls``, ``violations``) are counted by each
source for every feature alike; the kinds only decide what a violation is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..baseline.model import PREDICTION
from ..detect.check import Candidate, Check, CheckInput, rate_candidate
from ..detect.text import percent

__all__ = ["VANISHED_FEATURE", "NA_SPIKE", "type_mismatch_check", "CHECKS"]


def vanished_feature(inp: CheckInput) -> list[Candidate]:
    """More records lack the feature (key absent) than in the reference."""
    f, ref, w = inp.feature, inp.reference, inp.window
    if f.name == PREDICTION or inp.reference_records == 0:
        return []
    counts = (inp.reference_records - ref.present, inp.reference_records, inp.records - w.present, inp.records)

    def texts(base_rate: float, rate: float) -> tuple[str, str, str]:
        if w.present == 0:
            message = (f"{f.name} is missing from all {inp.records:,} records "
                       f"(present in {percent(1 - base_rate)} of training)")
        else:
            message = (f"{f.name} is missing from {percent(rate)} of records ({counts[2]:,} of {inp.records:,}); "
                       f"training: missing from {percent(base_rate)}")
        return (f"present in {percent(1 - base_rate)}",
                f"present in {percent(1 - rate)} ({w.present:,} of {inp.records:,})", message)
    return rate_candidate("vanished_feature", inp, "absent_rate_increase", counts, "records", texts=texts)


def na_spike(inp: CheckInput) -> list[Candidate]:
    """More of the present values are null than in the reference."""
    f, ref, w = inp.feature, inp.reference, inp.window

    def texts(base_rate: float, rate: float) -> tuple[str, str, str]:
        return (f"{percent(base_rate)} null", f"{percent(rate)} null ({w.nulls:,} of {w.present:,})",
                f"{f.name} is null in {percent(rate)} of records that carry it ({w.nulls:,} of {w.present:,}); "
                f"training: {percent(base_rate)}")
    return rate_candidate("na_spike", inp, "rate_increase", (ref.nulls, ref.present, w.nulls, w.present),
                          "present values", texts=texts)


def type_mismatch_check(expected: str) -> Check:
    """The type check of a kind whose accepted JSON types are described by ``expected``."""
    def type_mismatch(inp: CheckInput) -> list[Candidate]:
        """More values have a JSON type the feature's kind does not accept than in the reference."""
        f, ref, w = inp.feature, inp.reference, inp.window

        shown = violation_examples(w.violation_examples)
        seen = "; e.g. " + ", ".join(_example_text(e) for e in shown[:3]) if shown else ""

        def texts(base_rate: float, rate: float) -> tuple[str, str, str]:
            return (percent(base_rate), f"{percent(rate)} ({w.violations:,} of {w.values:,})",
                    f"{f.name} expects {expected}, but {w.violations:,} of {w.values:,} values ({percent(rate)}) "
                    f"have another JSON type{seen}; training: {percent(base_rate)}")
        result = rate_candidate("type_mismatch", inp, "rate_increase",
                                (ref.violations, ref.values, w.violations, w.values), "values", texts=texts)
        for item in result:
            if shown:
                item.evidence = {"examples": shown}
        return result
    return Check("type_mismatch", type_mismatch, TYPE_MISMATCH_DEFAULTS,
                 "increase of the share of values of the wrong JSON type", small_samples=True)


def violation_examples(counts: Mapping[str, int], limit: int = 5) -> list[dict[str, Any]]:
    """Evidence of type violations: the most frequent values with their JSON types and counts.

    Objects and arrays are shown by type alone (``value`` None): their
    contents are never indexed, so no source can show them alike.
    """
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    out = []
    for key, count in top:
        kind, _, value = key.partition(":")
        out.append({"value": value if _ else None, "type": kind, "count": count})
    return out


def _example_text(example: Mapping[str, Any]) -> str:
    value, kind, count = example["value"], example["type"], example["count"]
    shown = f'"{value[:40]}"' if kind == "string" else (f"an {kind}" if value is None else value)
    return f"{shown} ({kind}) ×{count:,}" if value is not None else f"{shown} ×{count:,}"


VANISHED_FEATURE = Check("vanished_feature", vanished_feature, {"warning": 0.05, "critical": 0.5, "min_count": 50},
                         "drop of the share of records carrying the feature (absolute)", small_samples=True)
NA_SPIKE = Check("na_spike", na_spike, {"warning": 0.05, "critical": 0.2, "min_ratio": 1.5, "min_count": 50},
                 "increase of the null share among present values (absolute)")
TYPE_MISMATCH_DEFAULTS = {"warning": 0.001, "critical": 0.05, "min_ratio": 2.0, "min_count": 50}
#: The presence and null checks, which every kind has.
CHECKS = (VANISHED_FEATURE, NA_SPIKE)
