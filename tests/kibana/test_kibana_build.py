"""Building the saved objects: content, stable ids, byte-stable output, committed files."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from featurewatch.baseline import BaselineOptions, build_baseline, save_baseline
from featurewatch.errors import BaselineError
from featurewatch.kibana import (
    Feature,
    ModelSpec,
    build_ndjson,
    build_objects,
    contract_mappings,
    validate,
)
from featurewatch.kibana.ndjson import render
from featurewatch.kibana.spec import spec_from_baseline, spec_from_baseline_file


def _by_title(objects: list[dict]) -> dict[str, dict]:
    return {obj["attributes"].get("title") or obj["attributes"].get("name"): obj for obj in objects}


def _source_fields(obj: dict) -> list[str]:
    """Every ``sourceField`` of a Lens object's columns (and the columns of a saved search)."""
    if obj["type"] == "search":
        return list(obj["attributes"]["columns"])
    if obj["type"] != "lens":
        return []
    layers = obj["attributes"]["state"]["datasourceStates"]["formBased"]["layers"].values()
    return [c["sourceField"] for layer in layers for c in layer["columns"].values()]


def _category_column(objects: list[dict], model: str, feature: str) -> dict:
    """The breakdown (terms) column of the category mix of ``feature``."""
    layer, vis = _layer(_by_title(objects)[f"[featurewatch] {model}: category mix of {feature}"])
    return layer["columns"][vis["layers"][0]["splitAccessor"]]


def _layer(obj: dict) -> tuple[dict, dict]:
    state = obj["attributes"]["state"]
    (layer,) = state["datasourceStates"]["formBased"]["layers"].values()
    return layer, state["visualization"]


class TestCommittedFiles:
    def test_demo_file_is_up_to_date(self, demo_bytes: bytes, committed_file) -> None:
        """kibana/credit.ndjson is exactly what the builder makes today (regenerate with
        `featurewatch kibana build --demo -o kibana/credit.ndjson`)."""
        assert committed_file.read_bytes() == demo_bytes

    def test_output_is_byte_stable(self, demo_spec: ModelSpec) -> None:
        """Two builds of the same spec give the same bytes, whatever the feature order given."""
        shuffled = ModelSpec(demo_spec.model, tuple(reversed(demo_spec.features)))
        assert build_ndjson(shuffled) == build_ndjson(demo_spec)

    def test_lines_are_sorted_compact_json(self, demo_bytes: bytes) -> None:
        """Every line is one object with sorted keys and no spaces, and the file ends with a newline."""
        assert demo_bytes.endswith(b"\n")
        for line in demo_bytes.decode().splitlines():
            assert line == json.dumps(json.loads(line), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class TestIds:
    def test_ids_derive_from_model_and_name(self, demo_spec: ModelSpec) -> None:
        """Another model gets other ids for its own objects but shares the data views."""
        other = ModelSpec("fraud", demo_spec.features)
        mine = {o["type"]: set() for o in build_objects(demo_spec)}
        for obj in build_objects(demo_spec):
            mine[obj["type"]].add(obj["id"])
        theirs = {o["id"] for o in build_objects(other)}
        assert mine["index-pattern"] <= theirs
        assert not (mine["lens"] | mine["dashboard"] | mine["search"]) & theirs

    def test_ids_are_unique(self, demo_objects: list[dict]) -> None:
        """No two objects share an id."""
        ids = [o["id"] for o in demo_objects]
        assert len(ids) == len(set(ids))

    def test_index_prefix_changes_data_views(self, demo_spec: ModelSpec) -> None:
        """A different index prefix gives data views of its own patterns, with their own ids."""
        views = [o for o in build_objects(demo_spec, prefix="ml") if o["type"] == "index-pattern"]
        assert sorted(v["attributes"]["title"] for v in views) == ["ml-findings", "ml-metrics", "ml-requests-*"]
        default = {o["id"] for o in build_objects(demo_spec) if o["type"] == "index-pattern"}
        assert not default & {v["id"] for v in views}


class TestContent:
    def test_data_views(self, demo_objects: list[dict]) -> None:
        """Three data views, on the requests, findings and metrics indices, timed by @timestamp."""
        views = [o["attributes"] for o in demo_objects if o["type"] == "index-pattern"]
        assert sorted(v["title"] for v in views) == [
            "featurewatch-findings", "featurewatch-metrics", "featurewatch-requests-*"]
        assert {v["timeFieldName"] for v in views} == {"@timestamp"}

    def test_requests_by_version(self, demo_objects: list[dict]) -> None:
        """Requests over time are split by model_version and counted."""
        obj = _by_title(demo_objects)["[featurewatch] credit: requests over time by model version"]
        layer, vis = _layer(obj)
        split = layer["columns"][vis["layers"][0]["splitAccessor"]]
        assert split["sourceField"] == "model_version"
        assert layer["columns"][vis["layers"][0]["accessors"][0]]["operationType"] == "count"
        assert obj["attributes"]["state"]["query"]["query"] == 'model : "credit"'

    def test_latency_percentiles(self, demo_objects: list[dict]) -> None:
        """Latency chart shows p50, p95 and p99 of latency_ms."""
        layer, vis = _layer(_by_title(demo_objects)["[featurewatch] credit: latency percentiles (ms)"])
        shown = [layer["columns"][a] for a in vis["layers"][0]["accessors"]]
        assert [(c["operationType"], c["sourceField"], c["params"]["percentile"]) for c in shown] == [
            ("percentile", "latency_ms", 50), ("percentile", "latency_ms", 95), ("percentile", "latency_ms", 99)]

    def test_findings_by_check_and_severity(self, demo_objects: list[dict]) -> None:
        """Findings over time are split by check and severity (multi-terms)."""
        layer, vis = _layer(_by_title(demo_objects)["[featurewatch] credit: findings over time by check and severity"])
        split = layer["columns"][vis["layers"][0]["splitAccessor"]]
        assert (split["sourceField"], split["params"]["secondaryFields"]) == ("check", ["severity"])

    def test_latest_findings_table(self, demo_objects: list[dict]) -> None:
        """The findings table shows expected (baseline) and observed values per feature and check."""
        obj = _by_title(demo_objects)["[featurewatch] credit: latest findings"]
        layer, _vis = _layer(obj)
        assert obj["attributes"]["visualizationType"] == "lnsDatatable"
        fields = [layer["columns"][c]["sourceField"] for c in layer["columnOrder"]]
        assert fields == ["feature", "check", "severity", "___records___", "baseline", "observed", "statistic",
                          "window.end"]

    def test_findings_charts_leave_resolved_alerts_out(self, demo_objects: list[dict]) -> None:
        """The findings index also holds `alert: resolved` documents; findings charts do not count them."""
        for title in ("findings over time by check and severity", "latest findings"):
            obj = _by_title(demo_objects)[f"[featurewatch] credit: {title}"]
            assert obj["attributes"]["state"]["query"]["query"] == 'model : "credit" and not alert : "resolved"'

    def test_alerts_over_time_by_status(self, demo_objects: list[dict]) -> None:
        """Incidents over time: per window, alerts split by new / ongoing / resolved."""
        obj = _by_title(demo_objects)["[featurewatch] credit: alerts over time: new, ongoing, resolved"]
        layer, vis = _layer(obj)
        split = layer["columns"][vis["layers"][0]["splitAccessor"]]
        assert split["sourceField"] == "alert" and vis["layers"][0]["seriesType"] == "bar_stacked"
        assert obj["attributes"]["state"]["query"]["query"] == 'model : "credit" and alert : *'

    def test_alert_status_table(self, demo_objects: list[dict]) -> None:
        """Each feature and check with its latest status, since when, its severity and latest window."""
        layer, _vis = _layer(_by_title(demo_objects)["[featurewatch] credit: alert status"])
        fields = [layer["columns"][c]["sourceField"] for c in layer["columnOrder"]]
        assert fields == ["feature", "check", "alert", "since", "severity", "window.end"]
        assert [layer["columns"][c]["operationType"] for c in layer["columnOrder"][2:]] == ["last_value"] * 4

    def test_the_overview_opens_with_the_alerts(self, demo_objects: list[dict]) -> None:
        overview = _by_title(demo_objects)["[featurewatch] credit: overview"]
        panels = json.loads(overview["attributes"]["panelsJSON"])
        by_id = {r["name"]: r["id"] for r in overview["references"]}
        titles = {o["id"]: o["attributes"]["title"] for o in demo_objects}
        top = [titles[by_id[f"{p['panelIndex']}:panel_{p['panelIndex']}"]] for p in panels if p["gridData"]["y"] == 0]
        assert top == ["[featurewatch] credit: alert status",
                       "[featurewatch] credit: alerts over time: new, ongoing, resolved"]

    @pytest.mark.parametrize("title, field, features", [
        ("present rate by feature", "present_rate", 15),
        ("null rate by feature", "null_rate", 15),
        ("unseen-category share by feature", "unseen_category_rate", 6),
        ("unseen-token rate by feature", "unseen_token_rate", 1),
        ("drift score by feature", "drift_score", 13),
    ])
    def test_per_feature_metrics(self, demo_objects: list[dict], title: str, field: str, features: int) -> None:
        """Each metric chart draws one line per feature of the kinds it applies to, from the metrics index."""
        layer, vis = _layer(_by_title(demo_objects)[f"[featurewatch] credit: {title}"])
        (vis_layer,) = vis["layers"]
        split = layer["columns"][vis_layer["splitAccessor"]]
        assert split["sourceField"] == "feature" and len(split["params"]["include"]) == features
        assert layer["columns"][vis_layer["accessors"][0]]["sourceField"] == field
        assert vis_layer["seriesType"] == "line"

    def test_category_mix_per_categorical_feature(self, demo_spec: ModelSpec, demo_objects: list[dict]) -> None:
        """Every categorical feature gets a percentage-stacked chart of its values over time."""
        mixes = [o for o in demo_objects if "category mix of" in o["attributes"]["title"]]
        fields = set()
        for obj in mixes:
            layer, vis = _layer(obj)
            assert vis["layers"][0]["seriesType"] == "bar_percentage_stacked"
            fields.add(layer["columns"][vis["layers"][0]["splitAccessor"]]["sourceField"])
        assert fields == {f"values.string.{f.name}" for f in demo_spec.of_kind("categorical")}
        assert fields == {f.field for f in demo_spec.of_kind("categorical")}

    def test_no_chart_reads_the_unindexed_record_fields(self, demo_bytes: bytes) -> None:
        """``features`` and ``prediction`` are kept in _source only: no object names a field under them."""
        for line in demo_bytes.decode().splitlines():
            sources = _source_fields(json.loads(line))
            assert not [f for f in sources if f.split(".")[0] in {"features", "prediction"}], sources

    def test_saved_search(self, demo_objects: list[dict]) -> None:
        """The raw-requests search shows one model's requests newest first."""
        (search,) = [o for o in demo_objects if o["type"] == "search"]
        source = json.loads(search["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        assert source["query"]["query"] == 'model : "credit"'
        assert search["attributes"]["sort"] == [["@timestamp", "desc"]]

    def test_dashboards(self, demo_objects: list[dict]) -> None:
        """Two dashboards restore their own time range; together they show every chart and the search."""
        dashboards = [o for o in demo_objects if o["type"] == "dashboard"]
        assert sorted(d["attributes"]["title"] for d in dashboards) == [
            "[featurewatch] credit: input health", "[featurewatch] credit: overview"]
        for d in dashboards:
            assert d["attributes"]["timeRestore"] is True
            assert d["attributes"]["timeFrom"].startswith("now-") and d["attributes"]["timeTo"] == "now"
        shown = {r["id"] for d in dashboards for r in d["references"]}
        assert shown == {o["id"] for o in demo_objects if o["type"] in {"lens", "search"}}

    def test_model_without_text_or_categories(self) -> None:
        """A numeric-only model gets no unseen-token, unseen-category or category-mix charts, and still validates."""
        spec = ModelSpec("tiny", (Feature("x", "numeric"), Feature("flag", "boolean")))
        objects = build_objects(spec)
        titles = {o["attributes"].get("title") for o in objects}
        assert "[featurewatch] tiny: unseen-token rate by feature" not in titles
        assert "[featurewatch] tiny: unseen-category share by feature" not in titles
        assert "[featurewatch] tiny: category mix of flag" in titles
        assert validate(build_ndjson(spec), contract_mappings(spec)) == []


class TestTypedFields:
    """Charts read each feature from the field of its JSON type in the type-stable layout (es.layout)."""

    @pytest.mark.parametrize("feature, field, data_type", [
        (Feature("income", "numeric"), "values.number.income", "number"),
        (Feature("vip", "boolean", ("boolean",)), "values.boolean.vip", "boolean"),
        (Feature("region", "categorical", ("string",)), "values.string.region", "string"),
        (Feature("region", "categorical"), "values.string.region", "string"),  # baseline without types
        (Feature("grade", "categorical", ("number",)), "values.number.grade", "number"),
        (Feature("grade", "categorical", ("number", "string")), "values.string.grade", "string"),
        (Feature("opt_in", "categorical", ("boolean",)), "values.boolean.opt_in", "boolean"),
        (Feature("note", "text", ("string",)), "values.string.note", "string"),
        (Feature("id", "identifier"), "values.string.id", "string"),
        (Feature("a.b", "numeric"), "values.number.a.b", "number"),  # dotted names are leaves
        (Feature("prediction", "numeric", prediction=True), "prediction_value.number", "number"),
        (Feature("prediction", "categorical", ("string",), prediction=True), "prediction_value.string", "string"),
        (Feature("prediction", "boolean", ("boolean",), prediction=True), "prediction_value.boolean", "boolean"),
    ])
    def test_field_of_each_kind(self, feature: Feature, field: str, data_type: str) -> None:
        assert (feature.field, feature.data_type) == (field, data_type)

    @pytest.mark.parametrize("types, field, data_type", [
        (("string",), "values.string.grade", "string"),
        (("number",), "values.number.grade", "number"),
        (("boolean",), "values.boolean.grade", "boolean"),
    ])
    def test_category_mix_follows_the_training_type(self, types: tuple[str, ...], field: str,
                                                    data_type: str) -> None:
        """A categorical feature trained on numbers is charted from values.number with Lens dataType number
        (and on booleans from values.boolean): the dataType fits the field, and the objects validate."""
        spec = ModelSpec("grades", (Feature("grade", "categorical", types), Feature("x", "numeric")))
        column = _category_column(build_objects(spec), "grades", "grade")
        assert (column["sourceField"], column["dataType"]) == (field, data_type)
        assert validate(build_ndjson(spec), contract_mappings(spec)) == []

    def test_boolean_mix_reads_the_boolean_field(self) -> None:
        spec = ModelSpec("tiny", (Feature("flag", "boolean", ("boolean",)),))
        column = _category_column(build_objects(spec), "tiny", "flag")
        assert (column["sourceField"], column["dataType"]) == ("values.boolean.flag", "boolean")

    def test_a_dataType_that_does_not_fit_is_caught(self) -> None:
        """The validator reports a category mix whose dataType disagrees with its typed field."""
        spec = ModelSpec("grades", (Feature("grade", "categorical", ("number",)),))
        objects = build_objects(spec)
        _category_column(objects, "grades", "grade")["dataType"] = "string"
        problems = validate(render(objects), contract_mappings(spec))
        assert any("dataType 'string' does not fit 'values.number.grade'" in p for p in problems), problems

    def test_spec_carries_training_types_and_the_prediction(self) -> None:
        frame = pd.DataFrame({"age": [1.5, 2.5, 3.5] * 20, "grade": [1, 2, 3] * 20, "city": ["a", "b", "c"] * 20,
                              "score": [0.1, 0.5, 0.9] * 20})
        options = BaselineOptions(model="m", kinds={"grade": "categorical"}, prediction="score")
        spec = spec_from_baseline(build_baseline(frame, options))
        fields = {f.name: f.field for f in spec.features}
        assert fields == {"age": "values.number.age", "grade": "values.number.grade", "city": "values.string.city"}
        assert spec.prediction is not None and spec.prediction.field == "prediction_value.number"

    def test_demo_spec_prediction(self, demo_spec: ModelSpec) -> None:
        assert demo_spec.prediction is not None
        assert (demo_spec.prediction.kind, demo_spec.prediction.field) == ("numeric", "prediction_value.number")

    def test_a_prediction_is_marked_as_one(self) -> None:
        """A spec's prediction reads prediction_value.<type> even if built without ``prediction=True``."""
        spec = ModelSpec("m", (), Feature("prediction", "categorical", ("string",)))
        assert spec.prediction is not None and spec.prediction.field == "prediction_value.string"


class TestFromBaseline:
    def test_demo_baseline_file_builds_the_committed_objects(self, tmp_path, demo_bytes: bytes) -> None:
        """The baseline `featurewatch demo` writes gives exactly the objects of --demo."""
        from featurewatch.demo import data
        from featurewatch.demo.run import DEMO_OPTIONS

        path = save_baseline(build_baseline(data.training_frame(), DEMO_OPTIONS), tmp_path / "b.json")
        assert build_ndjson(spec_from_baseline_file(path)) == demo_bytes

    def test_kinds_come_from_the_baseline(self) -> None:
        frame = pd.DataFrame({"age": [1.5, 2.5, 3.5] * 20, "city": ["a", "b", "c"] * 20})
        spec = spec_from_baseline(build_baseline(frame, BaselineOptions(model="m", kinds={"city": "text"})))
        assert spec.model == "m" and [(f.name, f.kind) for f in spec.features] == [("age", "numeric"),
                                                                                  ("city", "text")]

    def test_unreadable_file(self, tmp_path) -> None:
        """A missing or corrupt file is a BaselineError."""
        with pytest.raises(BaselineError, match="not found"):
            spec_from_baseline_file(tmp_path / "none.json")
        bad = tmp_path / "bad.json"
        bad.write_text("{")
        with pytest.raises(BaselineError):
            spec_from_baseline_file(bad)
