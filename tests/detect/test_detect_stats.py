"""Statistics: tests behave as tests (calibrated under no change), BH, JS distance."""

from __future__ import annotations

import numpy as np
import pytest

from featurewatch.detect import stats


class TestRateTest:
    def test_same_rate_is_not_significant(self):
        assert stats.rate_increase_pvalue(100, 10000, 10, 1000) > 0.3

    def test_increase_is_significant_and_decrease_is_not(self):
        assert stats.rate_increase_pvalue(100, 10000, 50, 1000) < 1e-6
        assert stats.rate_increase_pvalue(100, 10000, 0, 1000) > 0.5

    def test_fisher_and_z_agree_roughly(self):
        small = stats.rate_increase_pvalue(5, 1000, 12, 1000)
        from scipy.stats import fisher_exact

        assert small == pytest.approx(fisher_exact([[12, 988], [5, 995]], alternative="greater").pvalue)

    def test_calibrated_under_no_change(self):
        """With equal true rates, p < 0.05 about 5% of the time (not far more)."""
        rng = np.random.default_rng(0)
        p = [stats.rate_increase_pvalue(int(rng.binomial(20000, 0.1)), 20000, int(rng.binomial(2000, 0.1)), 2000)
             for _ in range(400)]
        assert np.mean(np.asarray(p) < 0.05) < 0.09


class TestContingency:
    def test_two_samples_of_one_distribution(self):
        """Large windows from the same distribution are not 'significant' (two-sample, not fixed proportions)."""
        rng = np.random.default_rng(1)
        probs = [0.5, 0.3, 0.15, 0.05]
        p = [stats.contingency_pvalue(rng.multinomial(200000, probs), rng.multinomial(1000000, probs))
             for _ in range(100)]
        assert np.mean(np.asarray(p) < 0.01) < 0.05

    def test_shift_is_significant(self):
        assert stats.contingency_pvalue([500, 300, 200], [200, 300, 500]) < 1e-10

    def test_sparse_cells_are_merged(self):
        """Cells with tiny expected counts do not blow the statistic up."""
        assert stats.contingency_pvalue([1000, 1000, 0, 0], [1000, 1000, 1, 0], ordered=True) > 0.05

    def test_empty_side(self):
        assert stats.contingency_pvalue([1, 2], [0, 0]) == 1.0


class TestEffectAndFdr:
    def test_js_distance_bounds(self):
        assert stats.js_distance([1, 2, 3], [2, 4, 6]) == pytest.approx(0.0, abs=1e-9)
        assert stats.js_distance([1, 0], [0, 1]) == pytest.approx(1.0)
        assert 0 < stats.js_distance([50, 50], [60, 40]) < 0.1

    def test_benjamini_hochberg(self):
        p = [0.01, 0.04, 0.03, 0.005]
        q = stats.benjamini_hochberg(p)
        assert q == pytest.approx([0.02, 0.04, 0.04, 0.02])
        assert all(qi >= pi for qi, pi in zip(q, p))
        assert stats.benjamini_hochberg([]) == []


class TestAgainstScipyStats:
    """The scipy.special implementations agree with scipy.stats on random tables."""

    def test_fisher(self):
        from scipy.stats import fisher_exact

        rng = np.random.default_rng(3)
        for _ in range(50):
            total, base_total = int(rng.integers(5, 3000)), int(rng.integers(5, 30000))
            hits, base_hits = int(rng.integers(0, min(total, 25))), int(rng.integers(0, min(base_total, 25)))
            expected = fisher_exact([[hits, total - hits], [base_hits, base_total - base_hits]],
                                    alternative="greater").pvalue
            assert stats.fisher_greater(hits, total, base_hits, base_total) == pytest.approx(expected, rel=1e-6,
                                                                                             abs=1e-12)

    def test_chi_square_and_js(self):
        from scipy.spatial.distance import jensenshannon
        from scipy.stats import chi2_contingency

        rng = np.random.default_rng(4)
        for _ in range(30):
            b, w = rng.integers(20, 500, 6), rng.integers(20, 500, 6)
            assert stats.contingency_pvalue(b, w) == pytest.approx(
                chi2_contingency(np.vstack([b, w]), correction=False).pvalue, rel=1e-6)
            assert stats.js_distance(b, w) == pytest.approx(jensenshannon(b / b.sum(), w / w.sum(), base=2))

    def test_z_test(self):
        from scipy.stats import norm

        p = stats.rate_increase_pvalue(1000, 20000, 130, 2000)
        pooled = 1130 / 22000
        z = (130 / 2000 - 1000 / 20000) / np.sqrt(pooled * (1 - pooled) * (1 / 2000 + 1 / 20000))
        assert p == pytest.approx(norm.sf(z))
