"""The report's content: shares of the counts on the baseline's own bins and keys, sections ordered by findings."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from featurewatch.detect import detect_profile
from featurewatch.report.assemble import KNOWN_SHOWN, NEW_SHOWN, TOKENS_SHOWN, assemble
from featurewatch.report.history import history_from_documents
from helpers import END, START, profile_frame, synthetic_frame


@pytest.fixture(scope="module")
def faulty(synth):
    """A window of synth with new colours, amounts ×100 for a third of rows, Spanish notes, user_id gone."""
    frame = synthetic_frame(3000, seed=5)
    rows = np.arange(len(frame))
    frame.loc[rows % 4 == 0, "colour"] = "purple"
    frame.loc[rows % 10 == 0, "colour"] = "teal"
    frame.loc[rows % 3 == 0, "amount"] = frame["amount"] * 100
    frame.loc[rows % 2 == 0, "note"] = "necesito dinero para el coche"
    frame = frame.drop(columns=["user_id"])
    profile = profile_frame(synth, frame, prediction="score", versions={"1.0": 2900, "2.0-rc": 100})
    report = detect_profile(synth, profile)
    return profile, report, assemble(synth, profile, report, window=(START, END))


def section(data, name):
    return next(s for s in data.sections if s.name == name)


class TestTop:
    def test_window_records_versions_and_findings_worst_first(self, faulty, synth):
        _profile, report, data = faulty
        assert (data.model, data.start, data.end, data.records, data.training_rows) == (
            "synth", START, END, 3000, synth.rows)
        assert [(v.version, v.records, v.expected) for v in data.versions] == [("1.0", 2900, True),
                                                                             ("2.0-rc", 100, False)]
        assert data.findings == report.findings and data.findings[0].severity == "critical"

    def test_every_monitored_feature_has_one_section_alarming_first(self, faulty, synth):
        data = faulty[2]
        assert sorted(s.name for s in data.sections) == sorted(f.name for f in synth.monitored())
        ranks = [s.findings[0].severity.rank if s.findings else -1 for s in data.sections]
        assert ranks == sorted(ranks, reverse=True) and data.sections[0].alarming

    def test_a_finding_links_to_its_feature_or_the_window(self, faulty):
        data = faulty[2]
        assert data.anchor_of("amount") == "f-amount" and data.anchor_of("model_version") == "window"

    def test_anchors_are_unique_and_safe(self, synth, faulty):
        import dataclasses

        features = {"a b": synth.features["amount"], "a/b": synth.features["age"], "é": synth.features["ratio"]}
        odd = dataclasses.replace(synth, features={n: dataclasses.replace(f, name=n) for n, f in features.items()},
                                  prediction=None)
        profile, report = faulty[0], faulty[1]
        data = assemble(odd, profile, report, window=(START, END))
        assert sorted(s.anchor for s in data.sections) == ["f--", "f-a-b", "f-a-b-2"]


class TestNumeric:
    def test_bins_are_the_baselines_with_outer_bins_outside(self, faulty, synth):
        view = section(faulty[2], "amount").numeric
        assert len(view.bins) == len(synth.features["amount"].edges) + 1 == len(view.edges) + 1
        assert [b.tone for b in view.bins[:1] + view.bins[-1:]] == ["outside", "outside"]
        assert {b.tone for b in view.bins[1:-1]} == {"known"}
        assert sum(b.training for b in view.bins) == pytest.approx(1.0)
        assert sum(b.window for b in view.bins) == pytest.approx(1.0)

    def test_amounts_times_100_land_above_the_training_range(self, faulty):
        profile = faulty[0]
        view = section(faulty[2], "amount").numeric
        above = view.bins[-1]
        assert above.count == profile.feature("amount").bins[-1] and above.window > 0.25
        stats = {s.label: s for s in view.stats}
        assert stats["outside the training range"].training == "0%"
        assert "above" in stats["outside the training range"].window and stats["max"].window != stats["max"].training

    def test_the_top_edge_is_labelled_with_the_training_maximum(self, faulty, synth):
        from featurewatch.detect.text import number

        view = section(faulty[2], "amount").numeric
        assert view.edges[-1] == number(synth.features["amount"].reference.maximum)


class TestCategories:
    def test_known_values_then_new_values_named_with_counts(self, faulty):
        data = faulty[2]
        view = section(data, "colour").categories
        new = [b for b in view.bars if b.tone == "new"]
        assert [b.label for b in new] == ["purple", "teal"] and new[0].count == 600
        assert view.new_values == [("purple", 600), ("teal", 300)] and view.new_total == 900
        known = [b.label for b in view.bars if b.tone == "known"]
        assert known == ["red", "green", "blue", "black"]
        novelty = section(data, "colour").novelty
        assert novelty.window == pytest.approx(900 / 3000) and novelty.training == 0.0

    def test_many_known_values_are_grouped_beyond_the_most_common(self, faulty):
        view = section(faulty[2], "merchant").categories
        known = [b for b in view.bars if b.tone == "known"]
        other = [b for b in view.bars if b.tone == "other"]
        assert len(known) == KNOWN_SHOWN and len(other) == 1 and other[0].label == f"{300 - KNOWN_SHOWN} other known"
        assert sum(b.window for b in view.bars) == pytest.approx(1.0)

    def test_at_most_a_few_new_values_get_a_bar(self, synth, faulty):
        frame = synthetic_frame(2000, seed=6)
        frame["colour"] = [f"shade{i % 20}" for i in range(len(frame))]
        profile = profile_frame(synth, frame, prediction="score")
        data = assemble(synth, profile, detect_profile(synth, profile), window=(START, END))
        bars = [b for b in section(data, "colour").categories.bars if b.tone == "new"]
        assert len(bars) == NEW_SHOWN + 1 and bars[-1].label == "other new values"
        assert sum(b.count for b in bars) == 2000


class TestText:
    def test_unseen_tokens_against_what_training_predicts(self, faulty):
        data = faulty[2]
        s = section(data, "note")
        metrics = next(m for m in faulty[1].metrics if m["feature"] == "note")
        assert s.novelty.training == metrics["baseline_unseen_token_rate"]
        assert s.novelty.window == pytest.approx(metrics["unseen_token_rate"])
        tokens = [b.label for b in s.text.top_unseen]
        assert set(tokens) == {"necesito", "dinero", "para", "el", "coche"} and len(tokens) <= TOKENS_SHOWN
        assert s.text.top_unseen[0].window == pytest.approx(0.5)  # every other text


class TestRates:
    def test_presence_and_nulls_for_every_kind_type_violations_where_values_are_read(self, faulty):
        data = faulty[2]
        gone = section(data, "user_id")
        assert gone.present.window == 0.0 and gone.present.training == 1.0 and gone.violations is None
        assert [b.label for b in section(data, "ratio").rates] == ["present", "null", "wrong type"]
        assert section(data, "ratio").null.training == pytest.approx(0.02, abs=0.005)

    def test_drift_is_the_reports_metric(self, faulty):
        metrics = {m["feature"]: m for m in faulty[1].metrics}
        assert section(faulty[2], "amount").drift == metrics["amount"]["drift_score"] is not None


class TestHistory:
    def test_each_section_gets_its_features_points(self, faulty, synth):
        profile, report, _ = faulty
        later = [{**m, "window.start": "2026-11-20T02:00:00Z", "window.end": "2026-11-20T04:00:00Z"}
                 for m in report.metrics]
        history = history_from_documents(report.metrics + later, report.finding_documents(), model="synth")
        data = assemble(synth, profile, report, window=(START, END), history=history)
        assert data.history_windows == 2
        amount = section(data, "amount").history
        assert [p.start for p in amount] == [START, START + dt.timedelta(hours=2)]
        assert amount[0].alarm == "critical" and amount[1].alarm is None
