"""The offline validator: it passes the committed files and catches each kind of breakage."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from featurewatch.kibana import flatten_mapping, validate
from featurewatch.kibana.ndjson import compact_json, render
from featurewatch.ship.typed import typed_fields

Objects = list[dict]


def _first(objects: Objects, type_: str, title_part: str = "") -> dict:
    return next(o for o in objects if o["type"] == type_ and title_part in o["attributes"].get("title", ""))


def _layer(obj: dict) -> dict:
    (layer,) = obj["attributes"]["state"]["datasourceStates"]["formBased"]["layers"].values()
    return layer


def _problems(objects: Objects, mappings: dict) -> list[str]:
    return validate(render(objects), mappings)


class TestSoundFiles:
    def test_committed_demo_file(self, committed_file, demo_mappings) -> None:
        """The committed demo dashboards pass every check against the contract mappings."""
        assert validate(committed_file.read_bytes(), demo_mappings) == []

    def test_accepts_lines_text_or_bytes(self, demo_bytes, demo_mappings) -> None:
        """The file may be given as bytes, text or a list of lines."""
        text = demo_bytes.decode()
        assert validate(text, demo_mappings) == validate(text.splitlines(), demo_mappings) == []


def _drop_lens(objects: Objects) -> None:
    objects.remove(_first(objects, "lens", "latency"))


def _unknown_field(objects: Objects) -> None:
    layer = _layer(_first(objects, "lens", "latency"))
    next(c for c in layer["columns"].values() if c["operationType"] == "percentile")["sourceField"] = "latency"


def _remove_accessor(objects: Objects) -> None:
    vis = _first(objects, "lens", "latency")["attributes"]["state"]["visualization"]
    vis["layers"][0]["accessors"].pop()


def _accessor_to_nowhere(objects: Objects) -> None:
    vis = _first(objects, "lens", "requests over time")["attributes"]["state"]["visualization"]
    vis["layers"][0]["splitAccessor"] = "no-such-column"


def _table_column_missing(objects: Objects) -> None:
    vis = _first(objects, "lens", "latest findings")["attributes"]["state"]["visualization"]
    vis["columns"].pop(0)


def _column_order(objects: Objects) -> None:
    layer = _layer(_first(objects, "lens", "latency"))
    layer["columnOrder"].reverse()


def _stamp(objects: Objects) -> None:
    _first(objects, "dashboard")["typeMigrationVersion"] = "10.9.0"


def _dashboard_panel_ref(objects: Objects) -> None:
    dashboard = _first(objects, "dashboard", "overview")
    dashboard["references"][0]["name"] = "renamed"


def _dashboard_attribute(objects: Objects) -> None:
    _first(objects, "dashboard")["attributes"]["colour"] = "blue"


def _layer_reference(objects: Objects) -> None:
    _first(objects, "lens", "latency")["references"][0]["name"] = "indexpattern-datasource-current-indexpattern"


def _order_by(objects: Objects) -> None:
    layer = _layer(_first(objects, "lens", "requests over time"))
    terms = next(c for c in layer["columns"].values() if c["operationType"] == "terms")
    terms["params"]["orderBy"]["columnId"] = "gone"


def _rank_by_array_values(objects: Objects) -> None:
    layer = _layer(_first(objects, "lens", "latest findings"))
    terms = next(c for c in layer["columns"].values() if c["operationType"] == "terms")
    ranked = next(i for i, c in layer["columns"].items() if c["operationType"] == "last_value")
    terms["params"]["orderBy"]["columnId"] = ranked
    layer["columns"][ranked]["params"]["showArrayValues"] = True


def _search_column(objects: Objects) -> None:
    _first(objects, "search")["attributes"]["columns"].append("features.nope")


def _bucketed_flag(objects: Objects) -> None:
    layer = _layer(_first(objects, "lens", "latency"))
    next(c for c in layer["columns"].values() if c["operationType"] == "date_histogram")["isBucketed"] = False


@pytest.mark.parametrize("breakage, expected", [
    (_drop_lens, "reference '"),
    (_unknown_field, "field 'latency' does not exist"),
    (_remove_accessor, "are not shown by the visualization"),
    (_accessor_to_nowhere, "accessor no-such-column is not a column"),
    (_table_column_missing, "are not both in the layer and shown"),
    (_column_order, "comes after a metric"),
    (_stamp, "typeMigrationVersion '10.9.0'"),
    (_dashboard_panel_ref, "has no reference"),
    (_dashboard_attribute, "attributes Kibana does not accept: ['colour']"),
    (_layer_reference, "has no data-view reference"),
    (_order_by, "orders by missing column gone"),
    (_rank_by_array_values, "orders by a last_value column that shows array values"),
    (_search_column, "field 'features.nope' does not exist"),
    (_bucketed_flag, "isBucketed must be True for date_histogram"),
])
def test_catches_breakage(demo_objects: Objects, demo_mappings: dict, breakage: Callable[[Objects], None],
                          expected: str) -> None:
    """Each kind of broken file yields a problem that says what is wrong."""
    breakage(demo_objects)
    problems = _problems(demo_objects, demo_mappings)
    assert any(expected in p for p in problems), problems


def test_missing_lens_is_reported_for_the_dashboard(demo_objects: Objects, demo_mappings: dict) -> None:
    """A dashboard panel whose Lens object is not in the file is reported (Kibana's import does not)."""
    lens = _first(demo_objects, "lens", "latency")
    demo_objects.remove(lens)
    problems = _problems(demo_objects, demo_mappings)
    assert any(p.startswith("dashboard ") and f"missing lens {lens['id']}" in p for p in problems), problems


class TestMappings:
    def test_text_field_is_not_aggregatable(self, demo_objects: Objects, demo_mappings: dict) -> None:
        """A field mapped as text cannot feed a chart."""
        mappings = {k: dict(v) for k, v in demo_mappings.items()}
        mappings["featurewatch-requests-*"]["model_version"] = "text"
        problems = _problems(demo_objects, mappings)
        assert any("'model_version' has type 'text', which cannot be aggregated" in p for p in problems)

    def test_numeric_metric_on_keyword(self, demo_objects: Objects, demo_mappings: dict) -> None:
        """A percentile of a keyword field is reported."""
        mappings = {k: dict(v) for k, v in demo_mappings.items()}
        mappings["featurewatch-requests-*"]["latency_ms"] = "keyword"
        problems = _problems(demo_objects, mappings)
        assert any("percentile on 'latency_ms', which is 'keyword'" in p for p in problems)

    def test_category_type_mismatch(self, demo_objects: Objects, demo_mappings: dict) -> None:
        """A category chart on a feature the index maps as a number is reported (dataType disagrees)."""
        mappings = {k: dict(v) for k, v in demo_mappings.items()}
        mappings["featurewatch-requests-*"]["values.string.region"] = "double"
        problems = _problems(demo_objects, mappings)
        assert any("dataType 'string' does not fit 'values.string.region'" in p for p in problems)

    def test_features_and_prediction_are_not_fields(self, demo_mappings: dict) -> None:
        """``features`` and ``prediction`` are kept in _source only: the contract maps none of their values."""
        requests = demo_mappings["featurewatch-requests-*"]
        assert not [f for f in requests if f.split(".")[0] in {"features", "prediction"}]
        assert (requests["values.number.income"], requests["values.string.region"]) == ("double", "keyword")
        assert (requests["prediction_value.number"], requests["prediction_type"]) == ("double", "keyword")

    def test_a_chart_on_the_old_features_field_is_caught(self, demo_objects: Objects, demo_mappings: dict) -> None:
        """A category chart still on ``features.<name>`` (not indexed any more) is reported."""
        layer = _layer(_first(demo_objects, "lens", "category mix of region"))
        terms = next(c for c in layer["columns"].values() if c["operationType"] == "terms")
        terms["sourceField"] = "features.region"
        problems = _problems(demo_objects, demo_mappings)
        assert any("field 'features.region' does not exist" in p for p in problems), problems

    def test_missing_data_view_mappings(self, demo_objects: Objects, demo_mappings: dict) -> None:
        """Mappings must be given for every data view the file uses."""
        mappings = {k: v for k, v in demo_mappings.items() if k != "featurewatch-metrics"}
        assert any("no mappings known for data view 'featurewatch-metrics'" in p
                   for p in _problems(demo_objects, mappings))


class TestShape:
    def test_not_json(self, demo_mappings: dict) -> None:
        """A line that is not JSON is reported with its number."""
        assert validate(b"{nope\n", demo_mappings)[0].startswith("line 1: not JSON")

    def test_missing_keys(self, demo_mappings: dict) -> None:
        """An object without the saved-object keys is reported."""
        assert "keys missing" in validate([compact_json({"id": "x", "type": "lens"})], demo_mappings)[0]

    def test_not_canonical(self, demo_bytes: bytes, demo_mappings: dict) -> None:
        """A line with unsorted keys or spaces is reported: the files must stay byte-stable."""
        first, *rest = demo_bytes.decode().splitlines()
        loose = json.dumps(json.loads(first), indent=None)
        problems = validate([loose, *rest], demo_mappings)
        assert any("not in canonical form" in p for p in problems)

    def test_duplicate_ids(self, demo_bytes: bytes, demo_mappings: dict) -> None:
        """The same type and id twice is reported."""
        lines = demo_bytes.decode().splitlines()
        assert any("duplicate id" in p for p in validate(lines + lines[:1], demo_mappings))


class TestFlattenMapping:
    #: The type-stable layout's shape (featurewatch.es.templates): values by JSON type, features not indexed.
    TEMPLATE_MAPPINGS: ClassVar[dict[str, Any]] = {
        "date_detection": False,
        "dynamic_templates": [
            {"values_number": {"path_match": "values.number.*", "mapping": {"type": "double"}}},
            {"values_string": {"path_match": "values.string.*", "mapping": {"type": "keyword", "ignore_above": 1024}}},
            {"values_boolean": {"path_match": "values.boolean.*", "mapping": {"type": "boolean"}}},
        ],
        "properties": {
            "@timestamp": {"type": "date"},
            "model": {"type": "keyword"},
            "model_version": {"type": "keyword"},
            "request_id": {"type": "keyword"},
            "latency_ms": {"type": "float"},
            "features_present": {"type": "keyword"},
            "features_null": {"type": "keyword"},
            "error": {"properties": {"type": {"type": "keyword"}, "message": {
                "type": "text", "fields": {"raw": {"type": "keyword"}}}}},
            "features": {"type": "object", "enabled": False},
            "prediction": {"type": "object", "enabled": False},
            "values": {"properties": {kind: {"type": "object", "subobjects": False}
                                      for kind in ("number", "string", "boolean")}},
            "types": {"properties": {kind: {"type": "keyword"}
                                     for kind in ("number", "string", "boolean", "object", "array")}},
            "prediction_value": {"properties": {"number": {"type": "double"}, "string": {"type": "keyword"},
                                                "boolean": {"type": "boolean"}}},
            "prediction_type": {"type": "keyword"},
        },
    }

    def test_explicit_fields(self) -> None:
        """Objects flatten to dotted paths; multi-fields become path.sub."""
        fields = flatten_mapping({"idx": {"mappings": self.TEMPLATE_MAPPINGS}})
        assert fields["error.type"] == "keyword"
        assert fields["error.message"] == "text" and fields["error.message.raw"] == "keyword"
        assert "features" not in fields

    def test_dynamic_template_fields_from_a_sample(self) -> None:
        """Fields a sample document would add are typed by the first matching dynamic template."""
        sample = {"values": {"number": {"age": 41, "income": 48.5}, "string": {"region": "north", "gone": None},
                             "boolean": {"vip": True}},
                  "extra": "x"}
        fields = flatten_mapping({"mappings": self.TEMPLATE_MAPPINGS}, sample=sample)
        assert (fields["values.number.age"], fields["values.number.income"]) == ("double", "double")
        assert (fields["values.string.region"], fields["values.boolean.vip"]) == ("keyword", "boolean")
        assert "values.string.gone" not in fields
        assert (fields["extra"], fields["extra.keyword"]) == ("text", "keyword")

    def test_disabled_objects_add_no_fields(self) -> None:
        """Values under an ``enabled: false`` object are kept in _source, never mapped, whatever they hold."""
        sample = {"features": {"age": 41, "region": "north"}, "prediction": 0.5, "model": "m"}
        fields = flatten_mapping({"mappings": self.TEMPLATE_MAPPINGS}, sample=sample)
        assert not [f for f in fields if f.split(".")[0] in {"features", "prediction"}]
        assert fields["model"] == "keyword"

    def test_index_template_answer(self) -> None:
        """A GET _index_template answer is read through its template's mappings."""
        response = {"index_templates": [{"name": "featurewatch-findings", "index_template": {
            "index_patterns": ["featurewatch-findings"],
            "template": {"mappings": {"properties": {"check": {"type": "keyword"},
                                                     "window": {"properties": {"end": {"type": "date"}}}}}}}}]}
        assert flatten_mapping(response) == {"check": "keyword", "window.end": "date"}

    def test_conflicting_indices(self) -> None:
        """A field typed differently in two daily indices is a conflict, and the validator says so."""
        response = {
            "fw-requests-2026.11.20": {"mappings": {"properties": {"model_version": {"type": "keyword"}}}},
            "fw-requests-2026.11.21": {"mappings": {"properties": {"model_version": {"type": "text"}}}},
        }
        assert flatten_mapping(response)["model_version"] == "conflict"

    def test_validates_against_server_shaped_mappings(self, demo_bytes: bytes, demo_mappings: dict) -> None:
        """The demo file validates against mappings flattened from a template-shaped answer and a demo record."""
        from featurewatch.demo import data

        _, features, prediction = next(data.traffic(per_hour=10, hours=1))
        parsed = {"features": features, "prediction": prediction}
        sample = {**parsed, **typed_fields(parsed)}  # the document as the shipper indexes it
        requests = flatten_mapping({"featurewatch-requests-2026.11.20": {"mappings": self.TEMPLATE_MAPPINGS}},
                                   sample=sample)
        mappings = dict(demo_mappings, **{"featurewatch-requests-*": requests})
        assert validate(demo_bytes, mappings) == []


class TestSampleRecord:
    def test_typed_fields_are_the_shippers(self, demo_spec) -> None:
        """The contract's sample document carries the type-stable fields exactly as the shipper adds them."""
        from featurewatch.kibana.mappings import sample_record

        sample = sample_record(demo_spec)
        for name, value in typed_fields(sample).items():
            assert sample[name] == value, name
        assert sample["values"]["string"]["region"] == "a" and sample["values"]["number"]["income"] == 1.5
        assert sample["tokens"] == {"application_note": ["a", "b"]}
