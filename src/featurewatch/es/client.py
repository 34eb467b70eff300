"""Build an Elasticsearch client from the settings, and turn its errors into ours.

Only APIs that the 8.x and 9.x clients share are used anywhere in this
package. Install the client major that matches your cluster: a 9.x client
sends ``compatible-with=9`` media types, which an 8.x cluster refuses.

Secrets (API key, password, credentials embedded in the URL) never appear in
a message this module produces: URLs are shown without their user-info part,
and errors are described by type and status, not by the request headers.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import elasticsearch
from elasticsearch import Elasticsearch

from ..errors import BackendError, ConfigError
from ..settings import ElasticsearchSettings, MissingSetting

__all__ = ["build_client", "safe_url", "describe_error", "backend_errors", "cluster_info"]


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
        return Elasticsearch(url, **options)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"cannot configure the Elasticsearch client for {safe_url(settings.url)}: {exc}") from None


def describe_error(exc: BaseException, url: str | None = None) -> str:
    """One line describing a client error, with no secret in it."""
    where = safe_url(url)
    if isinstance(exc, elasticsearch.AuthenticationException):
        return f"Elasticsearch at {where} refused the credentials (401): check the API key or user/password"
    if isinstance(exc, elasticsearch.AuthorizationException):
        return f"Elasticsearch at {where} denied the request (403): the user or API key lacks privileges"
    if isinstance(exc, elasticsearch.UnsupportedProductError):
        return f"{where} does not look like Elasticsearch (or the client major does not match the cluster)"
    if isinstance(exc, elasticsearch.ApiError):
        reason = _reason(exc.body)
        return f"Elasticsearch at {where} answered {exc.status_code}: {reason}"
    if isinstance(exc, elasticsearch.SSLError):
        return f"TLS handshake with {where} failed: check the CA file (FEATUREWATCH_ES_CA_FILE)"
    if isinstance(exc, elasticsearch.ConnectionTimeout):
        return f"Elasticsearch at {where} did not answer in time"
    if isinstance(exc, elasticsearch.ConnectionError):
        return f"cannot reach Elasticsearch at {where}: is it running and is the URL right?"
    return f"Elasticsearch request to {where} failed: {type(exc).__name__}"


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
    """Turn client exceptions raised inside the block into a one-line BackendError."""
    try:
        yield
    except (elasticsearch.ApiError, elasticsearch.TransportError) as exc:
        raise BackendError(describe_error(exc, url)) from None


def cluster_info(client: Elasticsearch) -> dict[str, Any]:
    """``GET /`` as a plain dict (distribution, version number)."""
    return dict(client.info().body)
