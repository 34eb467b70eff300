"""What an hourly cron job needs beyond one clean window: new fields, failed calls, unreadable
input, quiet hours, and sudden changes against recent traffic (issue 13)."""

from __future__ import annotations

import datetime as dt

from featurewatch.detect import detect_profile, run_detection
from featurewatch.profile import LocalSource
from featurewatch.profile.frame import profile_frame
from helpers import END, START, raw_record, synthetic_frame, write_records

GOOD = {"amount": 150.0, "age": 40, "ratio": 0.3, "colour": "red", "merchant": "m1", "member": False,
        "note": "word1 word3", "user_id": "u9"}


def _alarms(report):
    return {(f.check, f.feature) for f in report.findings if f.severity != "info"}


class TestNewFeatures:
    def test_a_field_the_baseline_never_had(self, synth, tmp_path):
        """Seen once: info; in most records: a warning naming the field."""
        few = [raw_record({**GOOD, "coupon": "x"} if i == 0 else GOOD, row=i) for i in range(300)]
        write_records(tmp_path / "few", few)
        report = run_detection(synth, LocalSource(tmp_path / "few", workers=1), START, END)
        [found] = [f for f in report.findings if f.check == "new_feature"]
        assert found.feature == "coupon" and found.severity == "info"
        many = [raw_record({**GOOD, "coupon": "x"}, row=i) for i in range(300)]
        write_records(tmp_path / "many", many)
        report = run_detection(synth, LocalSource(tmp_path / "many", workers=1), START, END)
        assert ("new_feature", "coupon") in _alarms(report)

    def test_excluded_columns_are_not_new(self, tmp_path):
        from featurewatch.baseline import BaselineOptions, build_baseline

        baseline = build_baseline(synthetic_frame(500, seed=1), BaselineOptions(
            model="synth", versions=("1.0",), exclude=frozenset({"user_id"})))
        write_records(tmp_path, [raw_record(GOOD, row=i) for i in range(200)])
        report = run_detection(baseline, LocalSource(tmp_path, workers=1), START, END)
        assert not [f for f in report.findings if f.check == "new_feature"]


class TestErrors:
    def test_failed_calls_are_an_error_rate_naming_the_error(self, synth, tmp_path):
        records = []
        for i in range(400):
            record = raw_record(GOOD, row=i, prediction=None if i % 2 else 0.4)
            if i % 2:
                record["error"] = {"type": "TimeoutError", "message": "upstream timed out after 2s"}
            records.append(record)
        write_records(tmp_path, records)
        report = run_detection(synth, LocalSource(tmp_path, workers=1), START, END)
        [found] = [f for f in report.findings if f.check == "error_rate"]
        assert found.severity == "critical" and "TimeoutError" in found.message and "timed out" in found.message


class TestUnreadable:
    def test_a_garbage_line_after_every_record_is_reported(self, synth, tmp_path):
        path = write_records(tmp_path, [raw_record(GOOD, row=i) for i in range(200)])
        lines = path.read_bytes().splitlines()
        path.write_bytes(b"".join(line + b"\n" + b"\x00garbage\n" for line in lines))
        report = run_detection(synth, LocalSource(tmp_path, workers=1), START, END)
        assert report.records == 200 and report.unreadable_lines == 200
        assert report.to_json()["unreadable"] == {"lines": 200, "files": []}
        assert ("unreadable_records", None) in _alarms(report)

    def test_a_folder_of_garbage_is_not_no_traffic(self, synth, tmp_path):
        path = write_records(tmp_path, [])
        path.write_bytes(b"not json\n" * 50)
        report = run_detection(synth, LocalSource(tmp_path, workers=1), START, END)
        checks = {f.check: f for f in report.findings}
        assert checks["unreadable_records"].severity == "critical" and "no_data" in checks


class TestQuietWindows:
    def test_a_feature_gone_from_a_50_record_window(self, synth):
        window = synthetic_frame(50, seed=11).drop(columns=["age"])
        report = detect_profile(synth, profile_frame(synth, window, prediction="score"))
        assert ("vanished_feature", "age") in _alarms(report)
        assert any(f.check == "no_data" and f.severity == "info" for f in report.findings)

    def test_type_change_and_closed_field_values_in_a_quiet_window(self, synth):
        window = synthetic_frame(40, seed=12).assign(member="true", colour="purple")
        report = detect_profile(synth, profile_frame(synth, window, prediction="score"))
        assert {("type_mismatch", "member"), ("unseen_category", "colour")} <= _alarms(report)

    def test_a_quiet_clean_window_raises_nothing(self, synth):
        for seed in range(10):
            window = synthetic_frame(30, seed=100 + seed)
            assert _alarms(detect_profile(synth, profile_frame(synth, window, prediction="score"))) == set()


class TestRecentReference:
    def test_a_sudden_change_is_labelled_against_recent_traffic(self, synth):
        """Both windows drifted the same way from training; only a change against the last hours is sudden."""
        drifted = synthetic_frame(3000, seed=21).assign(amount=lambda f: f["amount"] * 1.6)
        same = profile_frame(synth, synthetic_frame(3000, seed=22).assign(amount=lambda f: f["amount"] * 1.6),
                             prediction="score")
        report = detect_profile(synth, same, reference=profile_frame(synth, drifted, prediction="score"))
        by_reference = {(f.check, f.feature, f.reference) for f in report.findings if f.severity != "info"}
        assert ("numeric_shift", "amount", "training") in by_reference
        assert not any(reference == "recent" for _, _, reference in by_reference)
        jumped = profile_frame(synth, synthetic_frame(3000, seed=23).assign(amount=lambda f: f["amount"] * 3),
                               prediction="score")
        report = detect_profile(synth, jumped, reference=profile_frame(synth, drifted, prediction="score"))
        recent = [f for f in report.findings if f.reference == "recent" and f.severity != "info"]
        assert any(f.check == "numeric_shift" and f.feature == "amount" for f in recent)
        assert all(f.message.startswith("sudden change against recent traffic") for f in recent)

    def test_run_detection_profiles_the_span_before_the_window(self, synth, tmp_path):
        """The hour before is read from the same source and compared with through the same checks."""
        from featurewatch.record import format_timestamp

        hour = dt.timedelta(hours=1)
        rows = synthetic_frame(400, seed=31).drop(columns=["score"]).to_dict("records")
        records = []
        for i, row in enumerate(rows):
            at = START + (hour if i >= 200 else dt.timedelta()) + dt.timedelta(seconds=i)
            if i >= 200:
                row["amount"] *= 3
            records.append(raw_record(row, row=i, at=at))
        write_records(tmp_path, records[:200])
        write_records(tmp_path, records[200:], hour=START + hour)
        report = run_detection(synth, LocalSource(tmp_path, workers=1), START + hour, START + 2 * hour,
                               reference_window=hour)
        recent = [f for f in report.findings if f.reference == "recent" and f.severity != "info"]
        assert report.records == 200 and ("numeric_shift", "amount") in {(f.check, f.feature) for f in recent}
        assert format_timestamp(START) in recent[0].message


class TestFiles:
    def test_unreadable_and_compressed_files(self, synth, tmp_path):
        """A rotated .jsonl.gz file is read; one that cannot be read is named and reported, never fatal."""
        import gzip

        import orjson

        plain = write_records(tmp_path, [raw_record(GOOD, row=i) for i in range(120)])
        rotated = plain.with_name(plain.name.replace("raw", "old") + ".gz")
        rotated.write_bytes(gzip.compress(b"".join(orjson.dumps(raw_record(GOOD, row=1000 + i)) + b"\n"
                                                   for i in range(30))))
        broken = plain.with_name(plain.name.replace("raw", "cut") + ".gz")
        broken.write_bytes(rotated.read_bytes()[:40])  # cut short: the gzip stream ends mid-way
        report = run_detection(synth, LocalSource(tmp_path, workers=1), START, END)
        assert report.records == 150
        assert len(report.unreadable_files) == 1 and str(broken) in report.unreadable_files[0]
        assert any(f.check == "unreadable_records" and f.severity != "info" for f in report.findings)

    def test_wrong_baseline_names_the_models_in_the_window(self, synth, tmp_path):
        write_records(tmp_path, [raw_record(GOOD, row=i, model="loan-rate") for i in range(40)])
        report = run_detection(synth, LocalSource(tmp_path, workers=1), START, END)
        [no_data] = [f for f in report.findings if f.check == "no_data"]
        assert "'loan-rate' (40)" in no_data.message and "right baseline" in no_data.message


class TestMalformedLines:
    def test_bad_lists_and_invalid_utf8_are_counted_not_fatal(self, synth, tmp_path):
        """One line of each kind that used to abort detect: counted as unreadable, the rest counted."""
        import orjson

        path = write_records(tmp_path, [raw_record(GOOD, row=i) for i in range(150)])
        bad_present = {**raw_record(GOOD, row=900), "features_present": 5}
        bad_null = {**raw_record(GOOD, row=901), "features_null": "amount"}
        invalid_utf8 = orjson.dumps(raw_record({**GOOD, "colour": "XX"}, row=902)).replace(b"XX", b"\xff\xfe")
        with path.open("ab") as handle:
            handle.write(orjson.dumps(bad_present) + b"\n" + orjson.dumps(bad_null) + b"\n" + invalid_utf8 + b"\n")
        report = run_detection(synth, LocalSource(tmp_path, workers=1), START, END)
        assert report.records == 150 and report.unreadable_lines == 3


class TestEvidence:
    def test_new_values_are_data_and_the_prediction_comes_last(self, synth):
        """New categories carry [{"value", "count"}] and the distinct count; inputs sort before the prediction."""
        window = synthetic_frame(2000, seed=51)
        window.loc[window.index[:300], "colour"] = "purple"
        window.loc[window.index[300:350], "colour"] = "teal"
        window["score"] = None
        report = detect_profile(synth, profile_frame(synth, window, prediction="score"))
        [found] = [f.to_dict() for f in report.findings if f.check == "unseen_category" and f.feature == "colour"]
        assert found["new_values"] == [{"value": "purple", "count": 300}, {"value": "teal", "count": 50}]
        assert found["new_distinct"] == 2
        critical = [f.feature for f in report.findings if f.severity == "critical"]
        assert "prediction" in critical and critical[-1] == "prediction"
