"""The baseline file: round trip, and one clear error for anything we cannot read."""

from __future__ import annotations

import orjson
import pytest

from featurewatch.baseline import SCHEMA_VERSION, load_baseline, save_baseline, to_dict
from featurewatch.errors import BaselineError


class TestBaselineFile:
    def test_round_trip(self, synth, tmp_path):
        path = save_baseline(synth, tmp_path / "b.json")
        again = load_baseline(path)
        assert to_dict(again) == to_dict(synth)
        assert orjson.loads(path.read_bytes())["schema_version"] == SCHEMA_VERSION

    @pytest.mark.parametrize("content,message", [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not a featurewatch baseline"),
        (b'{"kind": "featurewatch-baseline"}', "no schema_version"),
        (b'{"kind": "featurewatch-baseline", "schema_version": 99}', "newer than this featurewatch"),
        (b'{"kind": "featurewatch-baseline", "schema_version": 1, "model": "m"}', "rows is missing"),
    ])
    def test_unreadable_files(self, tmp_path, content, message):
        path = tmp_path / "b.json"
        path.write_bytes(content)
        with pytest.raises(BaselineError, match=message) as error:
            load_baseline(path)
        assert "\n" not in str(error.value) and error.value.exit_code == 2

    def test_inconsistent_bins(self, synth, tmp_path):
        doc = to_dict(synth)
        doc["features"]["amount"]["numeric"]["counts"].append(1)
        (tmp_path / "b.json").write_bytes(orjson.dumps(doc))
        with pytest.raises(BaselineError, match=r"numeric.counts must have one count per bin"):
            load_baseline(tmp_path / "b.json")

    def test_missing_file(self, tmp_path):
        with pytest.raises(BaselineError, match="not found"):
            load_baseline(tmp_path / "nope.json")
