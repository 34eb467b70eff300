"""Build an Elasticsearch client from the settings, and turn its errors into ours.

One install talks to Elasticsearch 8.x and 9.x. The ``elasticsearch``
client always sends media types of its own major
(``application/vnd.elasticsearch+json; compatible-with=9`` from a 9.x
client), which an 8.x cluster refuses (400 ``media_type_header_exception``).
So the client's transport asks the cluster first: before its first request
it sends ``GET /`` with plain ``application/json`` headers (which every
version accepts), reads the major from ``version.number``, and from then on
rewrites ``compatible-with=N`` to that major on every request. That is one
``GET /`` per client, and every command builds one client per process. A
server that is not Elasticsearch 8.x or 9.x (7.x, OpenSearch) is refused
with a one-line :class:`UnsupportedServer` naming it. Only APIs that 8.x and
9.x share are used anywhere in this package.

Secrets (API key, password, credentials embedded in the URL) never appear in
a message this module produces: URLs are shown without their user-info part,
and errors are described by type and status, not by the request headers.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import elasticsearch
from elastic_transport import HttpHeaders, Transport
from elasticsearch import Elasticsearch
from elasticsearch.exceptions import HTTP_EXCEPTIONS

from ..errors import BackendError, ConfigError
from ..settings import ElasticsearchSettings, MissingSetting

__all__ = ["build_client", "safe_url", "describe_error", "describe_refusal", "describe_shard_failures",
           "backend_errors", "cluster_info", "server_major", "cluster_major", "UnsupportedServer", "PartialResults",
           "Unavailable", "SUPPORTED_MAJORS"]

#: Elasticsearch majors featurewatch speaks.
SUPPORTED_MAJORS = (8, 9)

_COMPATIBLE_WITH = re.compile(r"compatible-with=\d+")
_PLAIN_JSON = "application/json"


class UnsupportedServer(BackendError):
    """The server is not Elasticsearch 8.x or 9.x (an older major, OpenSearch, something else)."""


class PartialResults(BackendError):
    """A search answered with failed shards or timed out: its counts would be incomplete."""


class Unavailable(BackendError):
    """The cluster could not be reached or could not answer now (unreachable, timeout, 429, 5xx, a
    placeholder page): the same request may succeed later."""


#: Statuses after which the same request may succeed later.
_RETRYABLE = frozenset({429, 500, 502, 503, 504})


def server_major(info: Mapping[str, Any], where: str = "the server") -> int:
    """The Elasticsearch major of a ``GET /`` answer; UnsupportedServer when it is not 8.x or 9.x."""
    version = info.get("version") if isinstance(info, Mapping) else None
    version = version if isinstance(version, Mapping) else {}
    number = str(version.get("number") or "unknown version")
    distribution = str(version.get("distribution") or "elasticsearch")
    tagline = str(info.get("tagline") or "") if isinstance(info, Mapping) else ""
    if distribution.lower() != "elasticsearch" or "opensearch" in tagline.lower():
        name = "OpenSearch" if "opensearch" in (distribution + tagline).lower() else distribution
        raise UnsupportedServer(f"{where} is {name} {number}, not Elasticsearch: featurewatch needs "
                                f"Elasticsearch {' or '.join(f'{m}.x' for m in SUPPORTED_MAJORS)}")
    match = re.match(r"\s*(\d+)\.", number)
    major = int(match.group(1)) if match else None
    if major not in SUPPORTED_MAJORS:
        raise UnsupportedServer(f"{where} is Elasticsearch {number}, which featurewatch does not support: "
                                f"it needs Elasticsearch {' or '.join(f'{m}.x' for m in SUPPORTED_MAJORS)}")
    return major


class _NegotiatingTransport(Transport):
    """A transport that speaks the cluster's own REST compatibility mode, learnt from ``GET /``.

    The major is asked for lazily, before the first request, so a cluster
    that is down when the client is built (a shipper started first) is asked
    again on the next request; once known, it is kept for the client's life.
    """

    #: ``safe_url`` of the cluster, for messages (set by :func:`build_client`).
    where = "<no URL>"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._major: int | None = None
        self._info: dict[str, Any] | None = None
        self._negotiation = threading.Lock()

    @property
    def major(self) -> int | None:
        """The cluster's major once a request has been made, else None."""
        return self._major

    @property
    def info(self) -> dict[str, Any] | None:
        """The cluster's ``GET /`` answer once a request has been made, else None."""
        return self._info

    def perform_request(self, method: str, target: str, **kwargs: Any) -> Any:
        headers = kwargs.get("headers")
        if self._major is None and method == "GET" and target.split("?")[0] == "/":
            # The client's own ``GET /`` (``info()``) is the question: asked once, answered to the caller too.
            return self._negotiate(headers, kwargs, answer=True)
        major = self._major if self._major is not None else self._negotiate(headers, kwargs)
        if isinstance(headers, Mapping):
            spoken = HttpHeaders(headers)
            for name in ("accept", "content-type"):
                if name in spoken:
                    spoken[name] = _COMPATIBLE_WITH.sub(f"compatible-with={major}", spoken[name])
            kwargs["headers"] = spoken
        return super().perform_request(method, target, **kwargs)

    def _negotiate(self, headers: Any, options: Mapping[str, Any], *, answer: bool = False) -> Any:
        """Ask ``GET /`` with plain JSON headers and learn the major; the major, or with ``answer`` the response."""
        with self._negotiation:
            if self._major is not None and not answer:
                return self._major
            plain = HttpHeaders(headers) if isinstance(headers, Mapping) else HttpHeaders()
            plain.pop("content-type", None)
            plain["accept"] = _PLAIN_JSON
            extra = {k: v for k, v in options.items() if k not in {"headers", "body"}}
            response = super().perform_request("GET", "/", headers=plain, **extra)
            meta, body = response
            # The same exceptions the client would raise, so every caller's error handling applies.
            if not 200 <= meta.status < 300:
                raise HTTP_EXCEPTIONS.get(meta.status, elasticsearch.ApiError)(
                    message=str(body)[:300], meta=meta, body=body)
            if not isinstance(body, Mapping) or not isinstance(body.get("version"), Mapping):
                # Not a server's own answer at all (a proxy's maintenance page): nothing learnt, asked again
                # on the next request; the shipper retries it as it retries an outage.
                raise elasticsearch.UnsupportedProductError(
                    message="The client noticed that the server is not Elasticsearch", meta=meta, body=body)
            self._major = server_major(body, self.where)
            self._info = dict(body)
            return response if answer else self._major


def safe_url(url: str | None) -> str:
    """``url`` without any ``user:password@`` part, for messages."""
    if not url:
        return "<no URL>"
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def build_client(settings: ElasticsearchSettings, *, request_timeout: float = 30.0,
                 max_retries: int = 0) -> Elasticsearch:
    """An Elasticsearch client for ``settings`` (URL, API key or user/password, CA file).

    ``max_retries`` is 0 by default: the shipper does its own retrying, so a
    failure reaches it at once instead of after the client's silent retries.
    """
    if not settings.url:
        raise MissingSetting("no Elasticsearch URL", "es.url")
    parts = urllib.parse.urlsplit(settings.url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"invalid Elasticsearch URL {safe_url(settings.url)!r}: expected http(s)://host:port")
    if settings.api_key and (settings.username or settings.password):
        raise ConfigError("give either an API key or a user name and password, not both")
    if bool(settings.username) != bool(settings.password):
        raise MissingSetting("an Elasticsearch user name needs a password", "es.password")
    options: dict[str, Any] = {
        "transport_class": _NegotiatingTransport,
        "request_timeout": request_timeout,
        "max_retries": max_retries,
        "retry_on_timeout": max_retries > 0,
    }
    url = settings.url
    if parts.username or parts.password:
        # Credentials in the URL: move them to basic auth so the URL is clean.
        options["basic_auth"] = (urllib.parse.unquote(parts.username or ""),
                                 urllib.parse.unquote(parts.password or ""))
        url = safe_url(settings.url)
    if settings.api_key:
        options["api_key"] = settings.api_key
    elif settings.username:
        options["basic_auth"] = (settings.username, settings.password or "")
    if parts.scheme == "https":
        # TLS options only make sense (and are only accepted) for https URLs; a CA file
        # set in the environment for other commands must not break a plain-http one.
        if settings.ca_file:
            if not Path(settings.ca_file).is_file():
                raise ConfigError(f"CA file not found: {settings.ca_file}")
            options["ca_certs"] = settings.ca_file
        options["verify_certs"] = settings.verify_certs
        if not settings.verify_certs:
            options["ssl_show_warn"] = False
    try:
        client = Elasticsearch(url, **options)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"cannot configure the Elasticsearch client for {safe_url(settings.url)}: {exc}") from None
    if isinstance(client.transport, _NegotiatingTransport):
        client.transport.where = safe_url(settings.url)
    return client


def describe_error(exc: BaseException, url: str | None = None) -> str:
    """One line describing a client error, with no secret in it."""
    where = safe_url(url)
    if isinstance(exc, elasticsearch.AuthenticationException):
        return f"Elasticsearch at {where} refused the credentials (401): check the API key or user/password"
    if isinstance(exc, elasticsearch.AuthorizationException):
        return f"Elasticsearch at {where} denied the request (403): the user or API key lacks privileges"
    if isinstance(exc, elasticsearch.UnsupportedProductError):
        return (f"{where} does not look like Elasticsearch (its answer lacks the X-Elastic-Product header: "
                f"another product, or a proxy answering for the cluster)")
    if isinstance(exc, elasticsearch.ApiError):
        return describe_refusal(exc.status_code, exc.body, url)
    if isinstance(exc, elasticsearch.SSLError):
        return f"TLS handshake with {where} failed: check the CA file (FEATUREWATCH_ES_CA_FILE)"
    if isinstance(exc, elasticsearch.ConnectionTimeout):
        return f"Elasticsearch at {where} did not answer in time"
    if isinstance(exc, elasticsearch.ConnectionError):
        return f"cannot reach Elasticsearch at {where}: is it running and is the URL right?"
    return f"Elasticsearch request to {where} failed: {type(exc).__name__}"


def describe_refusal(status: Any, body: Any, url: str | None = None) -> str:
    """One line for an error answer (``status`` and its body), with no secret in it."""
    where = safe_url(url)
    kind = _error_type(body)
    if kind == "media_type_header_exception":
        return (f"Elasticsearch at {where} refused the request's media type ({status}): {_reason(body)}; "
                f"featurewatch speaks the major the cluster reports in GET /, so a proxy in between may alter it")
    failed = _failed_shards(body)
    if failed:
        return f"Elasticsearch at {where} answered {status} to a search: shards failed{describe_shard_failures(failed)}"
    return f"Elasticsearch at {where} answered {status}: {_reason(body)}"


def describe_shard_failures(failures: Any) -> str:
    """`` in <indices> (<type>: <reason>)`` for the ``failures``/``failed_shards`` list of an answer."""
    if not isinstance(failures, list) or not failures:
        return ""
    indices = sorted({str(f.get("index")) for f in failures if isinstance(f, dict) and f.get("index")})
    reasons: list[str] = []
    for failure in failures:
        reason = failure.get("reason") if isinstance(failure, dict) else None
        if isinstance(reason, dict):
            text = f"{reason.get('type', 'error')}: {reason.get('reason', '')}"
        else:
            text = str(reason or "no reason given")
        text = " ".join(text.split())
        if text not in reasons:
            reasons.append(text)
    named = f" in {', '.join(indices)}" if indices else ""
    return f"{named} ({'; '.join(reasons)})"[:400]


def _failed_shards(body: Any) -> list[Any]:
    error = body.get("error") if isinstance(body, dict) else None
    failed = error.get("failed_shards") if isinstance(error, dict) else None
    return failed if isinstance(failed, list) else []


def _error_type(body: Any) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("type") if isinstance(error, dict) else None


def _reason(body: Any) -> str:
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return f"{error.get('type', 'error')}: {error.get('reason', '')}"[:300]
        if error:
            return str(error)[:300]
    return str(body)[:300] if body else "no details"


@contextmanager
def backend_errors(url: str | None) -> Iterator[None]:
    """Turn client exceptions raised inside the block into a one-line BackendError.

    What may pass on its own (unreachable, timeout, 429/5xx, a page that is
    not the cluster's) is :class:`Unavailable`; a search that failed on some
    shards is :class:`PartialResults`.
    """
    try:
        yield
    except elasticsearch.UnsupportedProductError as exc:
        raise Unavailable(describe_error(exc, url)) from None
    except elasticsearch.ApiError as exc:
        error: type[BackendError] = BackendError
        if _failed_shards(exc.body):
            error = PartialResults
        elif exc.status_code in _RETRYABLE:
            error = Unavailable
        raise error(describe_error(exc, url)) from None
    except (elasticsearch.ConnectionError, elasticsearch.ConnectionTimeout) as exc:
        raise Unavailable(describe_error(exc, url)) from None
    except elasticsearch.TransportError as exc:
        raise BackendError(describe_error(exc, url)) from None


def cluster_info(client: Elasticsearch) -> dict[str, Any]:
    """``GET /`` as a plain dict (distribution, version number): the answer the client negotiated with,
    when it did (no second request)."""
    transport = client.transport
    if isinstance(transport, _NegotiatingTransport):
        if transport.info is None:
            client.info()
        if transport.info is not None:
            return dict(transport.info)
    return dict(client.info().body)


def cluster_major(client: Elasticsearch) -> int:
    """The Elasticsearch major the client speaks with its cluster (asking ``GET /`` if not yet known)."""
    transport = client.transport
    if isinstance(transport, _NegotiatingTransport):
        if transport.major is None:
            client.info()
        if transport.major is not None:
            return transport.major
    return server_major(cluster_info(client))
