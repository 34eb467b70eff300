"""The held-out style check through Elasticsearch, as an operator runs it: the shim logs, ``setup
--baseline`` registers the model, ``ship --once`` (without ``--baseline``) ships, ``detect --es
--model`` checks each hourly window; every window's JSON is the one ``detect --source`` gives on the
same files, each fault is found and the clean windows raise nothing."""

from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner

import featurewatch as fw
from eswindow import training
from featurewatch.baseline import BaselineOptions, build_baseline, save_baseline
from featurewatch.cli import main
from featurewatch.es import layout

START = dt.datetime(2026, 11, 20, 22, tzinfo=dt.UTC)  # six hours across midnight: two daily indices
SPANISH = "necesito dinero para el coche"
#: window -> (fault, the check it must raise on its feature)
FAULTS = {1: ("income", "type_mismatch"), 3: ("note", "unseen_tokens"), 4: ("member", "type_mismatch")}


def _faulty(hour: int, i: int, row: dict) -> dict:
    if hour == 1 and i % 3 == 0:
        row["income"] = f"{row['income']:.2f}"          # numbers arriving as strings
    if hour == 3 and i % 2 == 0:
        row["note"] = SPANISH                             # unseen tokens
    if hour == 4 and i % 3 == 0:
        row["member"] = "true" if row["member"] else "false"  # booleans arriving as strings
    return row


def _run(*args, prefix):
    return CliRunner().invoke(main, list(args), env={"FEATUREWATCH_ES_INDEX_PREFIX": prefix},
                              catch_exceptions=False)


def test_every_fault_found_through_elasticsearch_as_on_files(tmp_path, es_url, es_client, es_prefix):
    options = BaselineOptions(model="held-out", versions=("1.0",), prediction="score",
                              kinds={"accounts": "categorical", "note": "text"})
    path = save_baseline(build_baseline(training(4000, seed=21), options), tmp_path / "baseline.json")
    assert _run("setup", "--es", es_url, "--baseline", str(path), prefix=es_prefix).exit_code == 0

    logs = tmp_path / "logs"
    fw.configure(log_dir=str(logs))
    for hour in range(6):
        frame = training(300, seed=100 + hour)
        for i, row in enumerate(frame.to_dict("records")):
            score = row.pop("score")
            fw.log_request(model="held-out", version="1.0", features=_faulty(hour, i, row), prediction=score,
                           timestamp=START + dt.timedelta(hours=hour, seconds=12 * i))
    fw.flush()
    shipped = _run("ship", "--source", str(logs), "--es", es_url, "--once", "--stats", prefix=es_prefix)
    assert shipped.exit_code == 0, shipped.output
    stats = json.loads(shipped.stdout.strip().splitlines()[-1])
    assert stats["indexed"] == 1800 and stats["dead_lettered"] == 0
    es_client.indices.refresh(index=layout.requests_pattern(es_prefix))

    for hour in range(6):
        start = START + dt.timedelta(hours=hour)
        window = ["--start", start.isoformat(), "--end", (start + dt.timedelta(hours=1)).isoformat(),
                  "--format", "json", "--fail-on", "never"]
        remote = _run("detect", "--es", es_url, "--model", "held-out", *window, prefix=es_prefix)
        local = _run("detect", "--baseline", str(path), "--source", str(logs), *window, prefix=es_prefix)
        assert remote.exit_code == local.exit_code == 0, remote.output
        assert json.loads(remote.stdout) == json.loads(local.stdout), hour
        alarms = {(f["feature"], f["check"]) for f in json.loads(remote.stdout)["findings"]
                  if f["severity"] in ("warning", "critical")}
        if hour in FAULTS:
            assert FAULTS[hour] in alarms, (hour, alarms)
        else:
            assert alarms == set(), (hour, alarms)
