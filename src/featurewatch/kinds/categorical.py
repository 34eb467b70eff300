"""Categorical features (and booleans, their two-valued variant): known keys learnt
from training, counted by key everywhere.

Counting rule: values become keys by :func:`featurewatch.keys.category_key`;
``categories`` counts keys the baseline knows, ``unseen_total`` every other
value, ``unseen`` the most frequent of those (examples). Objects and arrays
have no key: they are type violations, as is a scalar of a JSON type training
never had (the strings ``"true"``/``"false"`` in a boolean, numbers where
training had only strings).
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..baseline.model import BOOLEAN, CATEGORICAL, FeatureBaseline
from ..detect import stats
from ..detect.check import Candidate, Check, CheckInput, new_values, not_enough, rate_candidate
from ..detect.text import percent
from ..keys import category_key
from ..profile.model import KEEP_WHILE_COUNTING, UNSEEN_KEEP, FeatureProfile, top_counts
from . import common
from ._kind import Kind, count_violations, learn_types, scalar_types, typed_keys

if TYPE_CHECKING:
    import pyarrow as pa

    from ._kind import Values

__all__ = ["CategoricalKind", "BooleanKind", "KIND", "BOOLEAN_KIND", "MAX_CATEGORIES", "count_keys",
           "expected_new", "examples"]

#: Categories kept per feature; the rest is counted as unseen (and predicts novelty).
MAX_CATEGORIES = 1000


def count_keys(target: FeatureProfile, known: frozenset[str] | set[str], counts: Mapping[str, int]) -> None:
    """Count category keys: known ones by key, the rest as unseen."""
    unseen: dict[str, int] = {}
    for key, count in counts.items():
        if key in known:
            target.categories[key] = target.categories.get(key, 0) + count
        else:
            unseen[key] = count
    if unseen:
        target.unseen_total += sum(unseen.values())
        merged = dict(target.unseen)
        for key, count in unseen.items():
            merged[key] = merged.get(key, 0) + count
        target.unseen = top_counts(merged, KEEP_WHILE_COUNTING)


def expected_new(feature: FeatureBaseline, reference: FeatureProfile) -> tuple[int, int]:
    """``(new, total)``: how many of the reference's values a window should expect to be new.

    Good–Turing: the chance the next value is one never seen is N1/N (values
    seen once in training); values beyond the stored cap are new to the
    baseline too.
    """
    total = sum(reference.categories.values()) + reference.unseen_total
    return min(total, feature.singletons + reference.unseen_total), total


def examples(counts: Mapping[str, int], limit: int = 3) -> str:
    """The most frequent keys with their counts, for messages."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return ", ".join(f"{key[:40]!r} ×{count:,}" for key, count in items)


class CategoricalKind(Kind):
    name = CATEGORICAL

    def learn(self, feature: FeatureBaseline, values: Values) -> None:
        counter = collections.Counter(k for k in map(category_key, values) if k is not None)
        feature.known = [k for k, _ in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CATEGORIES]]
        feature.distinct = len(counter)
        feature.singletons = sum(1 for c in counter.values() if c == 1)
        feature.types = learn_types(values)

    def arrow_type(self, feature: FeatureBaseline) -> pa.DataType:
        # Keys that are all numbers (or all booleans), learnt from values of that JSON type, let Arrow
        # parse the values natively; any other JSON type makes Arrow refuse the chunk, which is then
        # counted line by line (so "1" trained as a string still makes the number 1 a violation).
        import pyarrow as pa

        types = scalar_types(feature)
        if feature.known and set(feature.known) <= {"true", "false"} and "boolean" in types:
            return pa.bool_()
        if feature.known and all(_is_numeric_key(k) for k in feature.known) and "number" in types:
            return pa.float64()
        return pa.string()

    def count_arrow(self, target: FeatureProfile, feature: FeatureBaseline, values: pa.Array) -> None:
        import pyarrow.compute as pc

        counts = pc.value_counts(values)
        keys: dict[str, int] = {}
        for value, count in zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()):
            key = category_key(value)
            if key is not None:
                keys[key] = keys.get(key, 0) + int(count)
        count_keys(target, frozenset(feature.known), keys)

    def count_values(self, target: FeatureProfile, feature: FeatureBaseline, values: Values) -> None:
        keys, wrong = typed_keys(feature, values)
        count_violations(target, feature, wrong)
        count_keys(target, frozenset(feature.known), collections.Counter(keys))

    def accepted_types(self, feature: FeatureBaseline) -> frozenset[str]:
        return scalar_types(feature)

    # Elasticsearch: per accepted JSON type, `terms` with include = the known keys of that type gives
    # their exact counts and `terms` with exclude = them the most frequent unseen ones; the keys of all
    # types merge as locally (category_key), and unseen_total = accepted values - sum(known).
    def aggregations(self, feature: FeatureBaseline, field: Callable[[str], str], key: str) -> dict[str, Any]:
        aggs: dict[str, Any] = {}
        for json_type in sorted(self.accepted_types(feature)):
            name = field(json_type)
            if json_type == "boolean":
                aggs[f"{key}_{json_type}_known"] = {"terms": {"field": name, "size": 2}}
                continue
            known = _keys_of_type(feature.known, json_type)
            if known:
                aggs[f"{key}_{json_type}_known"] = {"terms": {"field": name, "size": len(known), "include": known}}
            aggs[f"{key}_{json_type}_unseen"] = {"terms": {"field": name, "size": UNSEEN_KEEP,
                                                           **({"exclude": known} if known else {})}}
        return aggs

    def parse(self, target: FeatureProfile, feature: FeatureBaseline, aggs: Mapping[str, Any], key: str) -> None:
        known = set(feature.known)
        found: dict[str, int] = {}
        unseen: dict[str, int] = {}
        for json_type in sorted(self.accepted_types(feature)):
            for name, into in ((f"{key}_{json_type}_known", found), (f"{key}_{json_type}_unseen", unseen)):
                for k, c in _terms(aggs, name).items():
                    into[k] = into.get(k, 0) + c
        target.categories = {k: c for k, c in found.items() if k in known}
        for k, c in found.items():  # a boolean's `known` terms hold both keys, known or not
            if k not in known:
                unseen[k] = unseen.get(k, 0) + c
        target.unseen_total = max(0, target.values - target.violations - sum(target.categories.values()))
        target.unseen = top_counts({k: c for k, c in unseen.items() if k not in known})

    def buckets(self, feature: FeatureBaseline) -> int:
        types = scalar_types(feature)  # a known and an unseen list per accepted type
        return ((2 if "boolean" in types else 0)
                + (len(_keys_of_type(feature.known, "number")) + UNSEEN_KEEP if "number" in types else 0)
                + (len(feature.known) + UNSEEN_KEEP if "string" in types else 0))

    def metrics(self, inp: CheckInput, effects: Mapping[str, float]) -> dict[str, float | None]:
        w = inp.window
        new, total = expected_new(inp.feature, inp.reference)
        values = sum(w.categories.values()) + w.unseen_total
        return {"unseen_category_rate": w.unseen_total / values if values else None,
                "baseline_unseen_category_rate": new / total if total else 0.0,
                "drift_score": effects.get("category_shift")}


class BooleanKind(CategoricalKind):
    """A categorical whose keys are ``"true"``/``"false"``."""

    name = BOOLEAN


def _is_numeric_key(key: str) -> bool:
    try:
        float(key)
    except ValueError:
        return False
    return key.strip() == key and key.lower() not in {"nan", "inf", "-inf", "infinity", "-infinity"}


def _keys_of_type(keys: Sequence[str], json_type: str) -> list[Any]:
    """The known keys a value of ``json_type`` can have, as that field's ``include``/``exclude`` values."""
    if json_type == "number":
        return sorted({float(k) for k in keys if _is_numeric_key(k)})
    return sorted(keys)


def _bucket_key(bucket: Mapping[str, Any]) -> str | None:
    if "key_as_string" in bucket and isinstance(bucket.get("key"), (int, float)) and \
            bucket["key_as_string"] in ("true", "false"):
        return str(bucket["key_as_string"])
    return category_key(bucket.get("key"))


def _terms(aggs: Mapping[str, Any], name: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for bucket in aggs.get(name, {}).get("buckets", []):
        key = _bucket_key(bucket)
        if key is not None:
            out[key] = out.get(key, 0) + int(bucket["doc_count"])
    return out


# --- checks ----------------------------------------------------------------------------------------

def unseen_category(inp: CheckInput) -> list[Candidate]:
    """More never-seen categories than the training data predicts (Good–Turing)."""
    f, w = inp.feature, inp.window
    new, total = expected_new(f, inp.reference)
    if total == 0 or (inp.quiet and new > 0):
        return []  # an open field's novelty needs a sample to be judged
    values = sum(w.categories.values()) + w.unseen_total

    def texts(base_rate: float, rate: float) -> tuple[str, str, str]:
        return (f"{percent(base_rate)} new expected", f"{percent(rate)} new: {examples(w.unseen, 2)}",
                f"{f.name}: {percent(rate)} of values ({w.unseen_total:,} of {values:,}) are categories never seen "
                f"in training ({examples(w.unseen)}); training predicts {percent(base_rate)} new "
                f"({f.distinct:,} categories, {f.singletons:,} seen once)")
    result = rate_candidate("unseen_category", inp, "rate_increase", (new, total, w.unseen_total, values), "values",
                            texts=texts, gate=w.unseen_total >= inp.thresholds.min_unseen)
    for item in result:
        item.evidence = new_values(w.unseen)
    if new == 0:
        # A closed field (no value seen only once in training, nothing beyond the cap): new values
        # are a broken contract whatever their share, once they are more than chance; before
        # that, the first one is still shown as info, so nobody has to wait for the alarm to see it.
        for item in result:
            if not item.note:
                item.warning = 0.0
                item.info_when_quiet = True
    return result


def category_shift(inp: CheckInput) -> list[Candidate]:
    """The mix of *known* values moved (chi-square, bias-corrected JS distance on cells with enough data).

    New values are left out: their share is :func:`unseen_category`'s to
    judge against the novelty training predicts, so an open field's natural
    novelty is never a shift, and one new value is one finding. Categories too
    rare to be expected a few times in the window are merged into one cell,
    and the distance has the sampling noise of k cells taken off
    (:func:`featurewatch.detect.stats.js_distance_corrected`): neither grows
    false alarms with the window's size.
    """
    f, ref, w = inp.feature, inp.reference, inp.window
    if not f.known:
        return []
    base_counts = [ref.categories.get(k, 0) for k in f.known]
    window_counts = [w.categories.get(k, 0) for k in f.known]
    total, base_total = sum(window_counts), sum(base_counts)
    if total == 0 or base_total == 0:
        return []
    if total < inp.thresholds.min_count:
        return [not_enough("category_shift", inp, total, "known values")]
    base, window, names = stats.merge_sparse(base_counts, window_counts, f.known)
    distance = stats.js_distance_corrected(base, window)
    moved = sorted(range(len(names)), key=lambda i: -abs(window[i] / total - base[i] / base_total))[:3]
    before = " · ".join(f"{names[i]} {percent(base[i] / base_total)}" for i in moved)
    after = " · ".join(f"{names[i]} {percent(window[i] / total)}" for i in moved)
    return [Candidate(check="category_shift", feature=f.name, effect_name="js_distance", effect=distance,
                      p_value=stats.contingency_pvalue(base, window), gate=True, baseline=before, observed=after,
                      message=(f"{f.name}: mix of known categories changed (Jensen–Shannon distance {distance:.2f}, "
                               f"new values aside): {after} (training: {before})"), thresholds=inp.thresholds)]


CATEGORY_SHIFT = Check("category_shift", category_shift, {"warning": 0.1, "critical": 0.25, "min_count": 100},
                       "Jensen–Shannon distance of the mix of known categories (rare ones merged, sampling noise "
                       "taken off; new values are unseen_category's)")
UNSEEN_CATEGORY = Check(
    "unseen_category", unseen_category,
    {"warning": 0.005, "critical": 0.05, "min_ratio": 2.0, "min_count": 50, "min_unseen": 3},
    "increase of the share of values never seen in training over the Good–Turing expectation; a closed field "
    "(Good–Turing expects no new value) warns at any significant increase of min_unseen or more values; in quiet "
    "windows only closed fields are checked", small_samples=True)

CategoricalKind.checks = (*common.CHECKS, common.type_mismatch_check("values of its training JSON types"),
                          CATEGORY_SHIFT, UNSEEN_CATEGORY)
KIND = CategoricalKind()
BOOLEAN_KIND = BooleanKind()
