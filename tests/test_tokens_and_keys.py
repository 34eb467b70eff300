"""The one tokeniser and the one category-key rule."""

from __future__ import annotations

import math

import numpy as np
import pytest

from featurewatch.keys import category_key
from featurewatch.tokens import count_tokens, distinct_tokens, tokenize


class TestTokens:
    def test_lowercase_unicode_words(self):
        assert tokenize("Pay the BILL, señor! café_2 naïve") == ["pay", "the", "bill", "señor", "café_2", "naïve"]

    def test_distinct_per_record(self):
        assert distinct_tokens("pay pay the bill") == ["bill", "pay", "the"]

    def test_counting_rule(self):
        tokens, unseen, examples = count_tokens(["pay pay the bill", "the new bill", ""], frozenset({"pay", "the",
                                                                                                   "bill"}))
        assert (tokens, unseen, examples) == (6, 1, {"new": 1})


class TestCategoryKeys:
    @pytest.mark.parametrize("value,key", [
        ("Red", "Red"), (True, "true"), (False, "false"), (3, "3"), (3.0, "3"), (0.1, "0.1"),
        (-2.5, "-2.5"), (np.int64(7), "7"), (np.float64(2.0), "2"), (np.bool_(True), "true"),
    ])
    def test_keys(self, value, key):
        assert category_key(value) == key

    @pytest.mark.parametrize("value", [None, math.nan, math.inf, {"a": 1}, [1, 2]])
    def test_no_key(self, value):
        assert category_key(value) is None

    def test_integers_beyond_double_precision_are_keyed_as_the_double_they_become(self):
        """Elasticsearch and Arrow hold such a number as a double: every source keys it so."""
        big = 2**53 + 1
        assert category_key(big) == category_key(float(big)) == category_key(2**53) == str(2**53)
        assert category_key(2**53 - 1) == str(2**53 - 1) and category_key(-3) == "-3"


def test_a_very_long_word_is_cut_into_tokens_that_fit_a_keyword():
    assert [len(t) for t in tokenize("a" * 600 + " b")] == [256, 256, 88, 1]
