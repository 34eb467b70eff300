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
