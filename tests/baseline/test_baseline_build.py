"""Building baselines: kinds, counts, novelty estimates, overrides, from logs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from featurewatch.baseline import (
    BaselineOptions,
    baseline_from_logs,
    build_baseline,
    infer_kind,
)
from featurewatch.errors import DataError
from featurewatch.kinds.categorical import expected_new
from helpers import END, START, synthetic_frame, write_logs


class TestKinds:
    def test_inferred_kinds(self, synth):
        kinds = {name: f.kind for name, f in synth.features.items()}
        assert kinds == {"amount": "numeric", "age": "numeric", "ratio": "numeric", "colour": "categorical",
                         "merchant": "categorical", "member": "boolean", "note": "text", "user_id": "identifier"}
        assert synth.prediction is not None and synth.prediction.name == "prediction"

    @pytest.mark.parametrize("values,kind", [
        ([1, 2, None, 4], "numeric"),
        ([True, False, None], "boolean"),
        ([None, None], "identifier"),
        (["a", "b", "a", "c"], "categorical"),
        (["the quick brown fox", "jumps over the dog", "a b c d"], "text"),
        ([f"id-{i}" for i in range(100)], "identifier"),
        ([1.5] * 99 + ["oops"], "numeric"),
    ])
    def test_infer_kind(self, values, kind):
        assert infer_kind(pd.Series(values, dtype=object if None in values or "oops" in values else None)) == kind

    def test_overrides_exclude_and_prediction(self):
        frame = synthetic_frame(500, seed=2)
        options = BaselineOptions(model="m", kinds={"age": "categorical", "note": "categorical"},
                                  exclude=frozenset({"user_id"}), prediction="score")
        baseline = build_baseline(frame, options)
        assert baseline.features["age"].kind == "categorical" and baseline.features["note"].kind == "categorical"
        assert "user_id" not in baseline.features and "score" not in baseline.features

    def test_unknown_column_or_kind_is_a_data_error(self):
        frame = synthetic_frame(50, seed=2)
        with pytest.raises(DataError, match="not in the data: nope"):
            build_baseline(frame, BaselineOptions(model="m", exclude=frozenset({"nope"})))
        with pytest.raises(DataError, match="unknown kind"):
            build_baseline(frame, BaselineOptions(model="m", kinds={"age": "fancy"}))
        with pytest.raises(DataError, match="no rows"):
            build_baseline(frame.iloc[:0], BaselineOptions(model="m"))


def _expected_new_rate(feature):
    new, total = expected_new(feature, feature.reference)
    return new / total


class TestCounts:
    def test_numeric_bins(self, synth):
        """Edges start at the minimum and end just above the maximum; counts add up; outer bins empty."""
        f = synth.features["amount"]
        ref = f.reference
        assert f.edges[0] == ref.minimum and f.edges[-1] > ref.maximum
        assert f.edges[-1] == np.nextafter(ref.maximum, np.inf)
        assert sum(ref.bins) == ref.numbers == 20000 and ref.bins[0] == 0 and ref.bins[-1] == 0
        assert 10 <= len(f.edges) <= 21

    def test_few_distinct_values_get_one_bin_each(self):
        frame = pd.DataFrame({"k": [1, 2, 2, 3, 3, 3]})
        ref = build_baseline(frame, BaselineOptions(model="m")).features["k"].reference
        assert ref.bins[1:-1] == [1, 2, 3]

    def test_nulls_and_rates(self, synth):
        ratio = synth.features["ratio"]
        assert ratio.present == 20000 and 0.01 < ratio.null_rate < 0.03

    def test_all_null_column(self):
        """Nothing but presence and nulls can be learnt from a column of nulls: an identifier, with a warning."""
        frame = pd.DataFrame({"empty": [np.nan] * 10, "x": range(10)})
        feature = build_baseline(frame, BaselineOptions(model="m")).features["empty"]
        assert feature.null_rate == 1.0 and feature.kind == "identifier"
        assert feature.warnings == ["every value is null in the training data: only presence and nulls can be watched"]

    def test_novelty_closed_versus_open(self, synth):
        """A closed field expects no new values; a long-tailed one expects some (Good–Turing)."""
        assert _expected_new_rate(synth.features["colour"]) == 0.0
        merchant = synth.features["merchant"]
        assert _expected_new_rate(merchant) == merchant.singletons / merchant.values > 0

    def test_category_cap_moves_mass_to_unseen(self):
        """Values beyond the kept categories are counted as unseen, and expected as new."""
        frame = pd.DataFrame({"c": [f"v{i % 1500}" for i in range(6000)]})
        feature = build_baseline(frame, BaselineOptions(model="m", kinds={"c": "categorical"})).features["c"]
        assert len(feature.known) == 1000 and feature.reference.unseen_total == 2000
        assert _expected_new_rate(feature) == pytest.approx(2000 / 6000)

    def test_vocabulary_counts_distinct_tokens_per_record(self):
        frame = pd.DataFrame({"t": ["pay pay the bill", "the bill is due now", "x y z w"] * 10})
        feature = build_baseline(frame, BaselineOptions(model="m")).features["t"]
        assert feature.vocabulary["pay"] == 10 and feature.vocabulary["the"] == 20
        assert feature.reference.tokens == 10 * (3 + 5 + 4) and feature.reference.unseen_tokens == 0


class TestFromLogs:
    def test_baseline_from_logged_records(self, tmp_path):
        frame = synthetic_frame(800, seed=12).drop(columns=["score"])
        frame.loc[frame.index[:200], "age"] = np.nan
        write_logs(tmp_path, frame, model="synth", version="1.3")
        baseline = baseline_from_logs(tmp_path, BaselineOptions(model="synth"), START, END)
        assert baseline.rows == 800 and baseline.versions == ["1.3"]
        assert baseline.features["age"].nulls == 200 and baseline.features["age"].present == 800
        assert baseline.features["note"].kind == "text"

    def test_no_records_is_a_data_error(self, tmp_path):
        with pytest.raises(DataError, match="no records of model 'synth'"):
            baseline_from_logs(tmp_path, BaselineOptions(model="synth"), START, END)
