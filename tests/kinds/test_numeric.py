"""The numeric kind: edges learnt from training, counting on them, its aggregations and checks."""

from __future__ import annotations

import numpy as np
from kindtools import counted, counted_arrow, learnt

from featurewatch.detect.check import CheckInput, Thresholds
from featurewatch.kinds.numeric import KIND, NUMERIC_SHIFT, OUT_OF_RANGE, range_buckets


class TestLearn:
    def test_edges_span_the_training_range(self):
        """e1 is the minimum, ek the next float above the maximum: outer bins hold out-of-range values only."""
        values = list(np.random.default_rng(1).normal(size=5000))
        f = learnt("numeric", values)
        assert f.edges[0] == min(values) and f.edges[-1] == np.nextafter(max(values), np.inf)
        assert 10 <= len(f.edges) <= 21 and f.std is not None

    def test_non_numbers_do_not_shape_the_edges(self):
        assert learnt("numeric", [1, 2, "3", True, 2]).edges == [1.0, 2.0, float(np.nextafter(2, np.inf))]


class TestCount:
    def test_python_and_arrow_paths_agree(self):
        f = learnt("numeric", list(range(100)))
        values = [-5.0, 0.0, 3.5, 99.0, 150.0]
        assert counted(f, values) == counted_arrow(f, values)

    def test_lower_edge_inclusive_and_violations(self):
        f = learnt("numeric", [1, 2, 3])
        target = counted(f, [0.5, 1, 2, 3, 3.5, "12", True, {"a": 1}, [1]])
        assert target.bins == [1, 1, 1, 1, 1] and target.violations == 4
        assert (target.minimum, target.maximum, target.total) == (0.5, 3.5, 10.0)

    def test_aggregation_ranges_are_the_local_bins(self):
        """A range aggregation counts [from, to): the same bins as searchsorted(side="right")."""
        assert range_buckets([1.0, 2.0]) == [{"to": 1.0}, {"from": 1.0, "to": 2.0}, {"from": 2.0}]
        f = learnt("numeric", [1, 2, 3])
        aggs = KIND.aggregations(f, lambda t: f"values.{t}.x", "f0")
        assert set(aggs) == {"f0_range", "f0_stats"} and aggs["f0_range"]["range"]["field"] == "values.number.x"

    def test_only_json_numbers_are_accepted(self):
        assert KIND.accepted_types(learnt("numeric", [1, 2, 3])) == {"number"}

    def test_parse_fills_bins_and_stats(self):
        f = learnt("numeric", [1, 2, 3])
        target = KIND.empty(f)
        target.present, target.nulls = 10, 2
        answer = {"f0_range": {"buckets": [{"doc_count": c} for c in (0, 2, 2, 2, 0)]},
                  "f0_stats": {"count": 6, "min": 1.0, "max": 3.0, "sum": 12.0}}
        KIND.parse(target, f, answer, "f0")
        assert target.bins == [0, 2, 2, 2, 0] and target.total == 12.0 and target.minimum == 1.0


class TestChecks:
    def _input(self, reference, window, **thresholds):
        f = learnt("numeric", reference)
        ref, w = counted(f, reference), counted(f, window)
        ref.present = len(reference)
        w.present = len(window)
        return CheckInput(feature=f, reference=ref, reference_records=len(reference), window=w,
                          records=len(window), thresholds=Thresholds(**thresholds))

    def test_shift_measures_the_distance_on_the_bins(self):
        rng = np.random.default_rng(2)
        same = NUMERIC_SHIFT.run(self._input(list(rng.normal(size=4000)), list(rng.normal(size=2000))))
        moved = NUMERIC_SHIFT.run(self._input(list(rng.normal(size=4000)), list(rng.normal(2, 1, 2000))))
        assert same[0].effect < 0.05 and moved[0].effect > 0.4 and moved[0].p_value < 1e-10

    def test_out_of_range_and_too_few_numbers(self):
        rng = np.random.default_rng(3)
        reference = list(rng.normal(size=4000))
        hit = OUT_OF_RANGE.run(self._input(reference, [100.0] * 50 + [0.0] * 950))
        assert hit[0].observed_value == 0.05 and "outside the training range" in hit[0].message
        few = NUMERIC_SHIFT.run(self._input(reference, [0.0] * 10, min_count=100))
        assert few[0].note and "not enough data" in few[0].message
