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
        assert ship_fields("Pay pay THE bill") == (["bill", "pay", "the"], 4, 16) and ship_fields({"a": 1}) is None
        f = learnt("text", ["a b"])
        aggs = KIND.aggregations(f, lambda t: f"values.{t}.x", "f3")
        assert aggs["f3_tokens"] == {"value_count": {"field": f"{TOKENS_FIELD}.x"}}
        # A number where training had only strings is a violation, so the shipper indexes no tokens for it.
        assert ship_fields(7, f) is None and ship_fields("7", f) == (["7"], 1, 1)

    def test_unseen_tokens_check(self):
        f = learnt("text", ["pay the bill"] * 300)
        ref, w = counted(f, ["pay the bill"] * 300), counted(f, ["necesito dinero"] * 100 + ["pay the bill"] * 100)
        inp = CheckInput(feature=f, reference=ref, reference_records=300, window=w, records=200,
                         thresholds=Thresholds(min_count=10))
        [candidate] = UNSEEN_TOKENS.run(inp)
        assert candidate.observed_value == 200 / 500 and "'dinero' ×100" in candidate.message


class TestTextShift:
    @staticmethod
    def _report(window_notes):
        import numpy as np
        import pandas as pd

        from featurewatch.baseline import BaselineOptions, build_baseline
        from featurewatch.detect import detect_profile
        from featurewatch.profile.frame import profile_frame

        rng = np.random.default_rng(4)
        finance = ["pay", "the", "loan", "for", "my", "car", "repair", "school", "fees", "home", "kitchen", "bill",
                   "rent"]
        weights = np.linspace(3, 1, len(finance))
        weights /= weights.sum()
        training = pd.DataFrame({"note": [" ".join(rng.choice(finance, rng.integers(5, 12), p=weights))
                                          for _ in range(4000)]})
        baseline = build_baseline(training, BaselineOptions(model="m", versions=("1",), kinds={"note": "text"}))
        window = pd.DataFrame({"note": window_notes(rng, finance, weights)})
        return detect_profile(baseline, profile_frame(baseline, window, versions={"1": len(window)}))

    @staticmethod
    def _alarms(report):
        return {f.check for f in report.findings if f.feature == "note" and f.severity != "info"}

    def test_clean_text_raises_nothing(self):
        report = self._report(lambda rng, words, p: [" ".join(rng.choice(words, rng.integers(5, 12), p=p))
                                                     for _ in range(3000)])
        assert self._alarms(report) == set()

    def test_truncated_text_is_a_text_shift(self):
        """Cut to the first two words: no new token, but every text is shorter."""
        report = self._report(lambda rng, words, p: [" ".join(rng.choice(words, 2, p=p)) for _ in range(3000)])
        assert "text_shift" in self._alarms(report) and "unseen_tokens" not in self._alarms(report)

    def test_another_domain_in_familiar_words_is_a_text_shift(self):
        """The same words in another mix (the rare ones now dominate): no new token, the mix moved."""
        report = self._report(lambda rng, words, p: [" ".join(rng.choice(words[-4:], rng.integers(5, 12)))
                                                     for _ in range(3000)])
        assert "text_shift" in self._alarms(report) and "unseen_tokens" not in self._alarms(report)
