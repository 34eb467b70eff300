"""Text features: a vocabulary learnt from training, tokens counted the same way everywhere.

Counting rule (:mod:`featurewatch.tokens`): values become strings by
``category_key``; each record contributes its *distinct* tokens: ``tokens`` is
their number, ``unseen_tokens`` those not in the vocabulary,
``unseen_token_examples`` the most frequent of those. Objects and arrays are
type violations, as are values of a JSON type training never had. Elasticsearch
cannot tokenise in an aggregation, so the shipper indexes each record's distinct
tokens in ``tokens.<feature>`` (:func:`ship_fields`), and the aggregations count them.
"""

from __future__ import annotations

import collections
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..baseline.model import TEXT, FeatureBaseline
from ..detect import stats
from ..detect.check import Candidate, Check, CheckInput, new_values, not_enough, rate_candidate
from ..detect.text import number, percent
from ..es.layout import CHARS_FIELD, LENGTH_FIELD, TOKENS_FIELD, token_field
from ..keys import category_key
from ..profile.model import KEEP_WHILE_COUNTING, UNSEEN_KEEP, FeatureProfile, top_counts
from ..tokens import distinct_tokens, text_counts, tokenize
from . import common
from ._kind import Kind, count_violations, learn_types, scalar_types, typed_key, typed_keys
from .categorical import examples
from .numeric import learn_edges, range_buckets

if TYPE_CHECKING:
    import pyarrow as pa

    from ._kind import Values

__all__ = ["TextKind", "KIND", "MAX_VOCABULARY", "MIX_TOKENS", "TOKENS_FIELD", "LENGTH_FIELD", "CHARS_FIELD",
           "ship_fields", "expected_unseen"]

#: Tokens kept per text feature; the rest is counted as unseen (and predicts novelty).
MAX_VOCABULARY = 20000
#: The most frequent vocabulary tokens whose mix is compared (the rest of the known tokens is one cell).
MIX_TOKENS = 200


def ship_fields(value: Any, feature: FeatureBaseline | None = None) -> tuple[list[str], int, int] | None:
    """What the shipper indexes for one text value: distinct tokens, tokens (with repeats), characters.

    None for nulls, non-scalars and (given ``feature``) values of a JSON type
    its training never had: those are type violations, counted by type.
    """
    key = category_key(value) if feature is None else typed_key(feature, value)
    if key is None:
        return None
    tokens = tokenize(key)
    return sorted(set(tokens)), len(tokens), len(key)


def count_texts(target: FeatureProfile, feature: FeatureBaseline, texts: Sequence[str]) -> None:
    """Count distinct tokens per text and those outside the vocabulary; lengths; the known-token mix."""
    tokens, unseen_total, unseen, lengths, chars, mixed = text_counts(texts, feature.vocabulary, _mix(feature))
    target.tokens += tokens
    target.unseen_tokens += unseen_total
    if unseen:
        merged = dict(target.unseen_token_examples)
        for key, count in unseen.items():
            merged[key] = merged.get(key, 0) + count
        target.unseen_token_examples = top_counts(merged, KEEP_WHILE_COUNTING)
    if feature.length_edges:
        target.length_bins = _binned(target.length_bins, feature.length_edges, np.asarray(lengths, dtype=float))
    if feature.char_edges:
        target.char_bins = _binned(target.char_bins, feature.char_edges, np.asarray(chars, dtype=float))
    for token, count in mixed.items():
        target.known_tokens[token] = target.known_tokens.get(token, 0) + count


def _binned(bins: list[int], edges: Sequence[float], values: np.ndarray) -> list[int]:
    counts = np.bincount(np.searchsorted(np.asarray(edges, dtype=float), values, side="right"),
                         minlength=len(edges) + 1)
    return [a + int(b) for a, b in zip(bins or [0] * (len(edges) + 1), counts)]


def _mix(feature: FeatureBaseline) -> frozenset[str]:
    """The vocabulary tokens whose mix is compared: the most frequent :data:`MIX_TOKENS`."""
    return frozenset(itertools.islice(feature.vocabulary, MIX_TOKENS))


def expected_unseen(feature: FeatureBaseline, reference: FeatureProfile) -> int:
    """Tokens of the reference a window should expect outside the vocabulary (Good–Turing, as for categories)."""
    return min(reference.tokens, feature.singletons + reference.unseen_tokens)


class TextKind(Kind):
    name = TEXT

    def learn(self, feature: FeatureBaseline, values: Values) -> None:
        counter: collections.Counter[str] = collections.Counter()
        for value in values:
            key = category_key(value)
            if key is not None:
                counter.update(distinct_tokens(key))
        kept = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_VOCABULARY]
        feature.vocabulary = dict(kept)
        texts = [k for k in map(category_key, values) if k is not None]
        feature.length_edges = learn_edges(np.asarray([len(tokenize(t)) for t in texts], dtype=float))
        feature.char_edges = learn_edges(np.asarray([len(t) for t in texts], dtype=float))
        feature.distinct = len(counter)
        feature.singletons = sum(1 for c in counter.values() if c == 1)
        feature.types = learn_types(values)

    def arrow_type(self, feature: FeatureBaseline) -> pa.DataType:
        import pyarrow as pa

        return pa.string()

    def empty(self, feature: FeatureBaseline) -> FeatureProfile:
        return FeatureProfile(length_bins=[0] * (len(feature.length_edges) + 1) if feature.length_edges else [],
                              char_bins=[0] * (len(feature.char_edges) + 1) if feature.char_edges else [])

    def count_arrow(self, target: FeatureProfile, feature: FeatureBaseline, values: pa.Array) -> None:
        count_texts(target, feature, values.to_pylist())

    def count_values(self, target: FeatureProfile, feature: FeatureBaseline, values: Values) -> None:
        texts, wrong = typed_keys(feature, values)
        count_violations(target, feature, wrong)
        count_texts(target, feature, texts)

    # Elasticsearch: `value_count` of the indexed tokens is the token count; `terms` with
    # exclude = the vocabulary gives the unseen ones, its buckets plus sum_other_doc_count their total;
    # `terms` with include = the mix tokens their counts; `range` on the indexed lengths the length bins.
    def accepted_types(self, feature: FeatureBaseline) -> frozenset[str]:
        return scalar_types(feature)

    def aggregations(self, feature: FeatureBaseline, field: Callable[[str], str], key: str) -> dict[str, Any]:
        tokens = token_field(TOKENS_FIELD, feature.name)
        vocabulary = sorted(feature.vocabulary)
        aggs: dict[str, Any] = {
            f"{key}_tokens": {"value_count": {"field": tokens}},
            f"{key}_unseen": {"terms": {"field": tokens, "size": UNSEEN_KEEP,
                                        **({"exclude": vocabulary} if vocabulary else {})}}}
        mix = sorted(_mix(feature))
        if mix:
            aggs[f"{key}_mix"] = {"terms": {"field": tokens, "size": len(mix), "include": mix}}
        if feature.length_edges:
            aggs[f"{key}_lengths"] = {"range": {"field": token_field(LENGTH_FIELD, feature.name),
                                                "ranges": range_buckets(feature.length_edges)}}
        if feature.char_edges:
            aggs[f"{key}_chars"] = {"range": {"field": token_field(CHARS_FIELD, feature.name),
                                              "ranges": range_buckets(feature.char_edges)}}
        return aggs

    def parse(self, target: FeatureProfile, feature: FeatureBaseline, aggs: Mapping[str, Any], key: str) -> None:
        target.tokens = int(aggs.get(f"{key}_tokens", {}).get("value") or 0)
        unseen = aggs.get(f"{key}_unseen", {})
        found = {str(b["key"]): int(b["doc_count"]) for b in unseen.get("buckets", [])}
        target.unseen_tokens = sum(found.values()) + int(unseen.get("sum_other_doc_count") or 0)
        target.unseen_token_examples = top_counts(found)
        target.known_tokens = {str(b["key"]): int(b["doc_count"])
                               for b in aggs.get(f"{key}_mix", {}).get("buckets", []) if b["doc_count"]}
        for name, edges, attribute in ((f"{key}_lengths", feature.length_edges, "length_bins"),
                                       (f"{key}_chars", feature.char_edges, "char_bins")):
            if edges:
                buckets = aggs.get(name, {}).get("buckets", [])
                setattr(target, attribute, [int(b["doc_count"]) for b in buckets] or [0] * (len(edges) + 1))

    def buckets(self, feature: FeatureBaseline) -> int:
        return UNSEEN_KEEP + len(_mix(feature)) + len(feature.length_edges) + len(feature.char_edges) + 2

    def metrics(self, inp: CheckInput, effects: Mapping[str, float]) -> dict[str, float | None]:
        ref, w = inp.reference, inp.window
        return {"unseen_token_rate": w.unseen_tokens / w.tokens if w.tokens else None,
                "baseline_unseen_token_rate": expected_unseen(inp.feature, ref) / ref.tokens if ref.tokens else 0.0}


def unseen_tokens(inp: CheckInput) -> list[Candidate]:
    """More tokens outside the training vocabulary than the training data predicts."""
    f, ref, w = inp.feature, inp.reference, inp.window
    if ref.tokens == 0:
        return []

    def texts(base_rate: float, rate: float) -> tuple[str, str, str]:
        return (f"{percent(base_rate)} unseen tokens",
                f"{percent(rate)} unseen: {examples(w.unseen_token_examples, 2)}",
                f"{f.name}: {percent(rate)} of tokens ({w.unseen_tokens:,} of {w.tokens:,}) are not in the training "
                f"vocabulary ({examples(w.unseen_token_examples)}); training predicts {percent(base_rate)}")
    result = rate_candidate("unseen_tokens", inp, "rate_increase",
                            (expected_unseen(f, ref), ref.tokens, w.unseen_tokens, w.tokens), "tokens", texts=texts)
    for item in result:
        item.evidence = new_values(w.unseen_token_examples)
    return result


def text_shift(inp: CheckInput) -> list[Candidate]:
    """Texts got shorter or longer, or their mix of known tokens moved (truncation, another domain).

    Two distributions, each tested with chi-square and measured with the
    Jensen–Shannon distance: tokens per record on the training's length bins,
    and the most frequent known tokens (new tokens aside: they are
    ``unseen_tokens``'). The effect is the larger distance; its p-value is
    Bonferroni-corrected for the two tests.
    """
    f, ref, w = inp.feature, inp.reference, inp.window
    texts = w.values - w.violations
    if texts <= 0 or not ref.length_bins or sum(ref.length_bins) == 0 or not w.length_bins:
        return []
    if texts < inp.thresholds.min_count:
        return [not_enough("text_shift", inp, texts, "texts")]
    length = stats.js_distance(ref.length_bins, w.length_bins)
    p_length = stats.contingency_pvalue(ref.length_bins, w.length_bins, ordered=True)
    mix, p_mix, moved = 0.0, 1.0, ""
    mix_tokens = list(_mix(f))
    if mix_tokens:
        base_counts = [ref.known_tokens.get(t, 0) for t in mix_tokens]
        window_counts = [w.known_tokens.get(t, 0) for t in mix_tokens]
        base, window, names = stats.merge_sparse(base_counts, window_counts, mix_tokens)
        if sum(base) and sum(window):
            mix = stats.js_distance_corrected(base, window)
            p_mix = stats.contingency_pvalue(base, window)
            order = sorted(range(len(names)), key=lambda i: -abs(window[i] / sum(window) - base[i] / sum(base)))[:3]
            moved = ", ".join(f"{names[i]!r} {percent(base[i] / sum(base))} → {percent(window[i] / sum(window))}"
                              for i in order)
    base_mean = _mean_length(f.length_edges, ref.length_bins)
    window_mean = _mean_length(f.length_edges, w.length_bins)
    what = "length" if length >= mix else "mix of known tokens"
    return [Candidate(
        check="text_shift", feature=f.name, effect_name="js_distance", effect=max(length, mix),
        p_value=min(1.0, 2 * min(p_length, p_mix)), gate=True,
        baseline=f"~{number(base_mean)} tokens per text", observed=f"~{number(window_mean)} tokens per text",
        message=(f"{f.name}: texts changed ({what} moved most): tokens per text ~{number(base_mean)} → "
                 f"~{number(window_mean)} (Jensen–Shannon distance {length:.2f}); known-token mix distance "
                 f"{mix:.2f}" + (f" ({moved})" if moved else "")),
        baseline_value=base_mean, observed_value=window_mean, thresholds=inp.thresholds)]


def _mean_length(edges: Sequence[float], bins: Sequence[int]) -> float | None:
    """An approximate mean of tokens per text from its bins (bin lower edges; the first bin counts as 0)."""
    total = sum(bins)
    if not total or not edges:
        return None
    lows = [0.0, *edges]
    return sum(low * count for low, count in zip(lows, bins)) / total


TEXT_SHIFT = Check("text_shift", text_shift, {"warning": 0.15, "critical": 0.3, "min_count": 100},
                   "Jensen–Shannon distance of tokens per text, or of the mix of known tokens (the larger)")
UNSEEN_TOKENS = Check("unseen_tokens", unseen_tokens,
                      {"warning": 0.02, "critical": 0.15, "min_ratio": 2.0, "min_count": 200},
                      "increase of the unseen-token share (distinct tokens per record) over the Good–Turing "
                      "expectation")

TextKind.checks = (*common.CHECKS, common.type_mismatch_check("values of its training JSON types"),
                   UNSEEN_TOKENS, TEXT_SHIFT)
KIND = TextKind()
