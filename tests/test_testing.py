"""featurewatch.testing.capture_records: what a user's test sees."""

from __future__ import annotations

import featurewatch as fw
from featurewatch.testing import capture_records
from tests.conftest import read_records


def test_captures_instead_of_writing(tmp_path):
    fw.configure(log_dir=str(tmp_path))

    @fw.monitor(model="credit", version="2")
    def predict(features):
        return 0.3

    with capture_records() as records:
        predict({"age": 41, "city": float("nan")})
    fw.log_request(model="credit", features={"after": 1})
    fw.flush()
    assert len(records) == 1
    assert records[0]["features"] == {"age": 41, "city": None}
    assert records[0]["features_null"] == ["city"] and records[0]["model_version"] == "2"
    assert [r["features"] for r in read_records(tmp_path)] == [{"after": 1}]


def test_captures_what_the_files_hold(tmp_path):
    """Long strings cut and redacted fields hashed, exactly as in the file written outside the block."""
    fw.configure(log_dir=str(tmp_path / "files"), max_string_length=50, redact=["ssn"])
    features = {"note": "n" * 500, "ssn": "123-45-6789", "raw": b"r" * 500}
    with capture_records() as records:
        fw.log_request(model="m", features=features, request_id="r1", timestamp="2026-01-01T00:00:00Z")
    fw.log_request(model="m", features=features, request_id="r1", timestamp="2026-01-01T00:00:00Z")
    fw.flush()
    [written] = read_records(tmp_path / "files")
    assert records == [written]
    assert len(written["features"]["note"]) == 50 and len(written["features"]["raw"]) == 50
    assert written["features"]["ssn"].startswith("sha256:")


def test_captures_dataframe_rows_from_their_own_path(tmp_path):
    """A DataFrame is captured from the column-by-column path it really takes: one record per row."""
    import pandas as pd

    fw.configure(log_dir=str(tmp_path), max_string_length=50)
    frame = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "text": ["t" * 500, "short"]})
    with capture_records() as records:
        fw.log_request(model="m", features=frame)
    assert [r["row"] for r in records] == [0, 1]
    assert records[1]["features_null"] == ["a"] and len(records[0]["features"]["text"]) == 50
    fw.flush()
    assert read_records(tmp_path) == []
