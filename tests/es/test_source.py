"""The Elasticsearch source counts exactly what the local source counts.

The same logged records are profiled from the local files and, after the
shipper indexed them into the test server, from aggregations; the profiles
and the findings must be identical, for every check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eswindow import END, START, log_window, ship
from featurewatch.baseline import Baseline, BaselineOptions, build_baseline
from featurewatch.detect import detect_profile
from featurewatch.es import layout, setup
from featurewatch.es.source import ElasticsearchSource
from featurewatch.profile import LocalSource


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


def wide_baseline(features: int) -> Baseline:
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
        from featurewatch.es.client import build_client, cluster_major
        from featurewatch.settings import load_settings

        setup.install(es_client, es_prefix)
        es_client.index(index=layout.requests_index(START, es_prefix), id="1", refresh=True,
                        document={"@timestamp": "2026-11-20T10:00:00.000000Z", "model": "wide",
                                  "features": {"num_1": 1.0, "cat_0": "a"},
                                  "features_present": ["num_1", "cat_0"], "features_null": []})
        client = build_client(load_settings({"es_url": es_proxy.url}).es)
        cluster_major(client)  # the client's one `GET /` (its compatibility mode), not a cost of the window
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

    def test_an_index_of_the_old_layout_in_the_window_is_named(self, es_client, es_prefix, baseline):
        """Indices shipped before the type-stable layout cannot be counted: the error names the one in the window."""
        import datetime as dt

        from featurewatch.errors import BackendError

        for moment in (START, START - dt.timedelta(days=3)):  # no template installed: the old dynamic mapping
            es_client.index(index=layout.requests_index(moment, es_prefix), id="1", refresh=True,
                            document={"@timestamp": moment.isoformat(), "model": "parity",
                                      "features": {"age": "forty"}, "features_present": ["age"],
                                      "features_null": []})
        with pytest.raises(BackendError, match=r"^\S*requests-2026.11.20 was written by a featurewatch older") as error:
            ElasticsearchSource(es_client, es_prefix).profile(baseline, START, END)
        assert "requests-2026.11.17" not in str(error.value)

    def test_window_without_documents_is_an_empty_profile(self, es_client, es_prefix, baseline):
        setup.install(es_client, es_prefix)
        es_client.index(index=layout.requests_index(START, es_prefix), id="1", refresh=True,
                        document={"@timestamp": "2026-11-19T10:00:00.000000Z", "model": "parity",
                                  "features": {"age": 3}, "features_present": ["age"], "features_null": []})
        profile = ElasticsearchSource(es_client, es_prefix).profile(baseline, START, END)
        assert profile.records == 0
        report = detect_profile(baseline, profile)
        assert [f.check for f in report.findings] == ["no_data"]


class TestLayoutCheck:
    def test_the_days_are_the_search_bounds_days(self):
        """An end a few microseconds past midnight searches no record of the next day, so its index is not checked."""
        import datetime as dt

        from featurewatch.errors import BackendError
        from featurewatch.es.source import _check_layout

        old = {"old_layout": {"fw-requests-2026.11.21"}}
        _check_layout(old, dt.datetime(2026, 11, 20, 23, tzinfo=dt.UTC),
                      dt.datetime(2026, 11, 21, 0, 0, 0, 500, tzinfo=dt.UTC), "fw")
        with pytest.raises(BackendError, match=r"fw-requests-2026\.11\.21 was written"):
            _check_layout(old, dt.datetime(2026, 11, 20, 23, tzinfo=dt.UTC),
                          dt.datetime(2026, 11, 21, 0, 0, 1, tzinfo=dt.UTC), "fw")


def test_an_index_created_before_the_upgrade_is_old_even_if_new_records_reach_it(es_client, es_prefix, baseline):
    """The day of an upgrade: today's index keeps the old mapping, whatever the shipper now sends into it."""
    from featurewatch.errors import BackendError
    from featurewatch.ship.typed import typed_fields

    record = {"@timestamp": START.isoformat(), "model": "parity", "features": {"age": 3},
              "features_present": ["age"], "features_null": []}
    index = layout.requests_index(START, es_prefix)
    es_client.index(index=index, id="old", refresh=True, document=record)  # the old mapping: features.age
    es_client.index(index=index, id="new", refresh=True, document={**record, **typed_fields(record)})
    with pytest.raises(BackendError, match="written by a featurewatch older"):
        ElasticsearchSource(es_client, es_prefix).profile(baseline, START, END)
