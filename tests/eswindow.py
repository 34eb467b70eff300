"""A window of logged records with every kind of fault, and shipping it: shared by the
Elasticsearch source and ``detect --es`` tests."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

import featurewatch as fw
from featurewatch.baseline import BaselineOptions, build_baseline
from featurewatch.baseline.model import Baseline
from featurewatch.es import layout, setup
from featurewatch.ship import RetryPolicy, ShipConfig, Shipper, bulk_sender
from featurewatch.ship.enrich import TokenEnricher

START = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=2)
WORDS = ["pay", "the", "loan", "for", "my", "car", "repair", "school", "fees", "home", "kitchen", "family", "travel"]


def training(n: int = 4000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "age": rng.normal(40, 10, n).round(),
        "income": rng.lognormal(3.8, 0.4, n).round(2),
        "region": rng.choice(["north", "south", "east", "west"], n, p=[0.4, 0.3, 0.2, 0.1]),
        "accounts": rng.integers(1, 6, n),
        "member": rng.choice([True, False], n),
        "note": [" ".join(rng.choice(WORDS, 4)) for _ in range(n)],
        "score": rng.random(n).round(4),
    })


def parity_baseline() -> Baseline:
    """Baseline of :func:`training` with a categorical int, a text feature and the prediction."""
    options = BaselineOptions(model="parity", versions=("1.0",), prediction="score",
                              kinds={"accounts": "categorical", "note": "text"})
    return build_baseline(training(), options)


def log_window(log_dir, n: int = 3000, seed: int = 2) -> None:
    """A window with every kind of fault the checks look for."""
    rng = np.random.default_rng(seed)
    frame = training(n, seed)
    fw.configure(log_dir=str(log_dir))
    for i, row in enumerate(frame.to_dict("records")):
        features = {k: v for k, v in row.items() if k != "score"}
        if i % 7 == 0:
            del features["age"]                      # absent
        if i % 5 == 0:
            features["income"] = None                # null
        if i % 11 == 0:
            features["income"] = "n/a"               # mistyped
        if i % 13 == 0:
            features["region"] = "atlantis"          # new category
        if i % 17 == 0:
            features["accounts"] = 9                 # new numeric-looking category
        if i % 3 == 0:
            features["note"] = "necesito dinero para el coche"   # unseen tokens
        if i % 19 == 0:
            features["note"] = None
        if i % 23 == 0:
            features["income"] = float(rng.normal(1e6, 10))  # out of range
        version = "2.0-rc" if i % 29 == 0 else "1.0"
        when = START + dt.timedelta(seconds=float(i) * 7200 / n)
        fw.log_request(model="parity", version=version, features=features,
                       prediction=None if i % 31 == 0 else row["score"], timestamp=when)
    # Records outside the window or of another model must not count.
    fw.log_request(model="parity", version="1.0", features={"age": 1}, timestamp=END)
    fw.log_request(model="other", version="1.0", features={"age": 1}, timestamp=START)
    fw.flush()


def ship(log_dir, es_url, es_client, prefix, baseline, tmp_path) -> None:
    setup.install(es_client, prefix)
    config = ShipConfig(source=log_dir, checkpoint=tmp_path / "ckpt.json", dead_letter=tmp_path / "dead.jsonl",
                        prefix=prefix, retry=RetryPolicy(max_tries=3), enrich=TokenEnricher([baseline]))
    stats = Shipper(config, bulk_sender(es_client, es_url)).run()
    assert stats.as_dict()["dead_lettered"] == 0
    es_client.indices.refresh(index=layout.requests_pattern(prefix))




def es_settings(url: str, prefix: str | None = None):
    """Settings for ``url`` (and ``prefix``) with the auth and TLS of the ``FEATUREWATCH_ES_*`` variables,
    as the CLI would build them: against a real, secured cluster the tests then log in like everyone else."""
    from featurewatch.settings import load_settings

    overrides = {"es_url": url, **({"es_index_prefix": prefix} if prefix else {})}
    return load_settings(overrides)


def raw_client(url: str):
    """A plain ``elasticsearch.Elasticsearch`` on ``url`` (no featurewatch negotiation), with the same auth."""
    from elasticsearch import Elasticsearch

    es = es_settings(url).es
    auth = ({"api_key": es.api_key} if es.api_key else
            {"basic_auth": (es.username, es.password or "")} if es.username else {})
    return Elasticsearch(url, **auth)
