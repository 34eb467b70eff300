"""The text kind: a vocabulary of distinct tokens per record, counted the same way everywhere."""

from __future__ import annotations

from kindtools import counted, counted_arrow, learnt

from featurewatch.detect.check import CheckInput, Thresholds
from featurewatch.kinds.text import KIND, TOKENS_FIELD, UNSEEN_TOKENS, ship_fields


class TestText:
    def test_vocabulary_counts_records_not_repeats(self):
        f = learnt("text", ["pay pay the bill", "the bill"])
        assert f.vocabulary == {"bill": 2, "the": 2, "pay": 1} and (f.distinct, f.singletons) == (3, 1)

    def test_python_and_arrow_paths_agree(self):
        f = learnt("text", ["pay the bill"] * 3)
        values = ["pay the bill", "PAY el coche", "nuevo nuevo"]
        assert counted(f, values) == counted_arrow(f, values)
        assert counted(f, values).unseen_tokens == 3  # el, coche, nuevo (once per record)

    def test_what_the_shipper_indexes_is_what_is_counted(self):
        assert ship_fields("Pay pay THE bill") == ["bill", "pay", "the"] and ship_fields({"a": 1}) is None
        aggs = KIND.aggregations(learnt("text", ["a b"]), "features.x", "keyword", "f3")
        assert aggs["f3_tokens"] == {"value_count": {"field": f"{TOKENS_FIELD}.x"}}

    def test_unseen_tokens_check(self):
        f = learnt("text", ["pay the bill"] * 300)
        ref, w = counted(f, ["pay the bill"] * 300), counted(f, ["necesito dinero"] * 100 + ["pay the bill"] * 100)
        inp = CheckInput(feature=f, reference=ref, reference_records=300, window=w, records=200,
                         thresholds=Thresholds(min_count=10))
        [candidate] = UNSEEN_TOKENS.run(inp)
        assert candidate.observed_value == 200 / 500 and "'dinero' ×100" in candidate.message
