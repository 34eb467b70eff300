"""Baselines kept in the cluster: versioned registrations, latest per model, listed; ``setup --baseline``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from eswindow import es_settings
from featurewatch.baseline import Baseline, BaselineOptions, build_baseline, save_baseline, to_dict
from featurewatch.cli import main
from featurewatch.errors import BaselineError
from featurewatch.es import setup
from featurewatch.es.baselines import BaselineRegistry, baselines_index, content_hash, registration_id
from featurewatch.es.setup import list_baselines, run_setup


def model_baseline(model: str, seed: int = 0, rows: int = 300) -> Baseline:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"amount": rng.normal(50 + seed, 5, rows).round(2),
                          "channel": rng.choice(["web", "app", "shop"], rows),
                          "comment": [" ".join(rng.choice(["fast", "late", "ok", "bad"], 3)) for _ in range(rows)]})
    return build_baseline(frame, BaselineOptions(model=model, versions=("1.0",), kinds={"comment": "text"}))


def _clock(*moments: str):
    times = iter(dt.datetime.fromisoformat(m) for m in moments)
    return lambda: next(times)


class TestContentHash:
    def test_same_content_same_hash_whenever_built(self):
        one = model_baseline("m")
        again = dataclasses.replace(one, created="2030-01-01T00:00:00Z")
        assert content_hash(one) == content_hash(again) == content_hash(to_dict(again))
        assert content_hash(model_baseline("m", seed=1)) != content_hash(one)
        assert registration_id("m", content_hash(one)) == registration_id("m", content_hash(again))
        assert registration_id("n", content_hash(one)) != registration_id("m", content_hash(one))


class TestRegistry:
    def test_versions_latest_wins_earlier_kept(self, es_client, es_prefix):
        setup.install(es_client, es_prefix)
        registry = BaselineRegistry(es_client, es_prefix, now=_clock("2026-11-20T10:00:00+00:00",
                                                                     "2026-11-21T10:00:00+00:00",
                                                                     "2026-11-22T10:00:00+00:00"))
        first, second = model_baseline("credit", 0), model_baseline("credit", 1)
        assert (registry.register(first).action, registry.register(first).action) == ("created", "unchanged")
        two = registry.register(second)
        assert (two.action, two.revision) == ("created", 2)
        assert content_hash(registry.latest("credit")) == content_hash(second)
        # Registering the first again rolls back to it: a new revision on its own document.
        back = registry.register(first)
        assert (back.action, back.revision) == ("updated", 3)
        assert to_dict(registry.latest("credit")) == to_dict(first)
        listed = registry.registrations("credit")
        assert [(r.revision, r.content_hash, r.latest) for r in listed] == [
            (3, content_hash(first), True), (2, content_hash(second), False)]
        assert listed[0].registered_at == "2026-11-22T10:00:00.000Z" and listed[0].text_features == ("comment",)

    def test_latest_of_every_model_in_one_search(self, es_client, es_prefix, es_proxy):
        from featurewatch.es.client import build_client, cluster_major

        setup.install(es_client, es_prefix)
        writer = BaselineRegistry(es_client, es_prefix)
        expected = {}
        for number, model in enumerate(["alpha", "beta", "gamma"]):
            for seed in range(3):
                writer.register(model_baseline(model, seed=10 * number + seed, rows=60))
            expected[model] = content_hash(model_baseline(model, seed=10 * number + 2, rows=60))
        client = build_client(es_settings(es_proxy.url).es)
        cluster_major(client)
        es_proxy.log.clear()
        found = BaselineRegistry(client, es_prefix, url=es_proxy.url).latest_all()
        assert {model: content_hash(b) for model, b in found.items()} == expected
        assert len(es_proxy.log) == 1
        assert len(BaselineRegistry(client, es_prefix).registrations()) == 9

    def test_unregistered_model_names_the_registered_ones(self, es_client, es_prefix):
        setup.install(es_client, es_prefix)
        registry = BaselineRegistry(es_client, es_prefix)
        registry.register(model_baseline("credit"))
        with pytest.raises(BaselineError) as caught:
            registry.latest("fraud")
        message = str(caught.value)
        assert "no baseline of model 'fraud'" in message and "registered: credit" in message
        assert "--baseline FILE" in message and caught.value.exit_code == 2

    def test_nothing_registered_yet_not_even_the_index(self, es_client, es_prefix):
        registry = BaselineRegistry(es_client, es_prefix)
        assert registry.latest_all() == {} and registry.registrations() == []
        with pytest.raises(BaselineError, match="no baseline of model 'credit'"):
            registry.latest("credit")

    def test_a_damaged_document_is_refused(self, es_client, es_prefix):
        setup.install(es_client, es_prefix)
        registry = BaselineRegistry(es_client, es_prefix)
        baseline = model_baseline("credit")
        registry.register(baseline)
        doc_id = registration_id("credit", content_hash(baseline))
        es_client.update(index=baselines_index(es_prefix), id=doc_id, doc={"baseline": {"rows": 1}}, refresh=True)
        with pytest.raises(BaselineError, match="does not match its content hash"):
            registry.latest("credit")


class TestRunSetup:
    def test_registers_files_and_objects(self, es_url, es_prefix, tmp_path):
        settings = es_settings(es_url, es_prefix).es
        path = save_baseline(model_baseline("credit"), tmp_path / "credit.json")
        result = run_setup(settings, baselines=[path, model_baseline("fraud")])
        assert [(r.model, r.action, r.revision) for r in result.registered] == [
            ("credit", "created", 1), ("fraud", "created", 1)]
        assert ("index", baselines_index(es_prefix), "created") in [(c.kind, c.name, c.action) for c in result.changes]
        again = run_setup(settings, baselines=[path])
        assert [r.action for r in again.registered] == ["unchanged"]
        assert [(r.model, r.latest) for r in list_baselines(settings)] == [("credit", True), ("fraud", True)]

    def test_a_bad_file_changes_nothing(self, es_client, es_url, es_prefix, tmp_path):
        bad = tmp_path / "bad.json"
        bad.write_text("{not json")
        good = save_baseline(model_baseline("credit"), tmp_path / "credit.json")
        with pytest.raises(BaselineError):
            run_setup(es_settings(es_url, es_prefix).es, baselines=[good, bad])
        assert not es_client.indices.exists(index=baselines_index(es_prefix))


class TestSetupCli:
    def test_register_then_list(self, es_url, es_prefix, tmp_path):
        env = {"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix}
        runner = CliRunner()
        files = [save_baseline(model_baseline(m, seed=i), tmp_path / f"{m}.json")
                 for i, m in enumerate(["credit", "fraud"])]
        first = runner.invoke(main, ["setup", "--es", es_url, "--baseline", str(files[0]),
                                     "--baseline", str(files[1])], env=env)
        assert first.exit_code == 0, first.output
        lines = first.output.strip().splitlines()
        assert lines[-2].startswith("created   baseline credit revision 1 (sha256 ")
        assert lines[-1].startswith("created   baseline fraud revision 1 (sha256 ")
        assert f"created   index {baselines_index(es_prefix)}" in first.output
        save_baseline(model_baseline("credit", seed=5), files[0])
        second = runner.invoke(main, ["setup", "--es", es_url, "--baseline", str(files[0])], env=env)
        assert "created   baseline credit revision 2" in second.output

        table = runner.invoke(main, ["setup", "--es", es_url, "--list"], env=env)
        assert table.exit_code == 0, table.output
        rows = table.output.strip().splitlines()
        assert rows[0].split() == ["MODEL", "REVISION", "REGISTERED", "SHA256", "VERSIONS", "FEATURES", "TEXT"]
        assert [row.split()[:2] for row in rows[1:]] == [["credit", "2"], ["credit", "1"], ["fraud", "1"]]
        assert rows[1].endswith("latest") and not rows[2].endswith("latest") and rows[3].endswith("latest")
        listed = json.loads(runner.invoke(main, ["setup", "--es", es_url, "--list", "--model", "credit",
                                                 "--format", "json"], env=env).stdout)
        assert [(r["model"], r["revision"], r["latest"]) for r in listed] == [("credit", 2, True), ("credit", 1, False)]

    def test_list_is_read_only_and_says_when_empty(self, es_client, es_url, es_prefix):
        result = CliRunner().invoke(main, ["setup", "--es", es_url, "--list"],
                                    env={"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix})
        assert result.exit_code == 0 and "no baselines registered" in result.output
        assert not es_client.indices.exists(index=baselines_index(es_prefix))

    @pytest.mark.parametrize("args", [["--list", "--baseline", "x.json"], ["--model", "credit"],
                                      ["--format", "json"]])
    def test_usage(self, args):
        result = CliRunner().invoke(main, ["setup", "--es", "http://127.0.0.1:1", *args])
        assert result.exit_code == 2

    def test_bad_baseline_file_is_exit_2(self, tmp_path, es_url, es_prefix):
        result = CliRunner().invoke(main, ["setup", "--es", es_url, "--baseline", str(tmp_path / "missing.json")],
                                    env={"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix})
        assert result.exit_code == 2 and "baseline file not found" in result.output
