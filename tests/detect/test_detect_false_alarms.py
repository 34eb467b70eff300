"""Windows drawn from the training distribution raise nothing at warning or above, at every size."""

from __future__ import annotations

import numpy as np
import pytest

from featurewatch.detect import DetectConfig, detect_profile
from helpers import diabetes_frame, profile_frame, synthetic_frame


def _warnings(report):
    return [f for f in report.findings if f.severity in ("warning", "critical")]


class TestNoFalseAlarms:
    @pytest.mark.parametrize("size", [1_000, 10_000, 100_000, 1_000_000])
    def test_synthetic_windows(self, synth, size):
        """A fresh sample of the synthetic distribution, from a thousand to a million records."""
        window = synthetic_frame(size, seed=1000 + size % 97)
        report = detect_profile(synth, profile_frame(synth, window, prediction="score"))
        assert report.records == size
        assert _warnings(report) == []

    @pytest.mark.parametrize("size", [1_000, 10_000, 100_000, 1_000_000])
    def test_real_dataset_windows(self, diabetes, size):
        """Bootstrap samples of the real diabetes patients (the empirical training distribution)."""
        real = diabetes_frame()
        window = real.iloc[np.random.default_rng(size).integers(0, len(real), size)].reset_index(drop=True)
        report = detect_profile(diabetes, profile_frame(diabetes, window, prediction="target",
                                                        versions={"2.0": size}))
        assert _warnings(report) == []

    def test_many_clean_windows(self, synth):
        """Twenty independent clean windows of 2,000 records: still no warning."""
        for seed in range(20):
            report = detect_profile(synth, profile_frame(synth, synthetic_frame(2000, seed=500 + seed),
                                                         prediction="score"))
            assert _warnings(report) == [], (seed, report.findings)


class TestSmallWindows:
    def test_tiny_window_is_info_only(self, synth):
        """Below min_records the window gets one info finding saying there is not enough data."""
        report = detect_profile(synth, profile_frame(synth, synthetic_frame(40, seed=3), prediction="score"))
        assert [(f.check, f.severity) for f in report.findings] == [("no_data", "info")]
        assert "not enough data" in report.findings[0].message

    def test_tiny_faulty_window_is_not_an_alarm(self, synth):
        """Even a shifted distribution in 40 records is not enough evidence for an alarm."""
        window = synthetic_frame(40, seed=3).assign(ratio=lambda f: f["ratio"] * 1.8)
        report = detect_profile(synth, profile_frame(synth, window, prediction="score"))
        assert _warnings(report) == []

    def test_small_denominators_give_info(self, synth):
        """A window above min_records whose text values are too few for the token test: info, not alarm."""
        window = synthetic_frame(150, seed=8)
        window.loc[window.index[5:], "note"] = None
        config = DetectConfig.from_table({"unseen_tokens": {"min_count": 100}})
        report = detect_profile(synth, profile_frame(synth, window, prediction="score"), config)
        infos = [(f.check, f.feature) for f in report.findings if f.severity == "info"]
        assert ("unseen_tokens", "note") in infos
