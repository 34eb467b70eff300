"""The checks: each a small function over one feature's baseline and window counts.

A check returns *candidates* — a measured effect, its p-value and the texts
to show — or an ``info`` finding when there is not enough data to test.
:mod:`featurewatch.detect.run` adjusts all p-values of a run together
(Benjamini–Hochberg) and turns candidates over their thresholds into
findings. Check names are the contract of DESIGN.md §3.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from ..baseline.model import (
    BOOLEAN,
    CATEGORICAL,
    IDENTIFIER,
    NUMERIC,
    PREDICTION,
    TEXT,
    FeatureBaseline,
)
from ..profile.model import FeatureProfile, WindowProfile
from . import stats
from .config import DetectConfig
from .report import Finding
from .text import number, percent

__all__ = ["Candidate", "FEATURE_CHECKS", "category_cells", "check_feature", "unexpected_version"]


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


Result = list[Candidate | Finding]


def _not_enough(check: str, feature: str, n: int, need: int, what: str) -> Finding:
    return Finding(check=check, feature=feature, severity="info", statistic=float(n), threshold=float(need),
                   baseline="", observed=f"{n:,} {what}",
                   message=f"{feature}: not enough data for {check} ({n:,} {what}, need at least {need:,})",
                   effect="count")


def _rate(config: DetectConfig, check: str, feature: str, counts: tuple[int, int, int, int], what: str,
          describe: Callable[[float, float, int, int], str], extra_gate: bool = True) -> Result:
    """A one-sided two-sample test that the window's rate of ``what`` rose above the baseline's."""
    base_hits, base_total, hits, total = counts
    if total <= 0 or base_total <= 0:
        return []
    need = int(config.get(check, "min_count", feature, 0))
    if total < need:
        return [_not_enough(check, feature, total, need, what)]
    base_rate, rate = base_hits / base_total, hits / total
    ratio = float(config.get(check, "min_ratio", feature, 0.0) or 0.0)
    gate = extra_gate and hits > 0 and rate >= ratio * base_rate
    return [Candidate(check=check, feature=feature, effect_name="rate_increase", effect=rate - base_rate,
                      p_value=stats.rate_increase_pvalue(base_hits, base_total, hits, total), gate=gate,
                      baseline=percent(base_rate), observed=f"{percent(rate)} ({hits:,} of {total:,})",
                      message=describe(base_rate, rate, hits, total), baseline_value=base_rate,
                      observed_value=rate)]


def vanished_feature(f: FeatureBaseline, w: FeatureProfile, records: int, config: DetectConfig) -> Result:
    """More records lack the feature (key absent) than in training."""
    if f.name == PREDICTION or f.records == 0:
        return []
    absent_base = f.records - f.present
    absent = records - w.present

    def describe(base_rate: float, rate: float, hits: int, total: int) -> str:
        if w.present == 0:
            return f"{f.name} is missing from all {total:,} records (present in {percent(1 - base_rate)} of training)"
        return (f"{f.name} is missing from {percent(rate)} of records ({hits:,} of {total:,}); "
                f"training: missing from {percent(base_rate)}")
    result = _rate(config, "vanished_feature", f.name, (absent_base, f.records, absent, records), "records", describe)
    for item in result:
        if isinstance(item, Candidate):
            item.effect_name = "absent_rate_increase"
            item.baseline = f"present in {percent(1 - (item.baseline_value or 0.0))}"
            item.observed = f"present in {percent(w.present / records)} ({w.present:,} of {records:,})"
    return result


def na_spike(f: FeatureBaseline, w: FeatureProfile, config: DetectConfig) -> Result:
    """More of the present values are null than in training."""
    def describe(base_rate: float, rate: float, hits: int, total: int) -> str:
        return f"{f.name} is null in {percent(rate)} of records that carry it ({hits:,} of {total:,}); training: {percent(base_rate)}"
    result = _rate(config, "na_spike", f.name, (f.nulls, f.present, w.nulls, w.present), "present values", describe)
    for item in result:
        if isinstance(item, Candidate):
            item.baseline += " null"
            item.observed = item.observed.replace(" (", " null (", 1)
    return result


def type_mismatch(f: FeatureBaseline, w: FeatureProfile, config: DetectConfig) -> Result:
    """More values have a JSON type the feature's kind does not accept than in training."""
    if f.kind == IDENTIFIER:
        return []
    expected = "numbers" if f.kind == NUMERIC else "scalar values (not objects or arrays)"

    def describe(base_rate: float, rate: float, hits: int, total: int) -> str:
        return (f"{f.name} expects {expected}, but {hits:,} of {total:,} values ({percent(rate)}) have another "
                f"JSON type; training: {percent(base_rate)}")
    return _rate(config, "type_mismatch", f.name, (f.violations, f.values, w.violations, w.values), "values",
                 describe)


def _relabel(result: Result, baseline: Callable[[Candidate], str], observed: Callable[[Candidate], str]) -> Result:
    """Give a check's candidates their own short expected/observed texts (for the table)."""
    for item in result:
        if isinstance(item, Candidate):
            item.baseline, item.observed = baseline(item), observed(item)
    return result


def _examples(counts: dict[str, int], limit: int = 3) -> str:
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return ", ".join(f"{key[:40]!r} ×{count:,}" for key, count in items)


def unseen_category(f: FeatureBaseline, w: FeatureProfile, config: DetectConfig) -> Result:
    """More never-seen categories than the training data predicts (Good–Turing)."""
    c = f.categories
    if c is None or c.total == 0:
        return []
    total = sum(w.categories.values()) + w.unseen_total
    min_unseen = int(config.get("unseen_category", "min_unseen", f.name, 1))

    def describe(base_rate: float, rate: float, hits: int, n: int) -> str:
        return (f"{f.name}: {percent(rate)} of values ({hits:,} of {n:,}) are categories never seen in training "
                f"({_examples(w.unseen)}); training predicts {percent(base_rate)} new "
                f"({c.distinct:,} categories, {c.singletons:,} seen once)")
    result = _rate(config, "unseen_category", f.name, (c.expected_new_count, c.total, w.unseen_total, total),
                   "values", describe, extra_gate=w.unseen_total >= min_unseen)
    if c.expected_new_count == 0:
        # A closed field (no value seen only once in training, nothing beyond the cap): new values
        # are a broken contract whatever their share, once they are more than chance; before
        # that, the first one is still shown as info, so nobody has to wait for the alarm to see it.
        for item in result:
            if isinstance(item, Candidate):
                item.warning = 0.0
                item.info_when_quiet = True
    return _relabel(result, lambda c: f"{c.baseline} new expected",
                    lambda c: f"{c.observed.split(' ')[0]} new: {_examples(w.unseen, 2)}")


def unseen_tokens(f: FeatureBaseline, w: FeatureProfile, config: DetectConfig) -> Result:
    """More tokens outside the training vocabulary than the training data predicts."""
    t = f.text
    if t is None or t.tokens == 0:
        return []

    def describe(base_rate: float, rate: float, hits: int, n: int) -> str:
        return (f"{f.name}: {percent(rate)} of tokens ({hits:,} of {n:,}) are not in the training vocabulary "
                f"({_examples(w.unseen_token_examples)}); training predicts {percent(base_rate)}")
    result = _rate(config, "unseen_tokens", f.name, (t.expected_unseen_count, t.tokens, w.unseen_tokens, w.tokens),
                   "tokens", describe)
    return _relabel(result, lambda c: f"{c.baseline} unseen tokens",
                    lambda c: f"{c.observed.split(' ')[0]} unseen: {_examples(w.unseen_token_examples, 2)}")


def out_of_range(f: FeatureBaseline, w: FeatureProfile, config: DetectConfig) -> Result:
    """More numbers outside the training [min, max] than the 2/(n+1) a new draw would give."""
    n = f.numeric
    if n is None or n.count == 0 or not w.bins:
        return []
    below, above = w.bins[0], w.bins[-1]
    # A new draw from the training distribution falls outside the sample's [min, max]
    # with probability 2/(n+1), whatever the distribution: that is the baseline rate.
    counts = (2, n.count + 1, below + above, w.numbers)

    def describe(base_rate: float, rate: float, hits: int, total: int) -> str:
        return (f"{f.name}: {percent(rate)} of values ({hits:,} of {total:,}) are outside the training range "
                f"[{number(n.min)}, {number(n.max)}] ({below:,} below, {above:,} above; seen "
                f"[{number(w.minimum)}, {number(w.maximum)}])")
    result = _rate(config, "out_of_range", f.name, counts, "numbers", describe)
    return _relabel(result, lambda c: f"range [{number(n.min)}, {number(n.max)}]",
                    lambda c: f"{percent(c.observed_value or 0)} outside, seen "
                              f"[{number(w.minimum)}, {number(w.maximum)}]")


def numeric_shift(f: FeatureBaseline, w: FeatureProfile, config: DetectConfig) -> Result:
    """The distribution over the baseline's quantile bins moved (chi-square and JS distance)."""
    n = f.numeric
    if n is None or n.count == 0 or not w.bins or w.numbers == 0:
        return []
    need = int(config.get("numeric_shift", "min_count", f.name, 0))
    if w.numbers < need:
        return [_not_enough("numeric_shift", f.name, w.numbers, need, "numbers")]
    distance = stats.js_distance(n.counts, w.bins)
    p_value = stats.contingency_pvalue(n.counts, w.bins, ordered=True)
    return [Candidate(check="numeric_shift", feature=f.name, effect_name="js_distance", effect=distance,
                      p_value=p_value, gate=True, baseline=f"mean {number(n.mean)}",
                      observed=f"mean {number(w.mean)}",
                      message=(f"{f.name}: distribution moved (Jensen–Shannon distance {distance:.2f} on "
                               f"{len(n.counts)} quantile bins); mean {number(n.mean)} → {number(w.mean)}, "
                               f"range seen [{number(w.minimum)}, {number(w.maximum)}] vs training "
                               f"[{number(n.min)}, {number(n.max)}]"),
                      baseline_value=n.mean, observed_value=w.mean)]


def category_cells(f: FeatureBaseline, w: FeatureProfile) -> tuple[list[str], list[int], list[int]]:
    """Cells of the category mix: the baseline's categories, then one cell for new values."""
    c = f.categories
    assert c is not None
    names = list(c.counts) + ["(new)"]
    base = [c.counts[k] for k in c.counts] + [c.other_count]
    window = [w.categories.get(k, 0) for k in c.counts] + [w.unseen_total]
    return names, base, window


def category_shift(f: FeatureBaseline, w: FeatureProfile, config: DetectConfig) -> Result:
    """The category mix moved (chi-square and JS distance), new values counted as one category."""
    c = f.categories
    if c is None or c.total == 0:
        return []
    names, base, window = category_cells(f, w)
    total = sum(window)
    if total == 0:
        return []
    need = int(config.get("category_shift", "min_count", f.name, 0))
    if total < need:
        return [_not_enough("category_shift", f.name, total, need, "values")]
    distance = stats.js_distance(base, window)
    p_value = stats.contingency_pvalue(base, window)
    base_total = sum(base)
    moved = sorted(range(len(names)), key=lambda i: -abs(window[i] / total - base[i] / base_total))[:3]
    before = " · ".join(f"{names[i]} {percent(base[i] / base_total)}" for i in moved)
    after = " · ".join(f"{names[i]} {percent(window[i] / total)}" for i in moved)
    return [Candidate(check="category_shift", feature=f.name, effect_name="js_distance", effect=distance,
                      p_value=p_value, gate=True, baseline=before, observed=after,
                      message=(f"{f.name}: category mix changed (Jensen–Shannon distance {distance:.2f}): "
                               f"{after} (training: {before})"))]


def check_feature(f: FeatureBaseline, profile: WindowProfile, config: DetectConfig) -> Result:
    """Every enabled check that applies to ``f``'s kind."""
    w = profile.feature(f.name)
    checks: list[tuple[str, Callable[[], Result]]] = [
        ("vanished_feature", lambda: vanished_feature(f, w, profile.records, config)),
        ("na_spike", lambda: na_spike(f, w, config)),
        ("type_mismatch", lambda: type_mismatch(f, w, config)),
    ]
    if f.kind == NUMERIC:
        checks += [("numeric_shift", lambda: numeric_shift(f, w, config)),
                   ("out_of_range", lambda: out_of_range(f, w, config))]
    elif f.kind in (CATEGORICAL, BOOLEAN):
        checks += [("category_shift", lambda: category_shift(f, w, config)),
                   ("unseen_category", lambda: unseen_category(f, w, config))]
    elif f.kind == TEXT:
        checks += [("unseen_tokens", lambda: unseen_tokens(f, w, config))]
    result: Result = []
    for name, run in checks:
        if config.enabled(name, f.name):
            result.extend(run())
    return result


FEATURE_CHECKS = ("vanished_feature", "na_spike", "type_mismatch", "numeric_shift", "out_of_range",
                  "category_shift", "unseen_category", "unseen_tokens")


def unexpected_version(expected: list[str], profile: WindowProfile) -> Result:
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
                      observed=f"{_examples(unexpected)} ({percent(share)})",
                      message=(f"{count:,} of {profile.records:,} records ({percent(share)}) come from model "
                               f"version(s) the baseline does not expect: {_examples(unexpected)}; "
                               f"expected {', '.join(expected)}"),
                      baseline_value=0.0, observed_value=share)]
