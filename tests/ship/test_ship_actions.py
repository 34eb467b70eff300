"""Tests for featurewatch.ship.actions and featurewatch.ship.batching (pure)."""

from __future__ import annotations

import orjson
import pytest

from featurewatch import record as R
from featurewatch.ship.actions import Action, ActionBuilder, Rejected, build_action
from featurewatch.ship.batching import Batch, Origin


def _line(**changes) -> bytes:
    record = {"schema": 1, "@timestamp": "2026-11-26T18:00:00.123456Z", "model": "credit", "model_version": "1",
              "request_id": "r-1", "row": 0, "features": {"age": 41}, "features_present": ["age"],
              "features_null": [], "prediction": 0.5}
    record.update(changes)
    return orjson.dumps(record)


class TestBuildAction:
    def test_create_action_with_daily_index_and_deterministic_id(self):
        """The header names the record's own day and its document_id; the source is the record plus its typed fields."""
        line = _line()
        action = build_action(line, "fw")
        assert isinstance(action, Action)
        header = orjson.loads(action.header)
        assert header == {"create": {"_index": "fw-requests-2026.11.26", "_id": R.document_id(orjson.loads(line))}}
        document = orjson.loads(action.source)
        assert {k: v for k, v in document.items() if k in orjson.loads(line)} == orjson.loads(line)
        assert document["values"] == {"number": {"age": 41}} and document["types"] == {"number": ["age"]}
        assert document["prediction_value"] == {"number": 0.5} and document["prediction_type"] == "number"
        assert action.source.endswith(b"\n") and action.header.endswith(b"\n")

    def test_offset_timestamp_uses_the_utc_day(self):
        """A timestamp with an offset is indexed under its UTC date."""
        action = build_action(_line(**{"@timestamp": "2026-11-27T01:30:00+02:00"}), "fw")
        assert orjson.loads(action.header)["create"]["_index"] == "fw-requests-2026.11.26"

    @pytest.mark.parametrize("line, reason", [
        (b'{"model": "m", broken', "unparseable JSON"),
        (b"[1, 2]", "not a JSON object"),
        (_line(**{"@timestamp": "yesterday"}), "invalid @timestamp"),
        (_line(**{"@timestamp": None}), "invalid @timestamp"),
        (_line(request_id=None), "no deterministic document id"),
    ])
    def test_rejects_lines_that_cannot_be_documents(self, line, reason):
        """Unparseable or incomplete lines are rejected with a reason instead of raising."""
        result = build_action(line, "fw")
        assert isinstance(result, Rejected)
        assert reason in result.reason

    def test_enrichment_adds_fields_without_touching_the_record_fields(self):
        """The hook's returned fields are merged into the document; the record's own fields stay."""
        seen = []

        def enrich(record):
            seen.append(dict(record))
            return {"unseen_tokens": {"text": 2}}

        action = build_action(_line(), "fw", enrich)
        document = orjson.loads(action.source)
        assert document["unseen_tokens"] == {"text": 2}
        assert document["features"] == {"age": 41}
        assert seen and seen[0]["request_id"] == "r-1"

    def test_negative_zero_is_indexed_as_zero(self):
        """A double field tells -0.0 from 0.0; category keys and bins do not."""
        document = orjson.loads(build_action(_line(features={"z": -0.0, "i": 0}, prediction=-0.0), "fw").source)
        assert orjson.dumps(document["values"]["number"]) == b'{"z":0.0,"i":0.0}'
        assert orjson.dumps(document["prediction_value"]) == b'{"number":0.0}'

    def test_enrichment_returning_none_adds_nothing(self):
        line = _line()
        assert build_action(line, "fw", lambda record: None).source == build_action(line, "fw").source

    def test_every_value_goes_to_the_field_of_its_json_type(self):
        """Numbers, strings, booleans are indexed by type; objects and arrays only listed; nulls neither."""
        features = {"n": 1.5, "s": "12.0", "e": "", "b": False, "o": {"k": 1}, "a": [1], "z": None,
                    "dotted.name": 3, "": 4, "bad..name": 5, "long": "x" * 2000}
        document = orjson.loads(build_action(_line(features=features, prediction={"p": 1}), "fw").source)
        # Names Elasticsearch refuses as field names get fields of their own: "~" and their hex.
        assert document["values"] == {"number": {"n": 1.5, "dotted.name": 3, "~": 4, "~6261642e2e6e616d65": 5},
                                      "string": {"s": "12.0", "e": ""}, "boolean": {"b": False}}
        assert document["types"] == {"number": ["n", "dotted.name", "", "bad..name"],
                                     "string": ["s", "e", "long"], "boolean": ["b"], "object": ["o"], "array": ["a"]}
        assert document["prediction_type"] == "object" and "prediction_value" not in document
        assert document["features"] == features  # the record as logged stays in _source

    def test_builder_rejects_invalid_prefix(self):
        """Index prefixes must be valid lowercase index names."""
        with pytest.raises(ValueError, match="invalid index prefix"):
            ActionBuilder("Bad Prefix")


class TestBatch:
    def _action(self, size: int = 10) -> Action:
        return Action(b"h" * 5 + b"\n", b"s" * (size - 6) + b"\n")

    def test_cut_by_count(self):
        """A batch is full at max_docs actions."""
        batch = Batch(max_docs=3, max_bytes=10**6)
        for i in range(3):
            assert batch.fits(self._action())
            batch.add(self._action(), Origin("k", "p", i))
        assert batch.full and len(batch) == 3
        assert not batch.fits(self._action())

    def test_cut_by_bytes(self):
        """An action that would push the batch past max_bytes does not fit; an empty batch takes anything."""
        batch = Batch(max_docs=100, max_bytes=25)
        batch.add(self._action(10), Origin("k", "p", 0))
        batch.add(self._action(10), Origin("k", "p", 10))
        assert not batch.fits(self._action(10))
        assert Batch(max_docs=100, max_bytes=5).fits(self._action(10))

    def test_body_of_subset_keeps_pairs_in_order(self):
        """The body of chosen positions holds exactly those header/source pairs."""
        batch = Batch()
        for i in range(4):
            batch.add(Action(b"H%d\n" % i, b"S%d\n" % i), Origin("k", "p", i))
        assert batch.body() == b"H0\nS0\nH1\nS1\nH2\nS2\nH3\nS3\n"
        assert batch.body([1, 3]) == b"H1\nS1\nH3\nS3\n"

    def test_empty_tracks_offsets_and_rejections(self):
        """A batch with only an offset move or a rejected line is not empty (it must be acknowledged)."""
        batch = Batch()
        assert batch.empty
        batch.advance("k", 10)
        assert not batch.empty
        other = Batch()
        other.reject(Origin("k", "p", 0), b"x", "bad")
        assert not other.empty and len(other) == 0
