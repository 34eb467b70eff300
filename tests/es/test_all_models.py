"""``detect --es --model NAME`` and ``--all-models``: baselines from the cluster, a fixed number of requests.

Twenty registered models are checked in one run with the same number of
requests as two: the client's ``GET /``, one search for the latest baselines,
one field-mapping look-up, one ``_msearch`` of every model's profile
searches, two ``_msearch`` for the alert memory and one bulk request for
every model's findings and metrics: seven in all.
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import featurewatch as fw
from eswindow import es_settings
from featurewatch.baseline import BaselineOptions, build_baseline, save_baseline
from featurewatch.cli import main
from featurewatch.detect.job import DetectJob, run_all_models
from featurewatch.errors import BaselineError, ConfigError
from featurewatch.es import layout
from featurewatch.es.setup import run_setup
from featurewatch.settings import Settings
from featurewatch.ship import RetryPolicy, ShipConfig, Shipper, bulk_sender
from featurewatch.window import Window

START = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=1)
WINDOW = ["--start", START.isoformat(), "--end", END.isoformat()]
#: Requests of an --all-models run, whatever the number of models (see the module docstring).
ALL_MODELS_REQUESTS = 7


def _training(seed: int, rows: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"amount": rng.normal(50, 5, rows).round(2),
                         "channel": rng.choice(["web", "app", "shop"], rows, p=[0.5, 0.3, 0.2])})


def _name(i: int) -> str:
    return f"model-{i:02d}"


def _fleet(tmp_path, es_url, es_client, prefix, models: int, faulty: frozenset[int] = frozenset({3})):
    """``models`` registered baselines and a window of 80 records each; the ``faulty`` ones see a new channel."""
    baselines = [build_baseline(_training(i), BaselineOptions(model=_name(i), versions=("1",)))
                 for i in range(models)]
    run_setup(es_settings(es_url, prefix).es, baselines=baselines)
    logs = tmp_path / "logs"
    fw.configure(log_dir=str(logs))
    for i in range(models):
        rows = _training(100 + i, 80).to_dict("records")
        for j, row in enumerate(rows):
            if i in faulty and j % 2 == 0:
                row["channel"] = "fax"
            fw.log_request(model=_name(i), version="1", request_id=f"{i}-{j}", features=row,
                           timestamp=START + dt.timedelta(seconds=40 * j))
    fw.flush()
    config = ShipConfig(source=logs, checkpoint=tmp_path / "ckpt.json", dead_letter=tmp_path / "dead.jsonl",
                        prefix=prefix, retry=RetryPolicy(max_tries=3))
    assert Shipper(config, bulk_sender(es_client, es_url)).run().as_dict()["dead_lettered"] == 0
    es_client.indices.refresh(index=layout.requests_pattern(prefix))
    return baselines, logs


def _run(*args, prefix):
    return CliRunner().invoke(main, list(args), env={"FEATUREWATCH_ES_INDEX_PREFIX": prefix}, catch_exceptions=False)


class TestModel:
    def test_the_registered_baseline_gives_the_files_result(self, tmp_path, es_url, es_client, es_prefix):
        baselines, logs = _fleet(tmp_path, es_url, es_client, es_prefix, 4)
        path = save_baseline(baselines[3], tmp_path / "b.json")
        by_model = _run("detect", "--model", _name(3), "--es", es_url, *WINDOW, "--format", "json",
                        "--fail-on", "never", prefix=es_prefix)
        by_file = _run("detect", "--baseline", str(path), "--es", es_url, *WINDOW, "--format", "json",
                       "--fail-on", "never", prefix=es_prefix)
        local = _run("detect", "--baseline", str(path), "--source", str(logs), *WINDOW, "--format", "json",
                     "--fail-on", "never", prefix=es_prefix)
        assert by_model.exit_code == by_file.exit_code == 0, by_model.output
        assert json.loads(by_model.stdout) == json.loads(by_file.stdout) == json.loads(local.stdout)
        assert any(f["check"] == "unseen_category" for f in json.loads(by_model.stdout)["findings"])

    def test_an_unregistered_model_is_exit_2(self, tmp_path, es_url, es_client, es_prefix):
        _fleet(tmp_path, es_url, es_client, es_prefix, 2)
        result = _run("detect", "--model", "nope", "--es", es_url, *WINDOW, prefix=es_prefix)
        assert result.exit_code == 2
        assert "no baseline of model 'nope'" in result.output and "model-00, model-01" in result.output

    @pytest.mark.parametrize("args, message", [
        ([], "give one of --baseline FILE, --model NAME or --all-models"),
        (["--model", "m", "--all-models"], "give one of"),
        (["--baseline", "b.json", "--model", "m"], "give one of"),
        (["--model", "m", "--source", "."], "give --es URL, not --source"),
        (["--all-models", "--source", "."], "give --es URL, not --source"),
    ])
    def test_usage(self, args, message):
        result = CliRunner().invoke(main, ["detect", *args, *WINDOW], env={"FEATUREWATCH_ES_URL": ""})
        assert result.exit_code == 2 and message in result.output

    def test_the_api_needs_the_cluster_for_a_registered_baseline(self, tmp_path):
        from featurewatch.detect.job import run_detect_job

        job = DetectJob(baseline=None, model="credit", window=Window(START, END), log_dir=tmp_path)
        with pytest.raises(ConfigError, match="give --es URL"):
            run_detect_job(job, Settings())


class TestAllModels:
    def test_every_model_in_a_fixed_number_of_requests(self, tmp_path, es_url, es_client, es_prefix, es_proxy):
        """Twenty models cost the same requests as two; each model's result is what --model gives."""
        _fleet(tmp_path, es_url, es_client, es_prefix, 20, faulty=frozenset({3, 11}))
        es_proxy.log.clear()
        result = _run("detect", "--all-models", "--es", es_proxy.url, *WINDOW, "--format", "json", prefix=es_prefix)
        assert result.exit_code == 3, result.output
        assert len(es_proxy.log) == ALL_MODELS_REQUESTS, [(m, p.split("?")[0]) for m, p, _ in es_proxy.log]
        doc = json.loads(result.stdout)
        assert doc["window"] == {"start": "2026-11-20T09:00:00Z", "end": "2026-11-20T10:00:00Z"}
        assert [m["model"] for m in doc["models"]] == [_name(i) for i in range(20)] and doc["failed"] == []
        flagged = {m["model"] for m in doc["models"] if any(f.get("alert") for f in m["findings"])}
        assert flagged == {_name(3), _name(11)}
        assert all(m["records"] == 80 for m in doc["models"])

        # The same window for one model alone (a rerun: the alerts are now ongoing there and here).
        again = _run("detect", "--all-models", "--es", es_proxy.url, *WINDOW, "--format", "json", prefix=es_prefix)
        one = _run("detect", "--model", _name(3), "--es", es_url, *WINDOW, "--format", "json", prefix=es_prefix)
        assert json.loads(one.stdout) == json.loads(again.stdout)["models"][3]
        findings = layout.findings_index(es_prefix)
        es_client.indices.refresh(index=findings)
        stored = es_client.count(index=findings).body["count"]
        assert stored == sum(len(m["findings"]) for m in doc["models"])  # reruns replaced, never duplicated

    def test_reference_window_and_widening_as_for_one_model(self, tmp_path, es_url, es_client, es_prefix,
                                                             es_proxy):
        """--reference-window and --min-records/--max-lookback: each model's result and notes are --model's,
        and the requests still do not grow with the models (one _msearch per step back, one for the reference)."""
        _fleet(tmp_path, es_url, es_client, es_prefix, 3, faulty=frozenset({1}))
        options = ["--fail-on", "never", "--format", "json", "--reference-window", "2h", "--min-records", "150",
                   "--max-lookback", "3h"]
        es_proxy.log.clear()
        every = _run("detect", "--all-models", "--es", es_proxy.url, *WINDOW, *options, prefix=es_prefix)
        assert every.exit_code == 0, every.output
        # 7, plus one _msearch per step back (3 hours) and one for the reference window.
        assert len(es_proxy.log) == ALL_MODELS_REQUESTS + 3 + 1
        for position in range(3):
            one = _run("detect", "--model", _name(position), "--es", es_url, *WINDOW, *options, prefix=es_prefix)
            assert json.loads(one.stdout) == json.loads(every.stdout)["models"][position]
            warnings = [line.removeprefix("warning: ") for line in one.stderr.splitlines()]
            assert warnings and all(f"warning: {_name(position)}: {w}" in every.stderr for w in warnings)

    def test_two_models_cost_the_same(self, tmp_path, es_url, es_client, es_prefix, es_proxy):
        _fleet(tmp_path, es_url, es_client, es_prefix, 2)
        es_proxy.log.clear()
        result = _run("detect", "--all-models", "--es", es_proxy.url, *WINDOW, prefix=es_prefix)
        assert result.exit_code == 0, result.output
        assert len(es_proxy.log) == ALL_MODELS_REQUESTS

    def test_table_has_a_summary_per_model(self, tmp_path, es_url, es_client, es_prefix):
        _fleet(tmp_path, es_url, es_client, es_prefix, 3, faulty=frozenset({1}))
        result = _run("detect", "--all-models", "--es", es_url, *WINDOW, prefix=es_prefix)
        assert result.exit_code == 3
        lines = result.stdout.splitlines()
        summary = lines[lines.index("3 models, window 2026-11-20T09:00:00Z → 2026-11-20T10:00:00Z:") + 1:]
        assert summary[0].split()[:3] == ["model-00", "80", "records"] and summary[0].endswith("ok")
        assert summary[1].startswith("  model-01") and "(worst " in summary[1] and "new" in summary[1]
        assert summary[3] == "1 flagged, 2 without alerts, 0 failed"
        assert sum(1 for line in lines if line.startswith("model model-")) == 3  # each model's own table

    def test_a_model_that_cannot_be_checked_does_not_hide_the_others(self, tmp_path, es_url, es_client, es_prefix,
                                                                       es_proxy):
        """One model's failed search: exit 1, that model named, the others checked and written."""
        _fleet(tmp_path, es_url, es_client, es_prefix, 3, faulty=frozenset())
        index = layout.requests_index(START, es_prefix)
        es_proxy.fail_shards_next(1, index, path="_msearch", item=1)
        result = _run("detect", "--all-models", "--es", es_proxy.url, *WINDOW, "--format", "json", prefix=es_prefix)
        assert result.exit_code == 1
        doc = json.loads(result.stdout)
        assert [m["model"] for m in doc["models"]] == [_name(0), _name(2)]
        assert doc["failed"][0]["model"] == _name(1) and index in doc["failed"][0]["error"]
        assert f"error: {_name(1)}: " in result.stderr and index in result.stderr

    def test_nothing_registered_is_exit_2(self, es_url, es_client, es_prefix):
        run_setup(es_settings(es_url, es_prefix).es)
        result = _run("detect", "--all-models", "--es", es_url, *WINDOW, prefix=es_prefix)
        assert result.exit_code == 2 and "no baselines registered" in result.output

    def test_the_api(self, tmp_path, es_url, es_client, es_prefix):
        _fleet(tmp_path, es_url, es_client, es_prefix, 2, faulty=frozenset({0}))
        settings = es_settings(es_url, es_prefix)
        fleet = run_all_models(DetectJob(baseline=None, window=Window(START, END),
                                         metrics_file=tmp_path / "metrics.jsonl"), settings)
        assert fleet.flagged == [_name(0)] and fleet.failures == {}
        assert [r.report.model for r in fleet.results] == [_name(0), _name(1)]
        lines = (tmp_path / "metrics.jsonl").read_text().splitlines()
        assert {json.loads(line)["model"] for line in lines} == {_name(0), _name(1)}
        with pytest.raises(ConfigError):
            run_all_models(DetectJob(baseline=None, model="x", window=Window(START, END)), settings)
        with pytest.raises(BaselineError):
            run_all_models(DetectJob(baseline=None, window=Window(START, END)),
                           es_settings(es_url, es_prefix + "-none"))
