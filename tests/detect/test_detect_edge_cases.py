"""Odd inputs never crash: all-null training features, empty windows, only-new categories, mistyped values."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from featurewatch.baseline import BaselineOptions, build_baseline
from featurewatch.detect import detect_profile, run_detection
from featurewatch.errors import BaselineError, ConfigError
from featurewatch.profile import LocalSource
from helpers import (
    END,
    START,
    profile_frame,
    raw_record,
    synthetic_frame,
    write_records,
)


class TestEdgeCases:
    def test_feature_all_null_in_training(self):
        training = synthetic_frame(2000, seed=1).assign(empty=np.nan, empty_text=None)
        baseline = build_baseline(training, BaselineOptions(model="synth", versions=("1.0",)))
        with_values = synthetic_frame(2000, seed=2).assign(empty=5.0, empty_text="now there is text")
        report = detect_profile(baseline, profile_frame(baseline, with_values))
        assert not any(f.feature in ("empty", "empty_text") and f.severity != "info" and f.check != "type_mismatch"
                       for f in report.findings if f.check not in ("numeric_shift", "out_of_range"))
        still_null = synthetic_frame(2000, seed=3).assign(empty=np.nan, empty_text=None)
        assert not [f for f in detect_profile(baseline, profile_frame(baseline, still_null)).findings
                    if f.feature in ("empty", "empty_text")]

    def test_empty_window_from_files(self, synth, tmp_path):
        report = run_detection(synth, LocalSource(tmp_path), START, END)
        assert report.records == 0 and [f.check for f in report.findings] == ["no_data"]

    def test_only_unseen_categories(self, synth):
        window = synthetic_frame(2000, seed=5).assign(colour="purple", merchant="brand-new", member="maybe")
        report = detect_profile(synth, profile_frame(synth, window, prediction="score"))
        alarms = {(f.check, f.feature) for f in report.findings if f.severity == "critical"}
        assert {("unseen_category", "colour"), ("unseen_category", "merchant")} <= alarms
        # One cause, one finding: new values are not also a shift of the (empty) known mix.
        assert ("category_shift", "colour") not in alarms
        # A string in a boolean is a value of the wrong JSON type, not a new category.
        assert ("type_mismatch", "member") in alarms and ("unseen_category", "member") not in alarms

    def test_mistyped_values_from_files(self, synth, tmp_path):
        """Mistyped values in real files: counted, reported as type_mismatch, nothing crashes."""
        good = {"amount": 150.0, "age": 40, "ratio": 0.3, "colour": "red", "merchant": "m1", "member": False,
                "note": "word1 word3", "user_id": "u9"}
        records = [raw_record(dict(good), row=i) for i in range(300)]
        for i in range(0, 300, 10):
            records[i]["features"]["amount"] = "150 EUR"
        write_records(tmp_path, records)
        report = run_detection(synth, LocalSource(tmp_path, workers=1), START, END)
        mismatch = [f for f in report.findings if f.check == "type_mismatch"]
        assert [(f.feature, f.severity) for f in mismatch] == [("amount", "critical")]
        assert "30 of 300" in mismatch[0].message

    def test_wrong_model_profile(self, synth):
        profile = profile_frame(synth, synthetic_frame(10, seed=1))
        with pytest.raises(BaselineError, match="model"):
            detect_profile(dataclasses.replace(synth, model="other"), profile)

    def test_backwards_window(self, synth, tmp_path):
        with pytest.raises(ConfigError, match="not after"):
            run_detection(synth, LocalSource(tmp_path), END, START)

    def test_metrics_per_feature(self, synth):
        report = detect_profile(synth, profile_frame(synth, synthetic_frame(3000, seed=6), prediction="score"))
        by_feature = {m["feature"]: m for m in report.metrics}
        assert set(by_feature) == set(synth.features) | {"prediction"}
        from featurewatch.es.layout import METRIC_FIELDS

        assert all(set(m) <= set(METRIC_FIELDS) for m in report.metrics)
        assert by_feature["note"]["unseen_token_rate"] is not None
        assert by_feature["colour"]["drift_score"] < 0.1 and by_feature["amount"]["drift_score"] < 0.1
        assert by_feature["ratio"]["null_rate"] == pytest.approx(by_feature["ratio"]["baseline_null_rate"], abs=0.01)
