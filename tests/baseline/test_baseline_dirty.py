"""Dirty training data gets a clear word: errors for what cannot be right, warnings kept in the file
for what is probably wrong (issue 15 items 4 and 5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from featurewatch.baseline import BaselineOptions, build_baseline, load_baseline, save_baseline
from featurewatch.baseline.build import kind_overrides
from featurewatch.baseline.files import baseline_from_file
from featurewatch.datafiles import csv_delimiter, read_table
from featurewatch.errors import DataError


def _numbers_with(bad: list[str], n: int = 400) -> list[str]:
    values = [str(round(10 + i * 0.37, 2)) for i in range(n - len(bad))]
    return values + bad


class TestErrors:
    def test_duplicated_csv_columns_are_named(self, tmp_path):
        path = tmp_path / "t.csv"
        path.write_text("a,b,a,c,c\n1,2,3,4,5\n")
        with pytest.raises(DataError, match=r"column names appear more than once: 'a', 'c'") as error:
            baseline_from_file(path, BaselineOptions(model="m"))
        assert error.value.exit_code == 2

    def test_duplicated_dataframe_columns_are_named(self):
        frame = pd.DataFrame([[1, 2, 3]], columns=["a", "b", "a"])
        with pytest.raises(DataError, match="column names appear more than once: 'a'"):
            build_baseline(frame, BaselineOptions(model="m"))

    @pytest.mark.parametrize("given,message", [
        ({"text": ["c"], "categorical": ["c"]}, "'c' is given --text and --categorical"),
        ({"numeric": ["x"], "boolean": ["x"], "identifier": ["x"]}, "'x' is given --numeric and --boolean and "
                                                                   "--identifier"),
    ])
    def test_a_column_given_two_kinds(self, given, message):
        with pytest.raises(DataError, match=message):
            kind_overrides(given)

    def test_a_column_given_a_kind_and_excluded(self):
        with pytest.raises(DataError, match="'c' is given --text and --exclude"):
            kind_overrides({"text": ["c"]}, exclude=["c"])

    def test_the_same_kind_twice_is_fine(self):
        assert kind_overrides({"text": ["c", "c"], "numeric": ["n"]}) == {"c": "text", "n": "numeric"}


class TestNumericStrings:
    def test_a_few_cells_that_are_not_numbers(self, tmp_path):
        """Numbers with a few `unknown` or `12,5` cells are numeric; the others are violations, counted."""
        path = tmp_path / "t.csv"
        pd.DataFrame({"income": _numbers_with(["unknown", "12,5", "unknown"])}).to_csv(path, index=False)
        feature = baseline_from_file(path, BaselineOptions(model="m")).features["income"]
        assert feature.kind == "numeric" and feature.violations == 3 and feature.reference.numbers == 397
        assert len(feature.edges) > 2
        assert feature.warnings == ["3 of 400 values are not numbers (for example 'unknown', '12,5'): "
                                    "kept as type violations"]

    def test_numeric_option_on_numeric_strings_gives_bins(self, tmp_path):
        """--numeric on a column with too many bad cells to be inferred numeric still reads the numbers."""
        path = tmp_path / "t.csv"
        pd.DataFrame({"x": _numbers_with(["n/a?"] * 40)}).to_csv(path, index=False)
        assert baseline_from_file(path, BaselineOptions(model="m")).features["x"].kind != "numeric"
        feature = baseline_from_file(path, BaselineOptions(model="m", kinds={"x": "numeric"})).features["x"]
        assert feature.kind == "numeric" and feature.reason == "set by --numeric"
        assert feature.reference.numbers == 360 and feature.violations == 40 and len(feature.edges) > 2

    def test_numeric_kind_on_a_dataframe_of_strings(self):
        frame = pd.DataFrame({"x": _numbers_with(["?"])})
        feature = build_baseline(frame, BaselineOptions(model="m", kinds={"x": "numeric"})).features["x"]
        assert feature.reference.numbers == 399 and feature.violations == 1


class TestWarnings:
    def test_all_null_and_constant_columns(self):
        frame = pd.DataFrame({"empty": [None] * 60, "same": ["x"] * 60, "zero": [0] * 60,
                              "fine": [f"v{i % 5}" for i in range(60)]})
        features = build_baseline(frame, BaselineOptions(model="m")).features
        assert features["empty"].warnings == [
            "every value is null in the training data: only presence and nulls can be watched"]
        assert features["same"].warnings == [
            "every value is 'x': a constant column (only nulls, absence and other values can be seen)"]
        assert features["zero"].warnings == [
            "every value is '0': a constant column (only nulls, absence and other values can be seen)"]
        assert features["fine"].warnings == []

    @pytest.mark.parametrize("name", ["prediction", "score", "target", "label", "y", "pred_default", "proba_1",
                                      "Score"])
    def test_a_column_named_like_the_prediction(self, name):
        frame = pd.DataFrame({"age": np.arange(60), name: np.linspace(0, 1, 60)})
        feature = build_baseline(frame, BaselineOptions(model="m")).features[name]
        assert feature.warnings == [
            f"named like a model's prediction: if it is one, give --prediction {name} (logged records carry the "
            f"prediction apart from the features, so as a feature it would be missing from every record)"]

    def test_no_hint_when_the_prediction_is_given(self):
        frame = pd.DataFrame({"age": np.arange(60), "score": np.linspace(0, 1, 60), "label": ["a", "b"] * 30})
        baseline = build_baseline(frame, BaselineOptions(model="m", prediction="score"))
        assert all(not f.warnings for f in baseline.monitored())

    def test_warnings_are_kept_in_the_file(self, tmp_path):
        frame = pd.DataFrame({"empty": [None] * 60, "score": np.linspace(0, 1, 60)})
        baseline = build_baseline(frame, BaselineOptions(model="m"))
        again = load_baseline(save_baseline(baseline, tmp_path / "b.json"))
        assert {n: f.warnings for n, f in again.features.items()} == {
            n: f.warnings for n, f in baseline.features.items()} and again.features["score"].warnings


class TestDelimiter:
    @pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
    def test_found_and_used(self, tmp_path, delimiter):
        path = tmp_path / "t.csv"
        path.write_text(delimiter.join(["a", "b", "c"]) + "\n" +
                        "".join(delimiter.join([str(i), f"x{i % 3}", "1,5"]) + "\n" for i in range(30)))
        assert csv_delimiter(path) == delimiter
        frame = read_table(path)
        assert list(frame.columns) == ["a", "b", "c"] and len(frame) == 30

    def test_a_semicolon_csv_is_recorded_in_the_source(self, tmp_path):
        path = tmp_path / "t.csv"
        path.write_text("age;city\n" + "".join(f"{20 + i % 50};c{i % 4}\n" for i in range(100)))
        baseline = baseline_from_file(path, BaselineOptions(model="m"))
        assert set(baseline.features) == {"age", "city"} and baseline.source["delimiter"] == ";"
        assert baseline.features["age"].kind == "numeric"
