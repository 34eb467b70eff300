"""The categorical kind (and boolean, its variant): known keys, counting by key, aggregations, checks."""

from __future__ import annotations

from kindtools import counted, counted_arrow, learnt

from featurewatch.detect.check import CheckInput, Thresholds
from featurewatch.kinds.categorical import CATEGORY_SHIFT, KIND, UNSEEN_CATEGORY, expected_new


class TestLearn:
    def test_known_keys_by_frequency_and_good_turing_figures(self):
        f = learnt("categorical", ["a"] * 5 + ["b"] * 3 + ["c", "d"])
        assert f.known == ["a", "b", "c", "d"] and (f.distinct, f.singletons) == (4, 2)

    def test_integral_floats_meet_ints(self):
        """CSV columns with gaps turn ints into floats: 3 and 3.0 are one category."""
        assert learnt("categorical", [3, 3.0, 4]).known == ["3", "4"]


class TestCount:
    def test_python_and_arrow_paths_agree(self):
        f = learnt("categorical", ["a", "b", "b"])
        values = ["a", "b", "zz", "zz", "q"]
        assert counted(f, values) == counted_arrow(f, values)

    def test_numeric_keys_parse_natively(self):
        f = learnt("categorical", [1, 2, 2])
        assert counted(f, [1, 2.0, 9]) == counted_arrow(f, [1.0, 2.0, 9.0])

    def test_objects_and_arrays_are_violations(self):
        f = learnt("categorical", ["a"])
        target = counted(f, ["a", {"k": 1}, [1, 2], "new"])
        assert (target.categories, target.unseen_total, target.violations) == ({"a": 1}, 1, 2)

    def test_aggregations_ask_the_field_of_each_training_type_only(self):
        f = learnt("categorical", ["a", "b"])
        aggs = KIND.aggregations(f, lambda t: f"values.{t}.x", "f1")
        assert set(aggs) == {"f1_string_known", "f1_string_unseen"}
        assert aggs["f1_string_known"]["terms"] == {"field": "values.string.x", "size": 2, "include": ["a", "b"]}
        assert aggs["f1_string_unseen"]["terms"]["exclude"] == ["a", "b"]
        mixed = KIND.aggregations(learnt("categorical", [1, "1", "b"]), lambda t: f"values.{t}.x", "f1")
        assert mixed["f1_number_known"]["terms"]["include"] == [1.0]  # a number field is asked numbers

    def test_parse_merges_types_and_leaves_violations_out_of_unseen(self):
        f = learnt("categorical", ["a", "b"])
        target = KIND.empty(f)
        target.present, target.violations = 12, 2
        KIND.parse(target, f, {"f1_string_known": {"buckets": [{"key": "a", "doc_count": 6}]},
                               "f1_string_unseen": {"buckets": [{"key": "zz", "doc_count": 4}]}}, "f1")
        assert (target.categories, target.unseen_total, target.unseen) == ({"a": 6}, 4, {"zz": 4})

    def test_boolean_fields_are_asked_without_include(self):
        f = learnt("boolean", [True, False])
        assert KIND.aggregations(f, lambda t: f"values.{t}.x", "f2") == {
            "f2_boolean_known": {"terms": {"field": "values.boolean.x", "size": 2}}}
        assert KIND.accepted_types(f) == {"boolean"}  # "true" as a string is a violation


class TestChecks:
    def _input(self, reference, window):
        f = learnt("categorical", reference)
        ref, w = counted(f, reference), counted(f, window)
        ref.present, w.present = len(reference), len(window)
        return CheckInput(feature=f, reference=ref, reference_records=len(reference), window=w,
                          records=len(window), thresholds=Thresholds(min_unseen=3))

    def test_closed_field_expects_no_new_values(self):
        inp = self._input(["a", "b"] * 500, ["a", "b"] * 240 + ["new"] * 20)
        assert expected_new(inp.feature, inp.reference) == (0, 1000)
        [candidate] = UNSEEN_CATEGORY.run(inp)
        assert candidate.warning == 0.0 and candidate.gate and "'new' ×20" in candidate.message

    def test_mix_shift(self):
        [candidate] = CATEGORY_SHIFT.run(self._input(["a"] * 500 + ["b"] * 500, ["a"] * 900 + ["b"] * 100))
        assert candidate.effect > 0.3 and candidate.p_value < 1e-10
