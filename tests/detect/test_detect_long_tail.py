"""Open, long-tailed categorical fields raise nothing on unchanged data, whatever the window's size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from featurewatch.baseline import BaselineOptions, build_baseline
from featurewatch.detect import detect_profile
from featurewatch.profile.frame import profile_frame


def _tail_numbers(n: int, seed: int) -> pd.DataFrame:
    """Tail numbers and operators: thousands of sparse values, many seen once (like aircraft registrations)."""
    rng = np.random.default_rng(seed)
    tails = 1.0 / np.arange(1, 5001) ** 0.9
    operators = 1.0 / np.arange(1, 401) ** 1.3
    return pd.DataFrame({
        "tail": [f"N{v:05d}" for v in rng.choice(5000, n, p=tails / tails.sum())],
        "operator": [f"op{v}" for v in rng.choice(400, n, p=operators / operators.sum())],
        "delay": rng.gamma(2.0, 10.0, n),
    })


@pytest.fixture(scope="module")
def long_tail():
    return build_baseline(_tail_numbers(20_000, seed=1),
                          BaselineOptions(model="flights", versions=("1",), kinds={"tail": "categorical"}))


@pytest.mark.parametrize("records", [1_000, 20_000, 200_000])
def test_unchanged_windows_raise_nothing(long_tail, records):
    window = _tail_numbers(records, seed=records)
    report = detect_profile(long_tail, profile_frame(long_tail, window, versions={"1": records}))
    alarms = [(f.check, f.feature, f.statistic) for f in report.findings if f.severity != "info"]
    assert alarms == []


def test_a_real_change_of_the_known_mix_is_still_found(long_tail):
    """The biggest operator loses most of its traffic to the others: a shift of known values."""
    window = _tail_numbers(20_000, seed=9)
    biggest = window["operator"] == "op0"
    window.loc[biggest[biggest].index[: int(biggest.sum() * 0.8)], "operator"] = "op1"
    report = detect_profile(long_tail, profile_frame(long_tail, window, versions={"1": 20_000}))
    shifts = [f for f in report.findings if f.check == "category_shift" and f.feature == "operator"]
    assert shifts and shifts[0].severity != "info" and "op0" in shifts[0].observed
