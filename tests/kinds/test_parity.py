"""Local files and Elasticsearch count each kind identically: one feature of each kind, with
that kind's faults, logged by the shim, shipped to the test server, profiled both ways."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import featurewatch as fw
from featurewatch.baseline import BaselineOptions, build_baseline
from featurewatch.detect import detect_profile
from featurewatch.es import layout, setup
from featurewatch.es.source import ElasticsearchSource
from featurewatch.profile import LocalSource
from featurewatch.ship import RetryPolicy, ShipConfig, Shipper, bulk_sender
from featurewatch.ship.enrich import TokenEnricher

START = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=1)
WORDS = ["pay", "the", "loan", "for", "my", "car", "repair", "school", "fees", "home"]


def _numeric(rng, n):
    return rng.normal(50, 10, n).round(1)


def _categorical(rng, n):
    return rng.choice(["north", "south", "east"], n, p=[0.5, 0.3, 0.2])


def _integer_keys(rng, n):
    return rng.integers(1, 5, n)


def _digit_strings(rng, n):
    return rng.choice(["1", "2", "3"], n)


def _boolean(rng, n):
    return rng.random(n) < 0.3


def _text(rng, n):
    return [" ".join(rng.choice(WORDS, 4)) for _ in range(n)]


def _identifier(rng, n):
    return [f"id-{v}" for v in rng.integers(0, 10**9, n)]


# kind, training values, the kind's faults (i -> value), the checks the faults must raise. Numeric strings
# ("12.5") are left out: the test server coerces them into numeric fields, Elasticsearch does not (issue 12).
CASES = {
    "numeric": ("numeric", _numeric, lambda i: {0: None, 1: 1e6, 2: "n/a"}.get(i % 6, "keep"),
                {"na_spike", "out_of_range", "type_mismatch"}),
    "categorical": ("categorical", _categorical, lambda i: {0: None, 1: "atlantis"}.get(i % 5, "keep"),
                    {"na_spike", "unseen_category"}),
    "integer-keys": ("categorical", _integer_keys, lambda i: {0: 9, 1: 2.0}.get(i % 6, "keep"),
                     {"unseen_category"}),
    # Trained as the strings "1".."3", sent as JSON numbers: every value a violation (the Arrow fast path too).
    "digit-strings": ("categorical", _digit_strings, lambda i: int(i % 3) + 1, {"type_mismatch"}),
    "boolean": ("boolean", _boolean, lambda i: {0: None}.get(i % 3, "keep"), {"na_spike"}),
    "text": ("text", _text, lambda i: {0: "necesito dinero para el coche", 1: None}.get(i % 3, "keep"),
             {"unseen_tokens", "na_spike"}),
    "identifier": ("identifier", _identifier, lambda i: "absent" if i % 2 else "keep", {"vanished_feature"}),
}


def _findings(baseline, profile):
    """Findings as dicts, floats to 9 digits: sums differ in the last bits with the order of addition."""
    return [{k: float(f"{v:.9g}") if isinstance(v, float) else v for k, v in f.to_dict().items()}
            for f in detect_profile(baseline, profile).findings]


def _ship(tmp_path, logs, es_url, es_client, es_prefix, baselines=()) -> dict:
    """Install the templates, ship ``logs`` (token fields for ``baselines``), refresh; the shipper's counters."""
    setup.install(es_client, es_prefix)
    config = ShipConfig(source=logs, checkpoint=tmp_path / "ckpt.json", dead_letter=tmp_path / "dead.jsonl",
                        prefix=es_prefix, retry=RetryPolicy(max_tries=3),
                        enrich=TokenEnricher(list(baselines)) if baselines else None)
    stats = Shipper(config, bulk_sender(es_client, es_url)).run().as_dict()
    es_client.indices.refresh(index=layout.requests_pattern(es_prefix))
    return stats


@pytest.mark.parametrize("case", sorted(CASES))
def test_kind_counts_and_findings_agree(case, tmp_path, es_url, es_client, es_prefix):
    kind, values, fault, expected = CASES[case]
    rng = np.random.default_rng(7)
    training = pd.DataFrame({"x": values(rng, 3000), "other": rng.random(3000)})
    baseline = build_baseline(training, BaselineOptions(model=f"kind-{case}", versions=("1",), kinds={"x": kind}))
    assert baseline.features["x"].kind == kind

    logs = tmp_path / "logs"
    fw.configure(log_dir=str(logs))
    window = values(rng, 1200)
    for i in range(1200):
        value = fault(i)
        features = {"other": float(rng.random())}
        if value != "absent":
            features["x"] = window[i].item() if hasattr(window[i], "item") else window[i]
            if value != "keep":
                features["x"] = value
        fw.log_request(model=baseline.model, version="1", features=features,
                       timestamp=START + dt.timedelta(seconds=i * 3))
    fw.flush()

    assert _ship(tmp_path, logs, es_url, es_client, es_prefix, [baseline])["dead_lettered"] == 0

    local = LocalSource(logs, workers=1).profile(baseline, START, END)
    remote = ElasticsearchSource(es_client, es_prefix).profile(baseline, START, END)
    assert local.records == 1200
    mine, theirs = local.to_dict()["features"]["x"], remote.to_dict()["features"]["x"]
    assert theirs.pop("total") == pytest.approx(mine.pop("total"), rel=1e-9)
    assert theirs == mine

    local_findings = _findings(baseline, local)
    assert _findings(baseline, remote) == local_findings
    raised = {f["check"] for f in local_findings if f["feature"] == "x" and f["severity"] != "info"}
    assert expected <= raised, raised


# Every value class the local source accepts, in every kind, under dotted names, across two daily
# indices whose first values differ in type, with a second model using the same names with other types.
HOSTILE = [None, "12.5", "", "true", "false", True, False, 7, 7.0, 2.5, {"k": 1}, [1, 2], "atlantis", -3]
MIDNIGHT = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)
SPAN = (MIDNIGHT - dt.timedelta(minutes=30), MIDNIGHT + dt.timedelta(minutes=30))
KINDS_BY_NAME = {"num.x": "numeric", "cat.x": "categorical", "int.x": "categorical", "bool.x": "boolean",
                 "text.body": "text", "id.x": "identifier"}
#: Names Elasticsearch refuses as field names (they get encoded fields), one numeric and one categorical.
REFUSED = {"": "num.x", "a..b": "cat.x", "~tilde": "text.body"}


def _every_kind(rng, n):
    frame = pd.DataFrame({"num.x": _numeric(rng, n), "cat.x": _categorical(rng, n), "int.x": _integer_keys(rng, n),
                          "bool.x": _boolean(rng, n), "text.body": _text(rng, n), "id.x": _identifier(rng, n),
                          "score": rng.random(n)})
    for name, like in REFUSED.items():
        frame[name] = frame[like]
    return frame


def _log_raw(logs, record):
    """A record as another writer might log it (the shim always writes an object error with text)."""
    import orjson

    logs.mkdir(parents=True, exist_ok=True)
    hour = record["@timestamp"][:13].replace("-", "")
    with (logs / f"featurewatch-{hour}-other-writer-1-a.jsonl").open("ab") as handle:
        handle.write(orjson.dumps(record) + b"\n")


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def test_every_value_class_in_every_kind_counts_the_same(tmp_path, es_url, es_client, es_prefix):
    rng = np.random.default_rng(11)
    kinds = {**KINDS_BY_NAME, **{name: KINDS_BY_NAME[like] for name, like in REFUSED.items()}}
    main = build_baseline(_every_kind(rng, 3000), BaselineOptions(model="every", versions=("1",), prediction="score",
                                                                  kinds=kinds))
    # Another model, same feature names, other types: strings where "every" has numbers and the reverse.
    other_training = pd.DataFrame({"num.x": rng.choice(["lo", "hi"], 3000), "cat.x": rng.integers(0, 3, 3000)})
    other = build_baseline(other_training, BaselineOptions(model="other", versions=("1",),
                                                           kinds={"num.x": "categorical", "cat.x": "categorical"}))
    logs = tmp_path / "logs"
    fw.configure(log_dir=str(logs))
    window = _every_kind(rng, 1200)
    first_after_midnight = True
    for i, row in enumerate(window.to_dict("records")):
        when = SPAN[0] + dt.timedelta(seconds=i * 3)
        features = {name: _plain(row[name]) for name in [*KINDS_BY_NAME, *REFUSED]}
        if when >= MIDNIGHT and first_after_midnight:  # the new day's index first sees strings everywhere
            features = dict.fromkeys(KINDS_BY_NAME, "n/a")
            first_after_midnight = False
        elif i % 3 == 0:
            for offset, name in enumerate(KINDS_BY_NAME):
                features[name] = HOSTILE[(i // 3 + offset) % len(HOSTILE)]
        prediction = HOSTILE[i % len(HOSTILE)] if i % 5 == 0 else _plain(row["score"])
        fw.log_request(model="every", version="1", features=features, prediction=prediction, timestamp=when)
        if i % 40 == 0:  # errors: long messages (cut alike on both sides), non-text types, not an object
            error = [{"type": "Timeout", "message": "upstream " + "x" * 1500 + str(i % 80)},
                     {"type": 5, "message": "é" * 700}, "plain text", {}][(i // 40) % 4]
            _log_raw(logs, {"schema": 1, "@timestamp": when.isoformat().replace("+00:00", "Z"), "model": "every",
                            "model_version": "1", "request_id": f"error-{i}", "row": 0, "features": {},
                            "features_present": [], "features_null": [], "prediction": None, "error": error})
        if i % 2 == 0:
            fw.log_request(model="other", version="1", timestamp=when,
                           features={"num.x": ["lo", "hi", 3][i % 3], "cat.x": [0, 1, "2", 9][i % 4]})
    fw.flush()

    stats = _ship(tmp_path, logs, es_url, es_client, es_prefix, [main, other])
    assert stats["dead_lettered"] == 0 and stats["indexed"] == 1830
    assert len(es_client.indices.get(index=layout.requests_pattern(es_prefix)).body) == 2  # two daily indices

    for baseline in (main, other):
        local = LocalSource(logs, workers=1).profile(baseline, *SPAN)
        remote = ElasticsearchSource(es_client, es_prefix).profile(baseline, *SPAN)
        mine, theirs = local.to_dict(), remote.to_dict()
        for name in mine["features"]:
            assert theirs["features"][name].pop("total") == pytest.approx(mine["features"][name].pop("total"),
                                                                          rel=1e-9), name
            assert theirs["features"][name] == mine["features"][name], name
        assert theirs == mine
        assert _findings(baseline, remote) == _findings(baseline, local)
    counts = LocalSource(logs, workers=1).profile(main, *SPAN).features
    assert all(counts[name].violations > 0 for name, kind in KINDS_BY_NAME.items() if kind != "identifier")
    assert counts[main.prediction.name].violations > 0  # strings, booleans, objects as the prediction
    errors = LocalSource(logs, workers=1).profile(main, *SPAN)
    assert errors.errors == 30 and len(errors.error_messages) == 2  # the long ones are alike in their first 500


def test_violation_examples_agree_when_the_window_is_read_in_many_chunks(tmp_path, es_url, es_client, es_prefix):
    """An example cut short in one chunk's list still counts whole: many small chunks give Elasticsearch's list."""
    rng = np.random.default_rng(5)
    baseline = build_baseline(pd.DataFrame({"x": rng.normal(50, 10, 500)}),
                              BaselineOptions(model="chunks", versions=("1",), kinds={"x": "numeric"}))
    logs = tmp_path / "logs"
    fw.configure(log_dir=str(logs))
    values = [f"bad-{j:03d}" for j in range(150) for _ in range(2)] + ["late"] + [1.0] * 300 + ["late"] * 5
    for i, value in enumerate(values):
        fw.log_request(model="chunks", version="1", features={"x": value}, timestamp=START + dt.timedelta(seconds=i))
    fw.flush()
    assert _ship(tmp_path, logs, es_url, es_client, es_prefix)["dead_lettered"] == 0
    remote = ElasticsearchSource(es_client, es_prefix).profile(baseline, START, END).features["x"]
    chunked = LocalSource(logs, workers=1, chunk_bytes=4096).profile(baseline, START, END).features["x"]
    assert chunked.violation_examples == remote.violation_examples
    assert remote.violation_examples["string:late"] == 6 and len(remote.violation_examples) == 100


def test_unseen_examples_agree_when_the_window_is_read_in_many_chunks(tmp_path, es_url, es_client, es_prefix):
    """New categories counted over many chunks keep whole counts, as the terms aggregation does."""
    rng = np.random.default_rng(6)
    baseline = build_baseline(pd.DataFrame({"c": rng.choice(["a", "b"], 500)}),
                              BaselineOptions(model="tail", versions=("1",), kinds={"c": "categorical"}))
    logs = tmp_path / "logs"
    fw.configure(log_dir=str(logs))
    values = [f"new-{j:03d}" for j in range(150) for _ in range(2)] + ["late"] + ["a"] * 300 + ["late"] * 5
    for i, value in enumerate(values):
        fw.log_request(model="tail", version="1", features={"c": value, f"extra-{i % 150}": 1},
                       timestamp=START + dt.timedelta(seconds=i))
    fw.flush()
    assert _ship(tmp_path, logs, es_url, es_client, es_prefix)["dead_lettered"] == 0
    remote = ElasticsearchSource(es_client, es_prefix).profile(baseline, START, END)
    chunked = LocalSource(logs, workers=1, chunk_bytes=4096).profile(baseline, START, END)
    assert chunked.features["c"].unseen == remote.features["c"].unseen
    assert remote.features["c"].unseen["late"] == 6 and len(remote.features["c"].unseen) == 100
    assert chunked.new_features == remote.new_features and len(remote.new_features) == 100
