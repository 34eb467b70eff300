"""One install, both majors: the client speaks the compatibility mode of the cluster's own ``GET /``.

The proxies here behave like a given Elasticsearch release (``es_proxy_as``):
an 8.x one refuses the ``compatible-with=9`` media types the installed 9.x
client sends by default, with the 400 an 8.x cluster answers.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from elasticsearch import BadRequestError

from eswindow import es_settings, raw_client
from featurewatch.cli import main
from featurewatch.errors import BackendError
from featurewatch.es.client import UnsupportedServer, backend_errors, build_client, cluster_major, server_major
from featurewatch.settings import ElasticsearchSettings


class TestServerMajor:
    @pytest.mark.parametrize("number, major", [("8.19.4", 8), ("8.13.0", 8), ("9.1.5", 9), ("9.0.0-SNAPSHOT", 9)])
    def test_supported(self, number, major):
        assert server_major({"version": {"number": number, "build_flavor": "default"},
                             "tagline": "You Know, for Search"}) == major

    @pytest.mark.parametrize("info, named", [
        ({"version": {"number": "7.17.22"}, "tagline": "You Know, for Search"}, "Elasticsearch 7.17.22"),
        ({"version": {"number": "10.0.0"}}, "Elasticsearch 10.0.0"),
        ({"version": {"number": "3.8.0", "distribution": "opensearch"},
          "tagline": "The OpenSearch Project: https://opensearch.org/"}, "OpenSearch 3.8.0"),
        ({"version": {"number": "2.11.1", "distribution": "opensearch"}}, "OpenSearch 2.11.1"),
        ({}, "Elasticsearch unknown version"),
    ])
    def test_unsupported_is_named(self, info, named):
        """7.x, a future major, OpenSearch (even calling itself 2.x or 3.x) and garbage are refused by name."""
        with pytest.raises(UnsupportedServer) as caught:
            server_major(info, "http://es:9200")
        message = str(caught.value)
        assert named in message and "http://es:9200" in message and "8.x or 9.x" in message
        assert "\n" not in message


@pytest.mark.parametrize("version, major", [("8.19.4", 8), ("9.1.5", 9)])
class TestBothMajors:
    def test_the_proxy_behaves_like_that_major(self, es_proxy_as, version, major):
        """A client that does not negotiate is refused by the 8.x proxy exactly as by an 8.x cluster."""
        proxy = es_proxy_as(version)
        plain = raw_client(proxy.url)
        if major == 8:
            with pytest.raises(BadRequestError) as caught:
                plain.search(index="nothing-*", size=0, allow_no_indices=True)
            assert caught.value.body["error"]["type"] == "media_type_header_exception"
            assert "Accept version must be either version 8 or 7, but found 9" in str(caught.value.body)
            with pytest.raises(BadRequestError):
                plain.info()
        else:
            assert plain.search(index="nothing-*", size=0, allow_no_indices=True)["hits"]["total"]["value"] == 0
            assert plain.info()["version"]["number"] == version
        plain.close()

    def test_client_speaks_the_clusters_major_after_one_get(self, es_proxy_as, version, major):
        """One plain-JSON ``GET /``, then every request (JSON and NDJSON) in the cluster's own mode."""
        proxy = es_proxy_as(version)
        client = build_client(es_settings(proxy.url).es)
        client.search(index="nothing-*", size=0, allow_no_indices=True)
        client.msearch(searches=[{"index": "nothing-*", "allow_no_indices": True}, {"size": 0}])
        client.indices.exists(index="nothing")
        assert cluster_major(client) == major
        first, *rest = proxy.headers_log
        assert first[0] == "/" and "compatible-with" not in (first[1] or "") and first[2] is None
        assert [path for path, _, _ in rest].count("/") == 0
        for _, accept, content_type in rest:
            assert f"compatible-with={major}" in accept
            assert content_type is None or f"compatible-with={major}" in content_type
        assert proxy.refused_media_types == 0
        client.close()

    def test_setup_asks_once(self, es_proxy_as, es_prefix, version, major):
        """setup reads the cluster's version (for its templates) from the answer the client negotiated with."""
        from featurewatch.es.setup import install

        proxy = es_proxy_as(version)
        client = build_client(es_settings(proxy.url).es)
        install(client, es_prefix)
        assert [path for path, _, _ in proxy.headers_log].count("/") == 1
        client.close()

    def test_a_second_client_asks_again_the_same_client_never(self, es_proxy_as, version, major):
        proxy = es_proxy_as(version)
        client = build_client(es_settings(proxy.url).es)
        for _ in range(3):
            client.options(request_timeout=5).indices.exists(index="nothing")
        assert [path for path, _, _ in proxy.headers_log].count("/") == 1
        client.close()


class TestNegotiationFailures:
    @pytest.mark.parametrize("version, distribution, named", [
        ("7.17.22", "elasticsearch", "Elasticsearch 7.17.22"),
        ("3.8.0", "opensearch", "OpenSearch 3.8.0"),
    ])
    def test_setup_against_an_unsupported_server_is_one_line_exit_1(self, es_proxy_as, es_prefix, version,
                                                                      distribution, named):
        proxy = es_proxy_as(version, distribution=distribution)
        result = CliRunner().invoke(main, ["setup", "--es", proxy.url],
                                    env={"FEATUREWATCH_ES_INDEX_PREFIX": es_prefix})
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and named in lines[0], result.output
        assert "Traceback" not in result.output
        # Nothing but the question was sent.
        assert [path for path, _, _ in proxy.headers_log] == ["/"]

    def test_unreachable_at_first_is_asked_again_later(self, es_proxy_as):
        """A shipper started before its cluster negotiates on the first request that gets through."""
        proxy = es_proxy_as("8.19.4")
        client = build_client(es_settings(proxy.url).es)
        proxy.down()
        with pytest.raises(BackendError, match="cannot reach Elasticsearch"), backend_errors(proxy.url):
            client.indices.exists(index="nothing")
        proxy.up()
        assert client.indices.exists(index="nothing").body is False
        assert cluster_major(client) == 8
        client.close()

    def test_refused_credentials_on_the_question_are_the_usual_401_message(self, es_proxy_as):
        proxy = es_proxy_as("9.1.5")
        proxy.fail_next(1, status=401, path="/")
        client = build_client(ElasticsearchSettings(url=proxy.url, username="elastic", password="hunter2"))
        with pytest.raises(BackendError) as caught, backend_errors(proxy.url):
            client.indices.exists(index="nothing")
        assert "refused the credentials (401)" in str(caught.value) and "hunter2" not in str(caught.value)
        client.close()
