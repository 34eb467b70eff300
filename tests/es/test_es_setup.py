"""Tests for featurewatch.es.templates, featurewatch.es.setup and featurewatch.es.client."""

from __future__ import annotations

import datetime as _dt

import pytest

from featurewatch.errors import BackendError, ConfigError
from featurewatch.es import layout, templates
from featurewatch.es.client import backend_errors, build_client, safe_url
from featurewatch.es.setup import (
    delete_old_request_indices,
    indices_older_than,
    install,
    run_setup,
    supports_subobjects,
)
from featurewatch.settings import ElasticsearchSettings, MissingSetting


class TestTemplates:
    def test_requests_template_is_type_stable(self):
        """Values by JSON type into fields of one type each; the record itself kept but never indexed."""
        body = templates.requests_template("fw")
        assert body["index_patterns"] == ["fw-requests-*"]
        settings = body["template"]["settings"]
        assert settings["index.mapping.total_fields.limit"] == templates.TOTAL_FIELDS_LIMIT
        mappings = body["template"]["mappings"]
        assert mappings["date_detection"] is False and mappings["numeric_detection"] is False
        properties = mappings["properties"]
        assert properties["features"] == properties["prediction"] == {"type": "object", "enabled": False}
        rules = {name: rule for entry in mappings["dynamic_templates"] for name, rule in entry.items()}
        assert rules["values_number_long"] == rules["values_number_double"] | {"match_mapping_type": "long"}
        assert rules["values_number_double"] == {"path_match": "values.number.*", "match_mapping_type": "double",
                                                 "mapping": {"type": "double", "coerce": False}}
        assert rules["values_string"]["mapping"]["type"] == "keyword"
        assert rules["values_boolean"]["mapping"] == {"type": "boolean"}
        assert rules["tokens"]["path_match"] == "tokens.*" and rules["tokens"]["mapping"]["type"] == "keyword"
        # Intermediate objects of dotted names (where subobjects: false is missing) never match a leaf rule.
        assert all(rule.get("match_mapping_type") not in (None, "object") for rule in rules.values())
        assert all(rule["mapping"].get("type") != "text" for rule in rules.values())
        assert {t: m["type"] for t, m in properties["types"]["properties"].items()} == \
            dict.fromkeys(["number", "string", "boolean", "object", "array"], "keyword")
        leaves = [properties["values"]["properties"][t] for t in ("number", "string", "boolean")]
        leaves += [properties[name] for name in ("tokens", "text_tokens", "text_chars")]
        assert all(leaf["subobjects"] is False for leaf in leaves)
        plain = templates.requests_template("fw", subobjects=False)["template"]["mappings"]["properties"]
        assert "subobjects" not in plain["tokens"] and "subobjects" not in plain["values"]["properties"]["number"]

    def test_findings_and_metrics_fields_come_from_layout(self):
        """Every field of layout.FINDING_FIELDS / METRIC_FIELDS is mapped with its type."""
        for mappings, fields in ((templates.findings_mappings(), layout.FINDING_FIELDS),
                                 (templates.metrics_mappings(), layout.METRIC_FIELDS)):
            for name, kind in fields.items():
                node = mappings
                for part in name.split("."):
                    node = node["properties"][part]
                assert node["type"] == kind, name

    def test_checksum_ignores_meta_and_changes_with_content(self):
        """The stamp setup compares changes when a mapping changes, not when _meta does."""
        one = templates.requests_template("fw")
        two = templates.requests_template("fw")
        assert one["_meta"]["checksum"] == two["_meta"]["checksum"]
        assert templates.requests_template("other")["_meta"]["checksum"] != one["_meta"]["checksum"]

    @pytest.mark.parametrize("info, expected", [
        ({"version": {"number": "8.18.0"}}, True),
        ({"version": {"number": "9.1.2", "build_flavor": "default"}}, True),
        ({"version": {"number": "8.2.3"}}, False),
        ({"version": {"number": "3.8.0", "distribution": "opensearch"}}, False),
    ])
    def test_subobjects_only_where_supported(self, info, expected):
        """subobjects: false is used on Elasticsearch ≥ 8.3 only."""
        assert supports_subobjects(info) is expected


class TestRetention:
    def test_indices_older_than(self):
        """Only this prefix's daily indices strictly older than the cutoff are chosen."""
        names = ["fw-requests-2026.11.01", "fw-requests-2026.11.20", "fw-requests-2026.11.19",
                 "fw-findings", "other-requests-2026.01.01", "fw-requests-garbage"]
        assert indices_older_than(names, "fw", 7, _dt.date(2026, 11, 27)) == [
            "fw-requests-2026.11.01", "fw-requests-2026.11.19"]

    def test_delete_old_request_indices(self, es_client, es_prefix):
        """Old daily indices are deleted, recent ones and the findings index are kept."""
        install(es_client, es_prefix)
        for day in ("2026.10.01", "2026.11.25"):
            es_client.indices.create(index=f"{es_prefix}-requests-{day}")
        deleted = delete_old_request_indices(es_client, es_prefix, 30, today=_dt.date(2026, 11, 26))
        assert deleted == [f"{es_prefix}-requests-2026.10.01"]
        assert es_client.indices.exists(index=f"{es_prefix}-requests-2026.11.25")
        assert es_client.indices.exists(index=layout.findings_index(es_prefix))


class TestInstall:
    def test_twice_changes_nothing_the_second_time(self, es_client, es_prefix):
        """A second install reports everything unchanged and leaves the installed bodies as they were."""
        first = install(es_client, es_prefix)
        assert {c.action for c in first} == {"created"}
        assert {(c.kind, c.name) for c in first} == {
            ("template", f"{es_prefix}-requests"), ("index", f"{es_prefix}-findings"),
            ("index", f"{es_prefix}-metrics"), ("index", f"{es_prefix}-baselines")}
        before = es_client.indices.get_index_template(name=f"{es_prefix}-requests").body
        second = install(es_client, es_prefix)
        assert {c.action for c in second} == {"unchanged"}
        assert es_client.indices.get_index_template(name=f"{es_prefix}-requests").body == before

    def test_outdated_template_is_updated(self, es_client, es_prefix):
        """A template with another checksum (an older featurewatch) is replaced and reported as updated."""
        install(es_client, es_prefix)
        body = templates.requests_template(es_prefix, subobjects=False)
        es_client.indices.put_index_template(name=f"{es_prefix}-requests", index_patterns=body["index_patterns"],
                                             priority=body["priority"], template=body["template"],
                                             meta={"checksum": "old"})
        changes = {c.name: c.action for c in install(es_client, es_prefix)}
        assert changes[f"{es_prefix}-requests"] == "updated"
        assert changes[f"{es_prefix}-findings"] == "unchanged"

    def test_findings_index_of_an_older_version_is_updated_with_the_new_fields(self, es_client, es_prefix):
        """An index made before effect/baseline_value were mapped gains them (nothing was written yet)."""
        es_client.indices.create(index=layout.findings_index(es_prefix),
                                 mappings={"properties": {"model": {"type": "keyword"}}, "_meta": {"checksum": "old"}})
        changes = {c.name: c.action for c in install(es_client, es_prefix)}
        assert changes[layout.findings_index(es_prefix)] == "updated"
        mapped = es_client.indices.get_mapping(index=layout.findings_index(es_prefix)).body
        properties = mapped[layout.findings_index(es_prefix)]["mappings"]["properties"]
        assert properties["baseline_value"] == {"type": "double"}

    def test_a_field_mapped_by_its_first_value_is_a_clear_error(self, es_client, es_prefix):
        """baseline_value dynamically mapped float by an older version cannot become double: say what to do."""
        es_client.indices.create(index=layout.findings_index(es_prefix),
                                 mappings={"properties": {"baseline_value": {"type": "float"}},
                                           "_meta": {"checksum": "old"}})
        with pytest.raises(BackendError) as caught:
            install(es_client, es_prefix)
        message = str(caught.value)
        assert f"cannot update the mappings of {layout.findings_index(es_prefix)}" in message
        assert "reindex" in message and "\n" not in message


class TestClient:
    def test_unreachable_cluster_error_has_no_secret(self):
        """The one-line error names the host but never the password or API key."""
        client = build_client(ElasticsearchSettings(url="http://elastic:s3cret-pw@127.0.0.1:1",
                                                    index_prefix="fw"), request_timeout=2)
        with pytest.raises(BackendError) as caught, backend_errors("http://elastic:s3cret-pw@127.0.0.1:1"):
            client.info()
        message = str(caught.value)
        assert "cannot reach Elasticsearch at http://127.0.0.1:1" in message
        assert "s3cret" not in message and "elastic" not in message.replace("Elasticsearch", "")

    def test_invalid_settings_are_config_errors(self, tmp_path):
        """A missing URL, both auth kinds at once, or a missing CA file are usage errors (exit 2)."""
        with pytest.raises(ConfigError, match="no Elasticsearch URL"):
            build_client(ElasticsearchSettings())
        with pytest.raises(ConfigError, match="not both"):
            build_client(ElasticsearchSettings(url="http://h:9200", api_key="k", username="u", password="p"))
        with pytest.raises(ConfigError, match="CA file not found"):
            build_client(ElasticsearchSettings(url="https://h:9200", ca_file=str(tmp_path / "nope.pem")))
        # A CA file (say, from the environment) does not break a plain-http URL.
        assert build_client(ElasticsearchSettings(url="http://h:9200", ca_file=str(tmp_path / "nope.pem")))
        assert ConfigError.exit_code == 2

    def test_safe_url_strips_credentials(self):
        """URLs in messages lose their user-info part."""
        assert safe_url("https://user:pw@es.example:9243/base?x=1") == "https://es.example:9243/base"


class TestRunSetup:
    def test_the_setup_job_installs_then_applies_retention(self, es_url, es_client, es_prefix):
        """run_setup is the whole `featurewatch setup`: changes first, then the daily indices it deleted."""
        settings = ElasticsearchSettings(url=es_url, index_prefix=es_prefix)
        first = run_setup(settings)
        assert {c.action for c in first.changes} == {"created"} and first.deleted == []
        es_client.indices.create(index=f"{es_prefix}-requests-2026.10.01")
        second = run_setup(settings, delete_older_than_days=30, today=_dt.date(2026, 11, 26))
        assert {c.action for c in second.changes} == {"unchanged"}
        assert second.deleted == [f"{es_prefix}-requests-2026.10.01"]

    def test_an_unreachable_cluster_is_a_backend_error(self):
        with pytest.raises(BackendError, match=r"cannot reach Elasticsearch at http://127.0.0.1:9"):
            run_setup(ElasticsearchSettings(url="http://127.0.0.1:9"))

    def test_a_missing_url_names_the_setting_not_a_flag(self):
        """The library says what is missing; how to give it is the CLI's business (MissingSetting.setting)."""
        with pytest.raises(MissingSetting) as caught:
            run_setup(ElasticsearchSettings())
        assert str(caught.value) == "no Elasticsearch URL" and caught.value.setting == "es.url"
