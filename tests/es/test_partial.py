"""No silent partial answers: a failed shard or a timeout is an error naming the index and the reason.

Two ways a search comes back partial are tested: a real shard failure (a
field mapped one way in one daily index and another way in the next, then a
query giving it strings), and failures the proxy injects into any search,
in both forms a cluster uses (200 with ``_shards.failed`` when partial
results are allowed; 400 ``search_phase_execution_exception`` when not).
"""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from eswindow import END, START, es_settings, log_window, ship
from featurewatch.baseline import BaselineOptions, save_baseline
from featurewatch.cli import main
from featurewatch.errors import BackendError
from featurewatch.es import layout, setup
from featurewatch.es.client import PartialResults, backend_errors, build_client, describe_refusal
from featurewatch.es.reference import baseline_from_es
from featurewatch.es.search import complete, msearch, scroll, search
from featurewatch.es.sinks import ElasticsearchFindingsStore
from featurewatch.es.source import ElasticsearchSource

WINDOW = ["--start", START.isoformat(), "--end", END.isoformat()]


def _failure(index: str) -> dict:
    return {"shard": 0, "index": index, "node": "n1",
            "reason": {"type": "query_shard_exception", "reason": 'failed to create query: For input string: "a"'}}


class TestComplete:
    def test_a_complete_answer_passes(self):
        body = {"_shards": {"total": 3, "successful": 3, "skipped": 0, "failed": 0}, "timed_out": False}
        assert complete(body) is body

    def test_failed_shards_name_the_indices_and_the_reason(self):
        body = {"_shards": {"total": 3, "successful": 1, "failed": 2,
                            "failures": [_failure("fw-requests-2026.11.21"), _failure("fw-requests-2026.11.20")]},
                "hits": {"total": {"value": 12}}}
        with pytest.raises(PartialResults) as caught:
            complete(body, "http://user:secret@es:9200", "profile search")
        message = str(caught.value)
        assert "2 of 3 shards failed" in message
        assert "fw-requests-2026.11.20, fw-requests-2026.11.21" in message
        assert 'query_shard_exception: failed to create query: For input string: "a"' in message
        assert "secret" not in message and "\n" not in message
        assert caught.value.exit_code == 1

    def test_a_timeout_is_partial_too(self):
        with pytest.raises(PartialResults, match="timed out"):
            complete({"_shards": {"total": 1, "successful": 1, "failed": 0}, "timed_out": True})

    def test_the_refusal_of_a_partial_answer_names_the_indices(self):
        body = {"error": {"type": "search_phase_execution_exception", "reason": "Partial shards failure",
                          "failed_shards": [_failure("fw-requests-2026.11.21")]}, "status": 400}
        text = describe_refusal(400, body, "http://es:9200")
        assert "answered 400 to a search: shards failed in fw-requests-2026.11.21 (query_shard_exception" in text


def _mixed_indices(es_client, prefix: str) -> tuple[str, str]:
    """Two daily indices of one window: ``features.code`` a double in the first, a keyword in the second."""
    first, second = layout.requests_index(START, prefix), layout.requests_index(START + dt.timedelta(days=1), prefix)
    es_client.indices.create(index=first, mappings={"properties": {"features": {"properties": {
        "code": {"type": "double"}}}}})
    es_client.indices.create(index=second, mappings={"properties": {"features": {"properties": {
        "code": {"type": "keyword"}}}}})
    es_client.index(index=first, id="1", document={"features": {"code": 7.0}}, refresh=True)
    es_client.index(index=second, id="1", document={"features": {"code": "a"}}, refresh=True)
    return first, second


class TestRealShardFailure:
    def test_strings_against_a_double_in_one_daily_index_fail_that_shard(self, es_client, es_prefix):
        """A terms include with strings fails the shard of the index mapping the field as double: an error."""
        first, _ = _mixed_indices(es_client, es_prefix)
        body = {"size": 0, "aggs": {"t": {"terms": {"field": "features.code", "include": ["a", "b"]}}}}
        with pytest.raises(PartialResults) as caught, backend_errors("http://es:9200"):
            search(es_client, url="http://es:9200", index=layout.requests_pattern(es_prefix), **body)
        assert first in str(caught.value)

    def test_detect_exits_1_naming_the_failed_index(self, tmp_path, es_url, es_client, es_prefix, baseline):
        """A daily index of the window whose ``model`` cannot take the model's name fails its shard: exit 1."""
        logs = tmp_path / "logs"
        log_window(logs, n=300)
        ship(logs, es_url, es_client, es_prefix, baseline, tmp_path)
        broken = f"{layout.requests_index(START, es_prefix)}-broken"
        es_client.indices.create(index=broken, mappings={"properties": {"model": {"type": "long"},
                                                                        "@timestamp": {"type": "date"}}})
        es_client.index(index=broken, id="1", document={"model": 1, "@timestamp": START.isoformat()}, refresh=True)
        path = save_baseline(baseline, tmp_path / "baseline.json")
        result = CliRunner().invoke(main, ["detect", "--baseline", str(path), "--es", es_url, *WINDOW],
                                    env={"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix})
        assert result.exit_code == 1, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and broken in lines[0], result.output
        assert "Traceback" not in result.output


@pytest.fixture
def window(tmp_path, es_url, es_client, es_prefix, baseline):
    """The parity window shipped, and the findings store holding one window's documents."""
    logs = tmp_path / "logs"
    log_window(logs, n=300)
    ship(logs, es_url, es_client, es_prefix, baseline, tmp_path)
    return logs


@pytest.mark.parametrize("form", ["partial", "error"])
class TestInjectedShardFailures:
    def _client(self, proxy):
        return build_client(es_settings(proxy.url).es)

    def test_profile(self, window, es_proxy, es_prefix, baseline, form):
        index = layout.requests_index(START, es_prefix)
        es_proxy.fail_shards_next(1, index, form=form)
        source = ElasticsearchSource(self._client(es_proxy), es_prefix, url=es_proxy.url)
        with pytest.raises(PartialResults, match=index):
            source.profile(baseline, START, END)

    @pytest.mark.parametrize("read", ["previous_window", "window", "alert_documents"])
    def test_findings_store_reads(self, es_proxy, es_client, es_prefix, form, read):
        setup.install(es_client, es_prefix)
        store = ElasticsearchFindingsStore(self._client(es_proxy), es_prefix, url=es_proxy.url)
        index = layout.findings_index(es_prefix)
        es_proxy.fail_shards_next(1, index, form=form)
        calls = {"previous_window": lambda: store.previous_window("parity", "2026-11-20T10:00:00Z"),
                 "window": lambda: store.window("parity", "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z"),
                 "alert_documents": lambda: store.alert_documents(model="parity")}
        with pytest.raises(PartialResults, match=index):
            calls[read]()

    def test_findings_store_write_reads_the_window_first(self, es_proxy, es_client, es_prefix, form):
        """write_window looks up the window's stale documents: a partial look-up writes nothing."""
        from featurewatch.findings.documents import WindowDocuments

        setup.install(es_client, es_prefix)
        store = ElasticsearchFindingsStore(self._client(es_proxy), es_prefix, url=es_proxy.url)
        es_proxy.fail_shards_next(1, layout.findings_index(es_prefix), form=form)
        documents = WindowDocuments("parity", "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z", [], [])
        with pytest.raises(PartialResults):
            store.write_window(documents)

    @pytest.mark.parametrize("index_of", [layout.metrics_index, layout.findings_index])
    def test_report_history(self, es_proxy, es_client, es_prefix, form, index_of):
        """The report's metrics and findings history: a failed shard is an error, not a chart with gaps."""
        from featurewatch.es.history import search_history

        setup.install(es_client, es_prefix)
        es_proxy.fail_shards_next(1, index_of(es_prefix), form=form, path=f"{index_of(es_prefix)}/_search")
        with pytest.raises(PartialResults, match=index_of(es_prefix)):
            search_history(self._client(es_proxy), es_prefix, "parity", START, END, url=es_proxy.url)

    def test_reference_window_scroll_every_page(self, window, es_proxy, es_prefix, form):
        """The baseline scroll checks its first search and every later page."""
        client = self._client(es_proxy)
        index = layout.requests_index(START, es_prefix)
        options = BaselineOptions(model="parity")
        es_proxy.fail_shards_next(1, index, form=form, path="_search/scroll")
        with pytest.raises(PartialResults, match=index), backend_errors(es_proxy.url):
            # Pages of 100 records: the second page is the one that fails.
            list(scroll(client, url=es_proxy.url, index=layout.requests_pattern(es_prefix), size=100,
                        sort=["_doc"], query={"match_all": {}}))
        es_proxy.fail_shards_next(1, index, form=form)
        with pytest.raises(PartialResults, match=index):
            baseline_from_es(client, es_prefix, options, START, END, url=es_proxy.url)

    def test_msearch_returns_each_failure_in_place(self, window, es_proxy, es_prefix, form):
        """In an _msearch each search answers for itself: partial, or refused (per-item error) alike."""
        client = self._client(es_proxy)
        index = layout.requests_index(START, es_prefix)
        es_proxy.fail_shards_next(1, index, form=form, path="_msearch")
        header = {"index": layout.requests_pattern(es_prefix)}
        answers = msearch(client, [(header, {"size": 0}), (header, {"size": 0})], url=es_proxy.url)
        assert len(answers) == 2
        assert all(isinstance(a, PartialResults) and index in str(a) for a in answers), answers


def test_msearch_item_errors_come_back_in_place(window, es_client, es_prefix):
    """One search of an _msearch refused on its own (a bad query) does not hide the others' answers."""
    header = {"index": layout.requests_pattern(es_prefix), "ignore_unavailable": True}
    good, bad = msearch(es_client, [(header, {"size": 0}),
                                    (header, {"size": 0, "query": {"range": {"@timestamp": {"gte": "not a date"}}}})])
    assert isinstance(good, dict) and good["hits"]["total"]["value"] > 0
    assert isinstance(bad, BackendError) and "answered 400" in str(bad) and "not a date" in str(bad)
