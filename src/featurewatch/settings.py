"""One settings object, built once: explicit arguments > ``FEATUREWATCH_*``
environment variables > ``featurewatch.toml`` > defaults.

This is the only module that reads ``os.environ`` or the TOML file, so every
other module receives its configuration as arguments.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .prefix import DEFAULT_PREFIX, check_prefix

__all__ = ["Settings", "ElasticsearchSettings", "KibanaSettings", "MissingSetting", "environment_variable",
           "load_settings", "load_toml"]

ENV_PREFIX = "FEATUREWATCH_"
DEFAULT_TOML = "featurewatch.toml"


@dataclasses.dataclass(frozen=True)
class ConnectionSettings:
    """How to reach an HTTP service with optional auth and TLS. Secrets are kept out of ``repr``."""

    url: str | None = None
    api_key: str | None = dataclasses.field(default=None, repr=False)
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    ca_file: str | None = None
    verify_certs: bool = True


@dataclasses.dataclass(frozen=True)
class ElasticsearchSettings(ConnectionSettings):
    """How to reach an Elasticsearch cluster, and the prefix of featurewatch's indices."""

    index_prefix: str = DEFAULT_PREFIX


@dataclasses.dataclass(frozen=True)
class KibanaSettings(ConnectionSettings):
    """How to reach Kibana (for ``featurewatch kibana import``), and the space to import into."""

    space: str | None = None


@dataclasses.dataclass(frozen=True)
class Settings:
    """Everything the shim, the readers and the jobs are configured with."""

    #: Folder the shim writes its JSON-lines files into.
    log_dir: str = "featurewatch-logs"
    #: Strings longer than this (in characters) are truncated with a marker.
    max_string_length: int = 2048
    #: Feature names (or top-level record fields) to drop or hash before writing.
    redact: tuple[str, ...] = ()
    #: ``"drop"`` removes redacted fields, ``"hash"`` replaces them with a SHA-256 prefix.
    redact_mode: str = "hash"
    #: Fraction of requests logged (1.0 logs every request).
    sample_rate: float = 1.0
    #: Seconds between background flushes of the shim's buffer to its file.
    flush_interval: float = 1.0
    #: Set to False to turn the shim off without touching code.
    enabled: bool = True
    es: ElasticsearchSettings = dataclasses.field(default_factory=ElasticsearchSettings)
    kibana: KibanaSettings = dataclasses.field(default_factory=KibanaSettings)
    #: The ``[detect]`` table of featurewatch.toml, passed to the detectors as is.
    detect: Mapping[str, Any] = dataclasses.field(default_factory=dict)


_ENV_FIELDS: dict[str, tuple[str, type]] = {
    "LOG_DIR": ("log_dir", str),
    "MAX_STRING_LENGTH": ("max_string_length", int),
    "REDACT": ("redact", tuple),
    "REDACT_MODE": ("redact_mode", str),
    "SAMPLE_RATE": ("sample_rate", float),
    "FLUSH_INTERVAL": ("flush_interval", float),
    "ENABLED": ("enabled", bool),
}
_ES_ENV_FIELDS = {
    "ES_URL": "url",
    "ES_API_KEY": "api_key",
    "ES_USERNAME": "username",
    "ES_PASSWORD": "password",
    "ES_CA_FILE": "ca_file",
    "ES_VERIFY_CERTS": "verify_certs",
    "ES_INDEX_PREFIX": "index_prefix",
}
_KIBANA_ENV_FIELDS = {
    "KIBANA_URL": "url",
    "KIBANA_API_KEY": "api_key",
    "KIBANA_USERNAME": "username",
    "KIBANA_PASSWORD": "password",
    "KIBANA_CA_FILE": "ca_file",
    "KIBANA_VERIFY_CERTS": "verify_certs",
    "KIBANA_SPACE": "space",
}


class MissingSetting(ConfigError):
    """A job needs a setting nobody gave: ``setting`` names it (``es.url``, ``kibana.password``, ``log_dir``).

    The message says what is missing, not how to give it: a front end knows
    its own spelling (the CLI adds its flag and :func:`environment_variable`).
    """

    def __init__(self, message: str, setting: str) -> None:
        super().__init__(message)
        self.setting = setting


def environment_variable(setting: str) -> str:
    """The ``FEATUREWATCH_*`` variable of a setting named as in :class:`MissingSetting` (``es.url``)."""
    group, _, name = setting.rpartition(".")
    fields = {"": {field: suffix for suffix, (field, _) in _ENV_FIELDS.items()},
              "es": {field: suffix for suffix, field in _ES_ENV_FIELDS.items()},
              "kibana": {field: suffix for suffix, field in _KIBANA_ENV_FIELDS.items()}}
    try:
        return ENV_PREFIX + fields[group][name]
    except KeyError:
        raise ValueError(f"no such setting: {setting!r}") from None


def _convert(name: str, raw: Any, kind: type) -> Any:
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if kind is tuple:
            if isinstance(raw, str):
                return tuple(part.strip() for part in raw.split(",") if part.strip())
            return tuple(str(part) for part in raw)
        return kind(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"invalid value for {name}: {raw!r} (expected {kind.__name__})") from None


def load_toml(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Read ``featurewatch.toml`` (or ``path``); an absent default file is empty."""
    explicit = path is not None
    file = Path(path) if path is not None else Path(DEFAULT_TOML)
    if not file.exists():
        if explicit:
            raise ConfigError(f"config file not found: {file}")
        return {}
    try:
        with file.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"cannot parse {file}: {exc}") from None


def _validated(settings: Settings) -> Settings:
    if settings.redact_mode not in {"drop", "hash"}:
        raise ConfigError(f"redact_mode must be 'drop' or 'hash', not {settings.redact_mode!r}")
    if not 0.0 <= settings.sample_rate <= 1.0:
        raise ConfigError(f"sample_rate must be between 0 and 1, not {settings.sample_rate}")
    if settings.max_string_length < 16:
        raise ConfigError(f"max_string_length must be at least 16, not {settings.max_string_length}")
    check_prefix(settings.es.index_prefix)
    if settings.flush_interval <= 0:
        raise ConfigError(f"flush_interval must be positive, not {settings.flush_interval}")
    return settings


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_file: str | os.PathLike[str] | None = None,
) -> Settings:
    """Build settings from defaults, the TOML file, the environment and ``overrides``.

    ``overrides`` holds explicit values (function arguments, CLI flags); ``None``
    values in it mean "not given" and do not override anything. ES settings may
    be given as ``es_url``, ``es_api_key`` and so on, Kibana settings as
    ``kibana_url``, ``kibana_api_key`` and so on.
    """
    environ = os.environ if environ is None else environ
    if config_file is None and environ.get(ENV_PREFIX + "CONFIG"):
        config_file = environ[ENV_PREFIX + "CONFIG"]
    toml = load_toml(config_file)

    values: dict[str, Any] = {}
    es_values: dict[str, Any] = {}
    kibana_values: dict[str, Any] = {}
    top = {k: v for k, v in toml.items() if k not in {"elasticsearch", "kibana", "detect"}}
    for key, value in top.items():
        match = [f for f in _ENV_FIELDS.values() if f[0] == key]
        if not match:
            raise ConfigError(f"unknown setting {key!r} in featurewatch.toml")
        values[key] = _convert(key, value, match[0][1])
    for key, value in dict(toml.get("elasticsearch", {})).items():
        if key not in _ES_ENV_FIELDS.values():
            raise ConfigError(f"unknown setting {key!r} in [elasticsearch] of featurewatch.toml")
        es_values[key] = value
    for key, value in dict(toml.get("kibana", {})).items():
        if key not in _KIBANA_ENV_FIELDS.values():
            raise ConfigError(f"unknown setting {key!r} in [kibana] of featurewatch.toml")
        kibana_values[key] = value

    for suffix, (field, kind) in _ENV_FIELDS.items():
        raw = environ.get(ENV_PREFIX + suffix)
        if raw is not None and raw != "":
            values[field] = _convert(ENV_PREFIX + suffix, raw, kind)
    for suffix, field in _ES_ENV_FIELDS.items():
        raw = environ.get(ENV_PREFIX + suffix)
        if raw is not None and raw != "":
            es_values[field] = raw
    for suffix, field in _KIBANA_ENV_FIELDS.items():
        raw = environ.get(ENV_PREFIX + suffix)
        if raw is not None and raw != "":
            kibana_values[field] = raw

    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key.startswith("es_") and key[3:] in _ES_ENV_FIELDS.values():
            es_values[key[3:]] = value
        elif key.startswith("kibana_") and key[7:] in _KIBANA_ENV_FIELDS.values():
            kibana_values[key[7:]] = value
        elif key in {f for f, _ in _ENV_FIELDS.values()}:
            kind = next(k for f, k in _ENV_FIELDS.values() if f == key)
            values[key] = _convert(key, value, kind)
        else:
            raise ConfigError(f"unknown setting {key!r}")

    if "verify_certs" in es_values:
        es_values["verify_certs"] = _convert("verify_certs", es_values["verify_certs"], bool)
    es = ElasticsearchSettings(**es_values)
    if "verify_certs" in kibana_values:
        kibana_values["verify_certs"] = _convert("verify_certs", kibana_values["verify_certs"], bool)
    kibana = KibanaSettings(**kibana_values)
    return _validated(Settings(es=es, kibana=kibana, detect=dict(toml.get("detect", {})), **values))
