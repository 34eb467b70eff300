"""Import a saved-objects file through Kibana's saved objects import API.

``POST <kibana>[/s/<space>]/api/saved_objects/_import[?overwrite=true]`` with
the file as multipart field ``file`` and a ``kbn-xsrf`` header. Kibana answers
HTTP 200 even when it wrote nothing, so the outcome is read from the body's
``success``, ``successCount`` and ``errors``.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import urllib.parse
from pathlib import Path
from typing import Any

import urllib3

from ..errors import BackendError, ConfigError, DataError
from ..settings import KibanaSettings, MissingSetting

__all__ = ["ImportProblem", "ImportResult", "import_file", "import_url", "safe_url"]


@dataclasses.dataclass(frozen=True)
class ImportProblem:
    """One object Kibana did not import, and why, in words."""

    type: str
    id: str
    title: str
    reason: str
    #: Kibana's error type (``conflict``, ``missing_references``, ...).
    error: str = ""

    @property
    def conflict(self) -> bool:
        """True when an object with the same id exists: importing with ``overwrite=True`` replaces it."""
        return self.error == "conflict"

    def __str__(self) -> str:
        name = f"{self.type} {self.title!r} ({self.id})" if self.title else f"{self.type} {self.id}"
        return f"{name}: {self.reason}"


@dataclasses.dataclass(frozen=True)
class ImportResult:
    """What Kibana reported: objects in the file, objects written, and the failures."""

    url: str
    space: str
    total: int
    success: bool
    success_count: int
    problems: tuple[ImportProblem, ...]


def safe_url(url: str) -> str:
    """``url`` without any user:password part, fit for messages."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def import_url(base: str, space: str | None, overwrite: bool) -> str:
    """The import endpoint for ``base`` URL and ``space`` (``None`` or ``default``: the default space)."""
    path = base.rstrip("/")
    if space and space != "default":
        path += f"/s/{urllib.parse.quote(space, safe='')}"
    path += "/api/saved_objects/_import"
    return path + ("?overwrite=true" if overwrite else "")


def _headers(settings: KibanaSettings) -> dict[str, str]:
    headers = {"kbn-xsrf": "featurewatch", "Accept": "application/json"}
    if settings.api_key and (settings.username or settings.password):
        raise ConfigError("give either an API key or a user name and password for Kibana, not both")
    if settings.api_key:
        headers["Authorization"] = f"ApiKey {settings.api_key}"
    elif settings.username:
        if settings.password is None:
            raise MissingSetting("a Kibana user name needs a password", "kibana.password")
        token = base64.b64encode(f"{settings.username}:{settings.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    return headers


def _pool(settings: KibanaSettings, timeout: float) -> urllib3.PoolManager:
    options: dict[str, Any] = {"timeout": urllib3.Timeout(connect=timeout, read=timeout), "retries": False}
    if settings.ca_file:
        if not Path(settings.ca_file).is_file():
            raise ConfigError(f"Kibana CA file not found: {settings.ca_file}")
        options["ca_certs"] = settings.ca_file
    options["cert_reqs"] = "CERT_REQUIRED" if settings.verify_certs else "CERT_NONE"
    return urllib3.PoolManager(**options)


def _reason(error: dict[str, Any]) -> str:
    kind = error.get("type")
    if kind == "conflict":
        return "already exists"
    if kind == "ambiguous_conflict":
        return "matches several existing objects; resolve it in Kibana's Saved Objects page"
    if kind == "missing_references":
        refs = ", ".join(f"{r.get('type')} {r.get('id')}" for r in error.get("references", []))
        return f"references objects that are neither in the file nor in Kibana: {refs}"
    if kind == "unsupported_type":
        return "this Kibana does not support the object's type"
    message = error.get("message") or error.get("error") or kind or "unknown error"
    return f"{message} (HTTP {error['statusCode']})" if "statusCode" in error else str(message)


def _problems(body: dict[str, Any]) -> tuple[ImportProblem, ...]:
    problems = []
    for item in body.get("errors") or []:
        title = item.get("title") or (item.get("meta") or {}).get("title") or ""
        error = item.get("error") or {}
        problems.append(ImportProblem(str(item.get("type", "?")), str(item.get("id", "?")), str(title),
                                      _reason(error), str(error.get("type", ""))))
    return tuple(problems)


def _http_error(status: int, body: bytes, where: str, space: str) -> BackendError:
    try:
        message = json.loads(body).get("message", "")
    except (ValueError, AttributeError):
        message = ""
    detail = f": {message}" if message else ""
    if status == 401:
        return BackendError(f"Kibana at {where} refused the credentials (HTTP 401); check the API key or "
                            f"user name and password (FEATUREWATCH_KIBANA_*)")
    if status == 403:
        return BackendError(f"the Kibana user may not import saved objects into space {space!r} (HTTP 403){detail}")
    if status == 404:
        return BackendError(f"Kibana at {where} has no import endpoint for space {space!r} (HTTP 404): "
                            f"check the URL and that the space exists")
    if status == 413:
        return BackendError(f"Kibana refused the file as too large (HTTP 413){detail}")
    return BackendError(f"Kibana at {where} answered HTTP {status}{detail}")


_NOT_NDJSON = "expected the NDJSON file of `featurewatch kibana build`"


def _read_saved_objects(file: Path) -> tuple[bytes, int]:
    """The file's bytes and its number of saved objects, after checking each line is one.

    Checked here so that a wrong file is one clear line (exit 2) before any
    request, instead of a decoding error or a confusing answer from Kibana.
    """
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{file} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                        f"{_NOT_NDJSON}") from None
    count = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            raise DataError(f"{file} line {number} is not JSON; {_NOT_NDJSON}") from None
        if not (isinstance(obj, dict) and isinstance(obj.get("type"), str) and isinstance(obj.get("id"), str)):
            raise DataError(f'{file} line {number} is not a saved object (a JSON object with string "type" and "id")')
        count += 1
    if not count:
        raise DataError(f"{file} holds no saved objects")
    return data, count


def _connection_failure(exc: Exception) -> str:
    reason = getattr(exc, "reason", None) or exc
    found = re.search(r"\[Errno -?\d+\][^'\"]*|timed out|certificate verify failed[^'\"]*", str(reason))
    return found.group(0).strip(" ,)") if found else type(reason).__name__


def import_file(path: str | Path, settings: KibanaSettings, *, overwrite: bool = False,
                timeout: float = 60.0) -> ImportResult:
    """Import the NDJSON file at ``path`` into the Kibana that ``settings`` describe.

    Raises :class:`~featurewatch.errors.ConfigError` for missing settings,
    :class:`~featurewatch.errors.DataError` for a file that cannot be read or is not
    NDJSON saved objects (both checked before any request), and
    :class:`~featurewatch.errors.BackendError` when Kibana cannot be reached or
    refuses the request. Objects Kibana declined are in the result's
    ``problems``; ``success`` is False then.
    """
    if not settings.url:
        raise MissingSetting("no Kibana URL", "kibana.url")
    if urllib.parse.urlsplit(settings.url).scheme not in {"http", "https"}:
        raise ConfigError(f"the Kibana URL must start with http:// or https://, not {safe_url(settings.url)!r}")
    auth_headers = _headers(settings)
    file = Path(path)
    data, total = _read_saved_objects(file)
    space = settings.space or "default"
    where = safe_url(settings.url)
    name = file.name if file.name.endswith(".ndjson") else f"{file.stem}.ndjson"
    body, content_type = urllib3.encode_multipart_formdata({"file": (name, data, "application/ndjson")})
    headers = {**auth_headers, "Content-Type": content_type}
    pool = _pool(settings, timeout)
    try:
        response = pool.request("POST", import_url(settings.url, settings.space, overwrite), body=body,
                                headers=headers, redirect=False)
    except urllib3.exceptions.HTTPError as exc:
        raise BackendError(f"cannot reach Kibana at {where}: {_connection_failure(exc)}") from None
    if response.status != 200:
        raise _http_error(response.status, response.data, where, space)
    try:
        answer = json.loads(response.data)
        success = answer["success"]
    except (ValueError, KeyError, TypeError):
        raise BackendError(f"Kibana at {where} gave an answer that is not an import result") from None
    return ImportResult(url=where, space=space, total=total, success=bool(success),
                        success_count=int(answer.get("successCount", 0)), problems=_problems(answer))
