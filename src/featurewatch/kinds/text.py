"""Text features: a vocabulary learnt from training, tokens counted the same way everywhere.

Counting rule (:mod:`featurewatch.tokens`): values become strings by
``category_key``; each record contributes its *distinct* tokens: ``tokens`` is
their number, ``unseen_tokens`` those not in the vocabulary,
``unseen_token_examples`` the most frequent of those. Objects and arrays are
type violations, as are values of a JSON type training never had. Elasticsearch cannot tokenise in an aggregation, so the
shipper indexes each record's distinct tokens in ``tokens.<feature>``
(:func:`ship_fields`), and the aggregations count them.
"""

from __future__ import annotations

import collections
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..baseline.model import TEXT, FeatureBaseline
from ..detect.check import Candidate, Check, CheckInput, rate_candidate
from ..detect.text import percent
from ..keys import category_key
from ..profile.model import UNSEEN_KEEP, FeatureProfile, top_counts
from ..tokens import count_tokens, distinct_tokens
from . import common
from ._kind import Kind, learn_types, typed_key
from .categorical import examples

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["TextKind", "KIND", "MAX_VOCABULARY", "TOKENS_FIELD", "ship_fields", "expected_unseen"]

#: Tokens kept per text feature; the rest is counted as unseen (and predicts novelty).
MAX_VOCABULARY = 20000
#: Where the shipper puts each record's distinct tokens of a text feature.
TOKENS_FIELD = "tokens"


def ship_fields(value: Any) -> list[str] | None:
    """The distinct tokens the shipper indexes for one text value (None for nulls and non-scalars)."""
    key = category_key(value)
    return None if key is None else distinct_tokens(key)


def count_texts(target: FeatureProfile, vocabulary: Mapping[str, int] | frozenset[str], texts: Sequence[str]) -> None:
    """Count distinct tokens per text, and those outside the vocabulary."""
    tokens, unseen_total, unseen = count_tokens(texts, vocabulary)
    target.tokens += tokens
    target.unseen_tokens += unseen_total
    if unseen:
        merged = dict(target.unseen_token_examples)
        for key, count in unseen.items():
            merged[key] = merged.get(key, 0) + count
        target.unseen_token_examples = top_counts(merged)


def expected_unseen(feature: FeatureBaseline, reference: FeatureProfile) -> int:
    """Tokens of the reference a window should expect outside the vocabulary (Good–Turing, as for categories)."""
    return min(reference.tokens, feature.singletons + reference.unseen_tokens)


class TextKind(Kind):
    name = TEXT

    def learn(self, feature: FeatureBaseline, values: Sequence[Any]) -> None:
        counter: collections.Counter[str] = collections.Counter()
        for value in values:
            key = category_key(value)
            if key is not None:
                counter.update(distinct_tokens(key))
        kept = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_VOCABULARY]
        feature.vocabulary = dict(kept)
        feature.distinct = len(counter)
        feature.singletons = sum(1 for c in counter.values() if c == 1)
        feature.types = learn_types(values)

    def arrow_type(self, feature: FeatureBaseline) -> pa.DataType:
        import pyarrow as pa

        return pa.string()

    def count_arrow(self, target: FeatureProfile, feature: FeatureBaseline, values: pa.Array) -> None:
        count_texts(target, feature.vocabulary, values.to_pylist())

    def count_values(self, target: FeatureProfile, feature: FeatureBaseline, values: Sequence[Any]) -> None:
        texts = []
        for value in values:
            key = typed_key(feature, value)
            if key is None:
                target.violations += 1
            else:
                texts.append(key)
        count_texts(target, feature.vocabulary, texts)

    # Elasticsearch: `value_count` of the indexed tokens is the token count; `terms` with
    # exclude = the vocabulary gives the unseen ones, its buckets plus sum_other_doc_count their total.
    def aggregations(self, feature: FeatureBaseline, field: str, field_type: Any, key: str) -> dict[str, Any]:
        tokens = f"{TOKENS_FIELD}.{feature.name}"
        vocabulary = sorted(feature.vocabulary)
        return {f"{key}_tokens": {"value_count": {"field": tokens}},
                f"{key}_unseen": {"terms": {"field": tokens, "size": UNSEEN_KEEP,
                                            **({"exclude": vocabulary} if vocabulary else {})}}}

    def parse(self, target: FeatureProfile, feature: FeatureBaseline, aggs: Mapping[str, Any], key: str) -> None:
        target.tokens = int(aggs.get(f"{key}_tokens", {}).get("value") or 0)
        unseen = aggs.get(f"{key}_unseen", {})
        found = {str(b["key"]): int(b["doc_count"]) for b in unseen.get("buckets", [])}
        target.unseen_tokens = sum(found.values()) + int(unseen.get("sum_other_doc_count") or 0)
        target.unseen_token_examples = top_counts(found)

    def buckets(self, feature: FeatureBaseline) -> int:
        return UNSEEN_KEEP

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
    return rate_candidate("unseen_tokens", inp, "rate_increase",
                          (expected_unseen(f, ref), ref.tokens, w.unseen_tokens, w.tokens), "tokens", texts=texts)


UNSEEN_TOKENS = Check("unseen_tokens", unseen_tokens,
                      {"warning": 0.02, "critical": 0.15, "min_ratio": 2.0, "min_count": 200},
                      "increase of the unseen-token share (distinct tokens per record) over the Good–Turing "
                      "expectation")

TextKind.checks = (*common.CHECKS, common.type_mismatch_check("values of its training JSON types"),
                   UNSEEN_TOKENS)
KIND = TextKind()
