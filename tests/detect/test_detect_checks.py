"""Every check finds its injected fault, on the right feature, on a synthetic and a real dataset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from featurewatch.detect import detect_profile
from featurewatch.detect.report import Report
from featurewatch.kinds.categorical import expected_new
from helpers import diabetes_frame, profile_frame, synthetic_frame


def _expected_new_rate(feature):
    new, total = expected_new(feature, feature.reference)
    return new / total


def _alarms(report: Report) -> set[tuple[str, str | None]]:
    return {(f.check, f.feature) for f in report.findings if f.severity in ("warning", "critical")}


def _window(seed: int = 42, n: int = 5000) -> pd.DataFrame:
    return synthetic_frame(n, seed=seed)


def _mistype(frame: pd.DataFrame, column: str, share: float, value: object) -> pd.DataFrame:
    frame = frame.copy()
    frame[column] = frame[column].astype(object)
    rows = np.random.default_rng(0).random(len(frame)) < share
    frame.loc[rows, column] = value
    return frame


def _synthetic_faults() -> dict[str, tuple[str, object]]:
    """check → (feature, function making a faulty window from a clean one)."""
    rng = np.random.default_rng(9)

    def nulls(f: pd.DataFrame) -> pd.DataFrame:
        f = f.copy()
        f.loc[rng.random(len(f)) < 0.3, "amount"] = np.nan
        return f

    def reweight(f: pd.DataFrame) -> pd.DataFrame:
        return f.assign(colour=rng.choice(np.array(["red", "green", "blue", "black"], dtype=object), len(f),
                                          p=[0.1, 0.2, 0.3, 0.4]))

    def foreign_words(f: pd.DataFrame) -> pd.DataFrame:
        return f.assign(note=[f"palabra{i % 50} otra{i % 7} cosa" for i in range(len(f))])

    def out_of_range(f: pd.DataFrame) -> pd.DataFrame:
        f = f.copy()
        f.loc[rng.random(len(f)) < 0.05, "age"] = 150
        return f

    return {
        "vanished_feature": ("age", lambda f: f.drop(columns=["age"])),
        "na_spike": ("amount", nulls),
        "category_shift": ("colour", reweight),
        "unseen_category": ("colour", lambda f: f.assign(colour=f["colour"].replace({"green": "GREEN"}))),
        "unseen_tokens": ("note", foreign_words),
        "numeric_shift": ("ratio", lambda f: f.assign(ratio=f["ratio"] * 1.8)),
        "out_of_range": ("age", out_of_range),
        "type_mismatch": ("amount", lambda f: _mistype(f, "amount", 0.05, "12.50")),
    }


class TestSyntheticFaults:
    @pytest.mark.parametrize("check", sorted(_synthetic_faults()))
    def test_fault_is_found_on_its_feature(self, synth, check):
        """An injected fault gives a warning or critical finding of the right check on the right feature."""
        feature, inject = _synthetic_faults()[check]
        clean = _window()
        assert (check, feature) not in _alarms(detect_profile(synth, profile_frame(synth, clean, prediction="score")))
        report = detect_profile(synth, profile_frame(synth, inject(clean), prediction="score"))
        assert (check, feature) in _alarms(report), report.findings
        finding = next(f for f in report.findings if (f.check, f.feature) == (check, feature))
        assert finding.p_value is not None and finding.p_value <= 0.01
        assert finding.statistic >= finding.threshold

    def test_unexpected_version(self, synth):
        """Records from a model version the baseline does not list are flagged."""
        clean = _window()
        profile = profile_frame(synth, clean, prediction="score", versions={"1.0": 4500, "2.0-beta": 500})
        report = detect_profile(synth, profile)
        assert ("unexpected_version", "model_version") in _alarms(report)
        assert "2.0-beta" in next(f for f in report.findings if f.check == "unexpected_version").observed

    def test_prediction_shift(self, synth):
        """The prediction is watched like a feature, under the name "prediction"."""
        window = _window().assign(score=lambda f: np.clip(f["score"] + 0.3, 0, 1))
        assert ("numeric_shift", "prediction") in _alarms(detect_profile(synth, profile_frame(synth, window,
                                                                                              prediction="score")))

    def test_vanished_prediction_is_a_null_spike(self, synth):
        """A window whose records carry no prediction shows up as nulls of the prediction."""
        report = detect_profile(synth, profile_frame(synth, _window(), prediction=None))
        assert ("na_spike", "prediction") in _alarms(report)

    def test_no_data(self, synth):
        """An empty window is one no_data warning and nothing else."""
        report = detect_profile(synth, profile_frame(synth, _window().iloc[:0], prediction="score"))
        assert [(f.check, f.severity) for f in report.findings] == [("no_data", "warning")]
        assert report.records == 0


def _diabetes_window(n: int, seed: int) -> pd.DataFrame:
    real = diabetes_frame()
    rows = np.random.default_rng(seed).integers(0, len(real), n)
    return real.iloc[rows].reset_index(drop=True)


class TestRealDatasetFaults:
    """scikit-learn's diabetes data: windows are bootstrap samples of the real patients."""

    @pytest.mark.parametrize("check,feature,inject", [
        ("vanished_feature", "s1", lambda f: f.drop(columns=["s1"])),
        ("na_spike", "bmi", lambda f: f.assign(bmi=f["bmi"].where(np.arange(len(f)) % 4 != 0))),
        ("category_shift", "sex", lambda f: f.assign(sex=np.where(np.arange(len(f)) % 10 < 9, "male", "female"))),
        ("unseen_category", "sex", lambda f: f.assign(sex=f["sex"].replace({"male": "M"}))),
        ("numeric_shift", "bmi", lambda f: f.assign(bmi=f["bmi"] * 1.25)),
        ("out_of_range", "bp", lambda f: f.assign(bp=np.where(np.arange(len(f)) % 20 == 0, 400.0, f["bp"]))),
        ("type_mismatch", "s2", lambda f: _mistype(f, "s2", 0.1, "n/a")),
        ("numeric_shift", "prediction", lambda f: f.assign(target=f["target"] + 80)),
    ])
    def test_fault_is_found_on_its_feature(self, diabetes, check, feature, inject):
        window = _diabetes_window(5000, seed=3)
        clean = detect_profile(diabetes, profile_frame(diabetes, window, prediction="target", versions={"2.0": 5000}))
        assert _alarms(clean) == set()
        report = detect_profile(diabetes, profile_frame(diabetes, inject(window), prediction="target",
                                                        versions={"2.0": 5000}))
        assert (check, feature) in _alarms(report), report.findings

    def test_unexpected_version(self, diabetes):
        profile = profile_frame(diabetes, _diabetes_window(2000, seed=4), prediction="target",
                                versions={"2.0": 1000, "3.0": 1000})
        assert _alarms(detect_profile(diabetes, profile)) == {("unexpected_version", "model_version")}


class TestNovelty:
    def test_closed_field_alarms_on_a_few_new_values(self, synth):
        """colour never brought a new value in training: a handful of new values in 2,000 is a warning."""
        window = _window(n=2000)
        window.loc[window.index[:6], "colour"] = "purple"
        report = detect_profile(synth, profile_frame(synth, window, prediction="score"))
        assert ("unseen_category", "colour") in _alarms(report)

    def test_closed_field_shows_its_first_new_value_as_info(self, synth):
        """One new value in a closed field is not yet more than chance: no alarm, but an info finding naming it."""
        window = _window(n=2000)
        window.loc[window.index[:1], "colour"] = "purple"
        report = detect_profile(synth, profile_frame(synth, window, prediction="score"))
        assert ("unseen_category", "colour") not in _alarms(report)
        [info] = [f for f in report.findings if (f.check, f.feature) == ("unseen_category", "colour")]
        assert info.severity == "info" and "'purple' ×1" in info.message

    def test_open_field_takes_new_values_in_its_stride(self, synth):
        """merchant's long tail brings new values at the rate Good–Turing predicts: not an alarm."""
        window = _window(n=20000)
        rare = np.random.default_rng(1).random(len(window)) < _expected_new_rate(synth.features["merchant"])
        window.loc[rare, "merchant"] = [f"new-{i}" for i in range(int(rare.sum()))]
        report = detect_profile(synth, profile_frame(synth, window, prediction="score"))
        assert ("unseen_category", "merchant") not in _alarms(report)
        assert report.metrics[[m["feature"] for m in report.metrics].index("merchant")]["unseen_category_rate"] > 0


def test_severity_is_explained_in_words():
    """The reason for a severity reads as a sentence, not as `[rate_increase 1 ≥ 0.5, p<1e-300]`."""
    from featurewatch.detect.text import why

    assert why("js_distance", 0.981, 0.25, "critical", 1e-301) == (
        "critical because the Jensen–Shannon distance 0.98 is at least 0.25; not chance (p<1e-300, corrected for "
        "all checks of the window)")
    assert why("absent_rate_increase", 1.0, 0.5, "critical", None) == (
        "critical because 100.0 points more of the records lack it than in training, at least 50.0 points")
    assert why("rate_increase", 0.004, 0.0, "warning", None) == (
        "warning because the share is 0.4 points above the expected one, any rise alarms for this check")
    assert why("share", 0.04, 0.0, "warning", None) == (
        "warning because its share 4.0% is more than none, which alarms for this check")
    assert "than in recent traffic" in why("absent_rate_increase", 0.5, 0.05, "critical", None, "recent")
    assert why("rate_increase", 0.02, 0.005, "warning", 0.003).startswith(
        "warning because the share is 2.0 points above the expected one, at least 0.5 points; not chance (p=0.003")
