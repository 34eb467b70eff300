"""Window bounds cut both paths at the same instant, to the millisecond Elasticsearch keeps.

Elasticsearch stores a record's ``…10:00:00.000300Z`` as ``…10:00:00.000``;
the local files keep the microseconds. A bound between the two
(``…00.000400``) put the record before the window locally and inside it in
Elasticsearch. Both sources now compare with the bound cut to its
millisecond, so every record falls on the same side in both.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

import featurewatch as fw
from featurewatch.baseline import BaselineOptions, build_baseline
from featurewatch.es import layout, setup
from featurewatch.es.source import ElasticsearchSource
from featurewatch.profile import LocalSource
from featurewatch.ship import RetryPolicy, ShipConfig, Shipper, bulk_sender
from featurewatch.window import query_bound

BOUND = dt.datetime(2026, 11, 20, 10, 0, 0, tzinfo=dt.UTC)
#: Records around the bounds, microseconds from a whole millisecond.
OFFSETS_US = [-1_000, -600, -1, 0, 300, 999, 1_000, 1_300]


def test_query_bound_cuts_to_the_millisecond():
    assert query_bound(BOUND.replace(microsecond=400)) == "2026-11-20T10:00:00.000000Z"
    assert query_bound(BOUND.replace(microsecond=123_999)) == "2026-11-20T10:00:00.123000Z"
    assert query_bound(dt.datetime(2026, 11, 20, 11, 0, 0, 5)) == "2026-11-20T11:00:00.000000Z"  # naive is UTC


def test_sub_millisecond_bounds_count_the_same_records(tmp_path, es_url, es_client, es_prefix):
    baseline = build_baseline(pd.DataFrame({"x": [1.0, 2.0, 3.0] * 20}), BaselineOptions(model="bounds"))
    logs = tmp_path / "logs"
    fw.configure(log_dir=str(logs))
    end = BOUND + dt.timedelta(milliseconds=5)
    for i, offset in enumerate(OFFSETS_US):
        for edge in (BOUND, end):
            fw.log_request(model="bounds", version="1", request_id=f"r{i}-{edge.microsecond}", features={"x": 1.0},
                           timestamp=edge + dt.timedelta(microseconds=offset))
    fw.flush()
    setup.install(es_client, es_prefix)
    config = ShipConfig(source=logs, checkpoint=tmp_path / "c.json", dead_letter=tmp_path / "d.jsonl",
                        prefix=es_prefix, retry=RetryPolicy(max_tries=3))
    Shipper(config, bulk_sender(es_client, es_url)).run()
    es_client.indices.refresh(index=layout.requests_pattern(es_prefix))

    local, remote = LocalSource(logs, workers=1), ElasticsearchSource(es_client, es_prefix)
    for start_us, end_us in [(0, 0), (400, 400), (999, 1), (1, 999), (600, 300)]:
        start, stop = BOUND + dt.timedelta(microseconds=start_us), end + dt.timedelta(microseconds=end_us)
        counted = local.profile(baseline, start, stop).records, remote.profile(baseline, start, stop).records
        assert counted[0] == counted[1], (start_us, end_us, counted)
    # And the cut is the millisecond: a start 400 µs into a millisecond admits that whole millisecond
    # (0, 300, 999 µs and the next millisecond's two: 5), the end the 3 records of the millisecond before it.
    assert local.profile(baseline, BOUND + dt.timedelta(microseconds=400), end).records == 8
