"""The whole Elasticsearch loop from one install, through an 8.x-behaving proxy and a 9.x one.

``setup``, ``ship``, ``detect --es``, ``baseline build --from-es`` and what
``kibana import`` relies on in the cluster (the installed mappings its data
views and Lens panels are checked against) all run through each proxy; the
8.x proxy refuses every request a client of the wrong major would send.
"""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner

from eswindow import END, START, es_settings, log_window
from featurewatch.baseline import save_baseline
from featurewatch.cli import main
from featurewatch.demo.run import demo_spec
from featurewatch.es import layout
from featurewatch.es.client import build_client, cluster_major
from featurewatch.kibana import build_ndjson, flatten_mapping, validate
from featurewatch.kibana.dataviews import DataViews
from featurewatch.kibana.mappings import sample_record

WINDOW = ["--start", START.isoformat(), "--end", END.isoformat()]


@pytest.mark.parametrize("version", ["8.19.4", "9.1.5"])
def test_setup_ship_detect_baseline_and_kibana_mappings(version, es_proxy_as, es_prefix, tmp_path, baseline):
    proxy = es_proxy_as(version)
    env = {"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix}
    runner = CliRunner()
    baseline_path = save_baseline(baseline, tmp_path / "baseline.json")
    logs = tmp_path / "logs"
    log_window(logs, n=600)

    setup = runner.invoke(main, ["setup", "--es", proxy.url, "--baseline", str(baseline_path)], env=env)
    assert setup.exit_code == 0, setup.output
    listed = runner.invoke(main, ["setup", "--es", proxy.url, "--list", "--format", "json"], env=env)
    assert [r["model"] for r in orjson.loads(listed.stdout)] == ["parity"]
    # Without --baseline: the shipper indexes the tokens by the registered baseline.
    shipped = runner.invoke(main, ["ship", "--source", str(logs), "--es", proxy.url, "--once", "--stats", "--quiet"],
                            env=env)
    assert shipped.exit_code == 0, shipped.output
    assert orjson.loads(shipped.stdout)["dead_lettered"] == 0

    client = build_client(es_settings(proxy.url).es)
    client.indices.refresh(index=layout.requests_pattern(es_prefix))
    local = runner.invoke(main, ["detect", "--baseline", str(baseline_path), "--source", str(logs), *WINDOW,
                                 "--format", "json"])
    for how in (["--baseline", str(baseline_path)], ["--model", "parity"]):
        detected = runner.invoke(main, ["detect", *how, "--es", proxy.url, *WINDOW, "--format", "json"], env=env)
        assert detected.exit_code == local.exit_code == 3, detected.output
        assert orjson.loads(detected.stdout) == orjson.loads(local.stdout)
    every = runner.invoke(main, ["detect", "--all-models", "--es", proxy.url, *WINDOW, "--format", "json"], env=env)
    assert every.exit_code == 3, every.output
    assert orjson.loads(every.stdout)["models"] == [orjson.loads(local.stdout)]

    built = runner.invoke(main, ["baseline", "build", "--from-es", proxy.url, "--model", "parity", *WINDOW,
                                 "-o", str(tmp_path / "from-es.json")], env=env)
    assert built.exit_code == 0, built.output

    # What the dashboards need from the cluster: the mappings setup installed, read back through the proxy
    # (the demo model's objects, as in test_kibana_server_mappings, with one of its records indexed).
    spec = demo_spec()
    client.index(index=layout.requests_index("2026-11-19T00:00:00Z", es_prefix), id="sample",
                 document=sample_record(spec), refresh=True)
    views = DataViews(es_prefix)
    read = lambda index: flatten_mapping(client.indices.get_mapping(index=index).body)  # noqa: E731
    mappings = {views.requests_title: read(layout.requests_pattern(es_prefix)),
                views.findings_title: read(layout.findings_index(es_prefix)),
                views.metrics_title: read(layout.metrics_index(es_prefix))}
    assert validate(build_ndjson(spec, es_prefix), mappings) == []

    assert cluster_major(client) == int(version.split(".")[0])
    assert proxy.refused_media_types == 0
    sent = {accept for _, accept, _ in proxy.headers_log if accept and "compatible-with" in accept}
    assert sent == {f"application/vnd.elasticsearch+json; compatible-with={version.split('.')[0]}"}
    client.close()
