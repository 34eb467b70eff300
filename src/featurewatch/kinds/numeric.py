"""Numeric features: quantile bins learnt from training, counted on the same edges everywhere.

Counting rule: ``bins[i]`` counts the numbers in bin ``i`` of the edges
``e1..ek`` — ``(-inf, e1), [e1, e2), ..., [ek, inf)``, lower edge inclusive —
plus min, max and sum of the same numbers. Anything but a JSON number
(strings such as ``"12"``, booleans, objects, arrays) is a type violation.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..baseline.model import NUMERIC, FeatureBaseline
from ..detect import stats
from ..detect.check import Candidate, Check, CheckInput, not_enough, rate_candidate
from ..detect.text import number, percent
from ..profile.model import FeatureProfile
from ..values import is_number
from . import common
from ._kind import Kind, count_violations

if TYPE_CHECKING:
    import pyarrow as pa

    from ._kind import Values

__all__ = ["NumericKind", "KIND", "MAX_BINS", "learn_edges", "range_buckets"]

#: At most this many quantile bins inside the training range (one bin per value when there are no more
#: distinct values than this).
MAX_BINS = 20
#: Quantile bins learnt inside the training range.
BINS = 10
_NUMBERS_ONLY = frozenset({"number"})


def learn_edges(numbers: np.ndarray, bins: int = BINS) -> list[float]:
    """Quantile edges: ``e1`` the minimum, inner quantiles, ``ek`` the next float above the maximum."""
    if numbers.size == 0:
        return []
    low, high = float(numbers.min()), float(numbers.max())
    top = float(np.nextafter(high, math.inf))
    distinct = np.unique(numbers)
    if distinct.size <= MAX_BINS:
        inner = [float(v) for v in distinct]
    else:
        quantiles = np.quantile(numbers, np.linspace(0, 1, max(2, min(bins, MAX_BINS)) + 1)[1:-1])
        inner = [low] + sorted({float(q) for q in quantiles if low < q < top})
    return inner + [top]


def count_numbers(target: FeatureProfile, edges: Sequence[float], numbers: np.ndarray) -> None:
    """Count finite numbers on ``edges``; also min, max and sum."""
    if not target.bins:
        target.bins = [0] * (len(edges) + 1)
    if numbers.size == 0:
        return
    index = np.searchsorted(np.asarray(edges, dtype=float), numbers, side="right")
    counts = np.bincount(index, minlength=len(edges) + 1)
    target.bins = [a + int(b) for a, b in zip(target.bins, counts)]
    low, high = float(numbers.min()), float(numbers.max())
    target.minimum = low if target.minimum is None else min(target.minimum, low)
    target.maximum = high if target.maximum is None else max(target.maximum, high)
    target.total += float(numbers.sum())


def range_buckets(edges: Sequence[float]) -> list[dict[str, float]]:
    """Ranges ``(-inf, e1), [e1, e2), ..., [ek, inf)``: a ``range`` aggregation counts exactly the local bins."""
    if not edges:
        return [{}]
    ranges: list[dict[str, float]] = [{"to": float(edges[0])}]
    ranges += [{"from": float(a), "to": float(b)} for a, b in itertools.pairwise(edges)]
    ranges.append({"from": float(edges[-1])})
    return ranges


class NumericKind(Kind):
    name = NUMERIC

    def learn(self, feature: FeatureBaseline, values: Values) -> None:
        numbers = _numbers(values)
        feature.edges = learn_edges(numbers)
        feature.std = float(numbers.std()) if numbers.size else None

    def empty(self, feature: FeatureBaseline) -> FeatureProfile:
        return FeatureProfile(bins=[0] * (len(feature.edges) + 1))

    def arrow_type(self, feature: FeatureBaseline) -> pa.DataType:
        import pyarrow as pa

        return pa.float64()

    def count_arrow(self, target: FeatureProfile, feature: FeatureBaseline, values: pa.Array) -> None:
        count_numbers(target, feature.edges, values.to_numpy(zero_copy_only=False).astype(float, copy=False))

    def count_values(self, target: FeatureProfile, feature: FeatureBaseline, values: Values) -> None:
        numbers = _numbers(values)
        if numbers.size < len(values):
            count_violations(target, feature, (v for v in values if not is_number(v)))
        count_numbers(target, feature.edges, numbers)

    def accepted_types(self, feature: FeatureBaseline) -> frozenset[str]:
        return _NUMBERS_ONLY

    # Elasticsearch: a `range` on the same edges, and `stats`, of the values that are JSON numbers.
    def aggregations(self, feature: FeatureBaseline, field: Callable[[str], str], key: str) -> dict[str, Any]:
        return {f"{key}_range": {"range": {"field": field("number"), "ranges": range_buckets(feature.edges)}},
                f"{key}_stats": {"stats": {"field": field("number")}}}

    def parse(self, target: FeatureProfile, feature: FeatureBaseline, aggs: Mapping[str, Any], key: str) -> None:
        buckets = aggs.get(f"{key}_range", {}).get("buckets", [])
        target.bins = [int(b["doc_count"]) for b in buckets] or [0] * (len(feature.edges) + 1)
        answer = aggs.get(f"{key}_stats", {})
        indexed = int(answer.get("count") or 0)
        target.minimum = answer.get("min") if indexed else None
        target.maximum = answer.get("max") if indexed else None
        target.total = float(answer.get("sum") or 0.0) if indexed else 0.0

    def buckets(self, feature: FeatureBaseline) -> int:
        return len(feature.edges) + 1

    def metrics(self, inp: CheckInput, effects: Mapping[str, float]) -> dict[str, float | None]:
        return {"drift_score": effects.get("numeric_shift")}


def _numbers(values: Values) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        return values.astype(float, copy=False)
    return np.asarray([float(v) for v in values if is_number(v)], dtype=float)


def numeric_shift(inp: CheckInput) -> list[Candidate]:
    """The distribution over the baseline's quantile bins moved (chi-square and JS distance)."""
    f, ref, w = inp.feature, inp.reference, inp.window
    if not f.edges or ref.numbers == 0 or w.numbers == 0:
        return []
    if w.numbers < inp.thresholds.min_count:
        return [not_enough("numeric_shift", inp, w.numbers, "numbers")]
    distance = stats.js_distance(ref.bins, w.bins)
    return [Candidate(check="numeric_shift", feature=f.name, effect_name="js_distance", effect=distance,
                      p_value=stats.contingency_pvalue(ref.bins, w.bins, ordered=True), gate=True,
                      baseline=f"mean {number(ref.mean)}", observed=f"mean {number(w.mean)}",
                      message=(f"{f.name}: distribution moved (Jensen–Shannon distance {distance:.2f} on "
                               f"{len(ref.bins)} quantile bins); mean {number(ref.mean)} → {number(w.mean)}, "
                               f"range seen [{number(w.minimum)}, {number(w.maximum)}] vs training "
                               f"[{number(ref.minimum)}, {number(ref.maximum)}]"),
                      baseline_value=ref.mean, observed_value=w.mean, thresholds=inp.thresholds)]


def out_of_range(inp: CheckInput) -> list[Candidate]:
    """More numbers outside the training [min, max] than the 2/(n+1) a new draw would give."""
    f, ref, w = inp.feature, inp.reference, inp.window
    if not f.edges or ref.numbers == 0 or not w.bins:
        return []
    below, above = w.bins[0], w.bins[-1]
    # A new draw from the training distribution falls outside the sample's [min, max] with
    # probability 2/(n+1), whatever the distribution: that is the reference rate.
    low, high = f.edges[0], float(np.nextafter(f.edges[-1], -math.inf))
    counts = (2, ref.numbers + 1, below + above, w.numbers)

    def texts(base_rate: float, rate: float) -> tuple[str, str, str]:
        seen = f"[{number(w.minimum)}, {number(w.maximum)}]"
        return (f"range [{number(low)}, {number(high)}]", f"{percent(rate)} outside, seen {seen}",
                f"{f.name}: {percent(rate)} of values ({below + above:,} of {w.numbers:,}) are outside the training "
                f"range [{number(low)}, {number(high)}] ({below:,} below, {above:,} above; seen {seen})")
    return rate_candidate("out_of_range", inp, "rate_increase", counts, "numbers", texts=texts)


NUMERIC_SHIFT = Check("numeric_shift", numeric_shift, {"warning": 0.1, "critical": 0.25, "min_count": 100},
                      "Jensen–Shannon distance of the counts on the baseline's quantile bins")
OUT_OF_RANGE = Check("out_of_range", out_of_range,
                     {"warning": 0.01, "critical": 0.1, "min_ratio": 5.0, "min_count": 50},
                     "increase of the share outside the training [min, max] over the expected 2/(n+1)")

NumericKind.checks = (*common.CHECKS, common.type_mismatch_check("numbers"), NUMERIC_SHIFT, OUT_OF_RANGE)
KIND = NumericKind()
