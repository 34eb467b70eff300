"""The Elasticsearch source counts exactly what the local source counts.

The same logged records are profiled from the local files and, after the
shipper indexed them into the test server, from aggregations; the profiles
and the findings must be identical, for every check.
"""

from __future__ import annotations

import datetime as dt
import math

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

START = dt.datetime(2026, 11, 20, 10, tzinfo=dt.timezone.utc)
END = START + dt.timedelta(hours=2)
WORDS = "pay the loan for my car repair school fees home kitchen family travel".split()


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


@pytest.fixture(scope="module")
def baseline():
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


def _rounded(profile_dict):
    """Sums of floats may differ in the last bit with the order of addition."""
    for feature in profile_dict["features"].values():
        if isinstance(feature.get("total"), float):
            feature["total"] = round(feature["total"], 6)
    return profile_dict


class TestParity:
    def test_profiles_and_findings_are_identical(self, tmp_path, es_url, es_client, es_prefix, baseline):
        logs = tmp_path / "logs"
        log_window(logs)
        ship(logs, es_url, es_client, es_prefix, baseline, tmp_path)

        local = LocalSource(logs, workers=1).profile(baseline, START, END)
        remote = ElasticsearchSource(es_client, es_prefix).profile(baseline, START, END)
        assert local.records == 3000
        assert _rounded(remote.to_dict()) == _rounded(local.to_dict())

        local_findings = [f.to_dict() for f in detect_profile(baseline, local).findings]
        remote_findings = [f.to_dict() for f in detect_profile(baseline, remote).findings]
        assert remote_findings == local_findings
        found = {(f["check"], f["feature"]) for f in local_findings if f["severity"] != "info"}
        for expected in [("vanished_feature", "age"), ("na_spike", "income"), ("type_mismatch", "income"),
                         ("unseen_category", "region"), ("unseen_category", "accounts"),
                         ("unseen_tokens", "note"), ("out_of_range", "income"),
                         ("unexpected_version", None)]:
            assert any(check == expected[0] and (expected[1] is None or feature == expected[1])
                       for check, feature in found), (expected, found)


def wide_baseline(features: int) -> "Baseline":
    rng = np.random.default_rng(features)
    frame = pd.DataFrame({
        f"{'num' if i % 2 else 'cat'}_{i}": (rng.normal(size=500) if i % 2 else rng.choice(["a", "b", "c"], 500))
        for i in range(features)})
    return build_baseline(frame, BaselineOptions(model="wide"))


class TestRequests:
    @pytest.mark.parametrize("features", [5, 200])
    def test_one_mapping_lookup_and_one_search_whatever_the_features(self, es_proxy, es_client, es_prefix,
                                                                     features):
        """The requests per window do not grow with the features, and none fetches documents."""
        from featurewatch.es.client import build_client
        from featurewatch.settings import load_settings

        setup.install(es_client, es_prefix)
        es_client.index(index=layout.requests_index(START, es_prefix), id="1", refresh=True,
                        document={"@timestamp": "2026-11-20T10:00:00.000000Z", "model": "wide",
                                  "features": {"num_1": 1.0, "cat_0": "a"},
                                  "features_present": ["num_1", "cat_0"], "features_null": []})
        client = build_client(load_settings({"es_url": es_proxy.url}).es)
        es_proxy.log.clear()
        profile = ElasticsearchSource(client, es_prefix).profile(wide_baseline(features), START, END)
        assert profile.records == 1
        searches = [(m, p, b) for m, p, b in es_proxy.log if "_search" in p]
        assert len(es_proxy.log) == 2 and len(searches) == 1
        import orjson

        body = orjson.loads(searches[0][2])
        assert body["size"] == 0 and "scroll" not in searches[0][1]

    def test_split_only_past_the_bucket_limit(self, es_proxy, es_client, es_prefix):
        from featurewatch.es.client import build_client
        from featurewatch.settings import load_settings

        setup.install(es_client, es_prefix)
        es_client.index(index=layout.requests_index(START, es_prefix), id="1", refresh=True,
                        document={"@timestamp": "2026-11-20T10:00:00.000000Z", "model": "wide",
                                  "features": {"num_1": 1.0}, "features_present": ["num_1"], "features_null": []})
        client = build_client(load_settings({"es_url": es_proxy.url}).es)
        baseline = wide_baseline(40)
        whole = ElasticsearchSource(client, es_prefix).profile(baseline, START, END)
        es_proxy.log.clear()
        split = ElasticsearchSource(client, es_prefix, max_buckets=1200).profile(baseline, START, END)
        assert len([p for _, p, _ in es_proxy.log if "_search" in p]) > 1
        assert split.to_dict() == whole.to_dict()


class TestErrors:
    def test_missing_index_is_a_clear_error(self, es_client, es_prefix, baseline):
        from featurewatch.errors import BackendError

        with pytest.raises(BackendError, match="no requests indices match"):
            ElasticsearchSource(es_client, es_prefix).profile(baseline, START, END)

    def test_numeric_feature_mapped_as_keyword(self, es_client, es_prefix, baseline):
        from featurewatch.errors import BackendError

        es_client.index(index=layout.requests_index(START, es_prefix), id="1", refresh=True,
                        document={"@timestamp": "2026-11-20T10:00:00.000000Z", "model": "parity",
                                  "features": {"age": "forty"}, "features_present": ["age"], "features_null": []})
        with pytest.raises(BackendError, match="'age' is numeric in the baseline but features.age is mapped as text"):
            ElasticsearchSource(es_client, es_prefix).profile(baseline, START, END)

    def test_window_without_documents_is_an_empty_profile(self, es_client, es_prefix, baseline):
        setup.install(es_client, es_prefix)
        es_client.index(index=layout.requests_index(START, es_prefix), id="1", refresh=True,
                        document={"@timestamp": "2026-11-19T10:00:00.000000Z", "model": "parity",
                                  "features": {"age": 3}, "features_present": ["age"], "features_null": []})
        profile = ElasticsearchSource(es_client, es_prefix).profile(baseline, START, END)
        assert profile.records == 0
        report = detect_profile(baseline, profile)
        assert [f.check for f in report.findings] == ["no_data"]
