"""The statistics behind the checks: two-sample tests, effect sizes, FDR control.

* Rates (nulls, absences, new categories, unseen tokens, out-of-range values,
  type violations) are compared as two samples — the training count out of
  its total against the window's — with a one-sided test for an *increase*:
  Fisher's exact test when any cell is small, the pooled two-proportion
  z-test otherwise (they agree there, and the z-test is O(1)).
* Distributions (categories, numeric bins) are compared with a chi-square
  test on the 2×k contingency table of training and window counts, after
  merging cells whose expected count is below 5. The effect size is the
  Jensen–Shannon distance (base 2, between 0 and 1) of the two distributions.
* p-values of all tests in a run are adjusted with Benjamini–Hochberg.

Only ``scipy.special`` is used (``scipy.stats`` takes seconds to import,
which a cron job pays on every run), and only when a test is first computed:
the shipper imports the kinds, which declare their checks, and never tests
anything. The tests check these functions against ``scipy.stats``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from types import ModuleType

import numpy as np

__all__ = ["rate_increase_pvalue", "contingency_pvalue", "js_distance", "js_distance_corrected", "merge_sparse",
           "benjamini_hochberg", "MIN_EXPECTED"]

#: Cells of a contingency table with a smaller expected count are merged.
MIN_EXPECTED = 5.0
#: Below this many in the smallest 2×2 cell, rate tests use Fisher's exact test.
_FISHER_BELOW = 20


@functools.cache
def _scipy_special() -> ModuleType:
    from scipy import special

    return special


def rate_increase_pvalue(base_hits: int, base_total: int, hits: int, total: int) -> float:
    """One-sided p-value that the window's rate ``hits/total`` exceeds ``base_hits/base_total``."""
    if total <= 0 or base_total <= 0:
        return 1.0
    base_hits = min(max(base_hits, 0), base_total)
    hits = min(max(hits, 0), total)
    table = [[hits, total - hits], [base_hits, base_total - base_hits]]
    if min(min(row) for row in table) < _FISHER_BELOW:
        return fisher_greater(hits, total, base_hits, base_total)
    pooled = (hits + base_hits) / (total + base_total)
    if pooled <= 0.0 or pooled >= 1.0:
        return 1.0
    se = math.sqrt(pooled * (1 - pooled) * (1 / total + 1 / base_total))
    z = (hits / total - base_hits / base_total) / se
    return 0.5 * math.erfc(z / math.sqrt(2))


def fisher_greater(hits: int, total: int, base_hits: int, base_total: int) -> float:
    """Fisher's exact test, one-sided: P(window hits >= observed) given both margins (hypergeometric)."""
    successes = hits + base_hits
    population = total + base_total
    top = min(total, successes)
    if hits <= max(0, successes - base_total):
        return 1.0
    k = np.arange(hits, top + 1, dtype=float)
    log_pmf = (_log_choose(successes, k) + _log_choose(population - successes, total - k)
               - _log_choose(population, total))
    return float(min(1.0, np.exp(_scipy_special().logsumexp(log_pmf))))


def _log_choose(n: float, k: np.ndarray | float) -> np.ndarray:
    gammaln = _scipy_special().gammaln
    return gammaln(n + 1) - gammaln(np.asarray(k) + 1) - gammaln(n - np.asarray(k) + 1)


def _merge_small(base: np.ndarray, window: np.ndarray, ordered: bool) -> tuple[np.ndarray, np.ndarray]:
    """Merge cells with an expected count below MIN_EXPECTED (neighbours when ordered, else into one)."""
    total = base.sum() + window.sum()
    if total == 0:
        return base, window
    col = base + window
    expected_small = np.minimum(col * base.sum() / total, col * window.sum() / total) < MIN_EXPECTED
    if not expected_small.any():
        return base, window
    if not ordered:
        keep = ~expected_small
        merged_b = np.append(base[keep], base[expected_small].sum())
        merged_w = np.append(window[keep], window[expected_small].sum())
        return merged_b, merged_w
    out_b: list[float] = []
    out_w: list[float] = []
    acc_b = acc_w = 0.0
    for b, w in zip(base, window):
        acc_b += b
        acc_w += w
        col_total = acc_b + acc_w
        if min(col_total * base.sum() / total, col_total * window.sum() / total) >= MIN_EXPECTED:
            out_b.append(acc_b)
            out_w.append(acc_w)
            acc_b = acc_w = 0.0
    if acc_b or acc_w:
        if out_b:
            out_b[-1] += acc_b
            out_w[-1] += acc_w
        else:
            out_b.append(acc_b)
            out_w.append(acc_w)
    return np.asarray(out_b), np.asarray(out_w)


def contingency_pvalue(base: Sequence[float], window: Sequence[float], ordered: bool = False) -> float:
    """Chi-square two-sample test of two count vectors over the same cells."""
    b = np.asarray(base, dtype=float)
    w = np.asarray(window, dtype=float)
    if b.sum() == 0 or w.sum() == 0:
        return 1.0
    b, w = _merge_small(b, w, ordered)
    nonempty = (b + w) > 0
    b, w = b[nonempty], w[nonempty]
    if b.size < 2:
        return 1.0
    table = np.vstack([b, w])
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
    statistic = float(((table - expected) ** 2 / expected).sum())
    return float(_scipy_special().chdtrc(b.size - 1, statistic))


def js_distance(base: Sequence[float], window: Sequence[float]) -> float:
    """Jensen–Shannon distance (base 2, 0 = same, 1 = disjoint) between two count vectors."""
    b = np.asarray(base, dtype=float)
    w = np.asarray(window, dtype=float)
    if b.sum() == 0 or w.sum() == 0:
        return 0.0
    p, q = b / b.sum(), w / w.sum()
    m = (p + q) / 2
    rel_entr = _scipy_special().rel_entr
    divergence = 0.5 * (rel_entr(p, m).sum() + rel_entr(q, m).sum()) / math.log(2)
    return float(min(1.0, math.sqrt(max(0.0, divergence))))


def js_distance_corrected(base: Sequence[float], window: Sequence[float]) -> float:
    """Jensen–Shannon distance less what sampling noise alone gives two samples of one distribution.

    Two samples of sizes n1 and n2 from the same distribution over k cells
    have an expected JS divergence of about (k - 1)(1/n1 + 1/n2) / (8 ln 2)
    bits (the chi-square approximation); with many sparse cells that alone
    exceeds any useful threshold. Subtracting it gives an effect that does not
    depend on the sample sizes, so small windows of a long-tailed field are
    not "far" from training merely by being small.
    """
    b = np.asarray(base, dtype=float)
    w = np.asarray(window, dtype=float)
    if b.sum() == 0 or w.sum() == 0:
        return 0.0
    cells = int(((b + w) > 0).sum())
    raw = js_distance(base, window) ** 2
    noise = (cells - 1) * (1 / b.sum() + 1 / w.sum()) / (8 * math.log(2))
    return float(math.sqrt(max(0.0, raw - noise)))


def merge_sparse(base: Sequence[float], window: Sequence[float], labels: Sequence[str],
                 min_expected: float = MIN_EXPECTED) -> tuple[list[float], list[float], list[str]]:
    """Keep the cells whose expected window count is at least ``min_expected``; merge the rest into one.

    The expected count of a cell is its reference share times the window's
    total: a category too rare to be seen a few times in this window cannot
    tell anything about it on its own, but all of them together can.
    """
    base_total, window_total = float(sum(base)), float(sum(window))
    if base_total == 0 or window_total == 0:
        return list(base), list(window), list(labels)
    kept_b: list[float] = []
    kept_w: list[float] = []
    kept_labels: list[str] = []
    rest_b = rest_w = 0.0
    for b, w, label in zip(base, window, labels):
        if b / base_total * window_total >= min_expected:
            kept_b.append(b)
            kept_w.append(w)
            kept_labels.append(label)
        else:
            rest_b += b
            rest_w += w
    if rest_b or rest_w:
        kept_b.append(rest_b)
        kept_w.append(rest_w)
        kept_labels.append("(rare)")
    return kept_b, kept_w, kept_labels


def benjamini_hochberg(pvalues: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values (q-values), in the input order."""
    m = len(pvalues)
    if m == 0:
        return []
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        index = order[rank - 1]
        running = min(running, pvalues[index] * m / rank)
        adjusted[index] = min(1.0, running)
    return adjusted
