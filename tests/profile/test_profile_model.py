"""WindowProfile: merging is adding counts."""

from __future__ import annotations

from featurewatch.profile.model import UNSEEN_KEEP, FeatureProfile, top_counts
from helpers import profile_frame, synthetic_frame


class TestMerge:
    def test_merge_of_parts_is_the_whole(self, synth):
        frame = synthetic_frame(3000, seed=5)
        whole = profile_frame(synth, frame, prediction="score")
        parts = profile_frame(synth, frame.iloc[:1000], prediction="score").merge(
            profile_frame(synth, frame.iloc[1000:], prediction="score"))
        a, b = whole.to_dict(), parts.to_dict()
        for name in a["features"]:
            assert abs(a["features"][name].pop("total") - b["features"][name].pop("total")) < 1e-6
        a.pop("records"), b.pop("records")
        assert a == b

    def test_merge_keeps_inputs_unchanged(self):
        left = FeatureProfile(present=2, bins=[1, 1], unseen={"x": 1})
        right = FeatureProfile(present=3, bins=[0, 3], unseen={"x": 2})
        merged = left.merge(right)
        assert merged.present == 5 and merged.bins == [1, 4] and merged.unseen == {"x": 3}
        assert left.bins == [1, 1] and right.unseen == {"x": 2}

    def test_unseen_examples_are_capped(self):
        counts = {f"v{i}": i for i in range(UNSEEN_KEEP * 2)}
        kept = top_counts(counts)
        assert len(kept) == UNSEEN_KEEP and min(kept.values()) == UNSEEN_KEEP
