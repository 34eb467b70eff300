"""The one record format: field names, value encoding, ids.

Every other module imports these names instead of spelling field names itself.
A record is one predicted row::

    {"schema": 1, "@timestamp": "2026-11-26T18:00:00.123456Z",
     "model": "credit", "model_version": "1.4.0",
     "request_id": "9f1c...-17", "row": 0, "latency_ms": 3.2,
     "features": {"age": 41, "city": null},
     "features_present": ["age", "city"], "features_null": ["city"],
     "prediction": 0.12}

``features_present`` and ``features_null`` keep *absent* (key missing) and
*null* (key present, value null/NaN/inf/NA) apart after indexing, because
Elasticsearch does not index nulls. An ``error`` object is added when the
model call raised.

Value encoding (never raises; see :func:`encode_value`):

========================  ==============================================
Python value              JSON
========================  ==============================================
None, NaN, ±inf, pd.NA,   null (and the feature is listed in
pd.NaT, numpy NaN / NaT,  ``features_null``: :func:`is_null` agrees
NA of nullable dtypes     with the encoder on every value)
bool, int, float, str     as is (ints beyond 64 bits become strings)
numpy scalars / arrays    the matching number / list
Decimal                   float (null beyond a float's range)
datetime                  ISO 8601 string with its UTC offset (``Z`` for UTC)
pd.Timestamp              ISO 8601 string, in UTC (``Z``) when tz-aware
numpy datetime64          ISO 8601 string, to the microsecond
date, time                ISO 8601 string
bytes                     UTF-8 text (invalid bytes replaced)
str with lone surrogates  the surrogates replaced by U+FFFD
set, frozenset            sorted list
Enum                      its ``value``
other objects             ``str(obj)`` (or ``<TypeName>`` if that fails)
========================  ==============================================

Strings longer than the configured limit are cut and end with
:data:`TRUNCATION_MARKER` plus the original length, including the strings
made here (``str(obj)``, decoded bytes). Whatever a value's ``__str__``
raises, even a ``BaseException`` other than ``KeyboardInterrupt``, gives
``<TypeName>``.

The model name, its version and the request id are always strings (a
number is written as its text, so the shipper can index it): ``model=None``
becomes :data:`UNKNOWN_MODEL`, ``version=None`` stays null (no version), a
missing request id is generated. The field order is :func:`make_record`'s;
``@timestamp`` is :func:`format_timestamp`'s text, the year in four digits.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import enum
import functools
import hashlib
import itertools
import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson

__all__ = [
    "SCHEMA_VERSION",
    "TIMESTAMP",
    "MODEL",
    "MODEL_VERSION",
    "REQUEST_ID",
    "ROW",
    "LATENCY_MS",
    "FEATURES",
    "PREDICTION",
    "FEATURES_PRESENT",
    "FEATURES_NULL",
    "ERROR",
    "TRUNCATION_MARKER",
    "RecordOptions",
    "encode_value",
    "encode_refused",
    "REFUSED",
    "is_null",
    "document_id",
    "dumps",
    "dumps_many",
    "encode_fallback",
    "DUMPS_OPTIONS",
    "format_timestamp",
    "format_timestamps",
    "parse_timestamp",
    "make_record",
    "fallback",
    "name_text",
    "UNKNOWN_MODEL",
]

SCHEMA_VERSION = 1

SCHEMA = "schema"
TIMESTAMP = "@timestamp"
MODEL = "model"
MODEL_VERSION = "model_version"
REQUEST_ID = "request_id"
ROW = "row"
LATENCY_MS = "latency_ms"
FEATURES = "features"
PREDICTION = "prediction"
FEATURES_PRESENT = "features_present"
FEATURES_NULL = "features_null"
ERROR = "error"

TRUNCATION_MARKER = "…[truncated, "

DUMPS_OPTIONS = _DUMPS_OPTIONS = (
    orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE | orjson.OPT_UTC_Z
)
_LIST_OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z


@dataclasses.dataclass(frozen=True)
class RecordOptions:
    """What the encoder needs from the settings."""

    max_string_length: int = 2048
    redact: frozenset[str] = frozenset()
    redact_mode: str = "hash"


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, ending with a marker."""
    if len(text) <= limit:
        return text
    marker = f"{TRUNCATION_MARKER}{len(text)} chars]"
    return text[: max(0, limit - len(marker))] + marker


def _cut(text: str, limit: int | None) -> str:
    return truncate(text, limit) if limit else text


def is_null(value: Any) -> bool:
    """True for the values written as JSON null (None, NaN, ±inf, NA, NaT...).

    It agrees with the encoder on every value, so a feature is listed in
    ``features_null`` exactly when its JSON is null: a Decimal beyond a
    float's range, a numpy NaT and an Enum member whose value is null too.
    """
    if value is None:
        return True
    kind = type(value)
    if kind is float:
        return value != value or value in _INFINITIES
    if kind is str or kind is int or kind is bool:
        return False
    pandas = sys.modules.get("pandas")  # without pandas loaded, no value can be pd.NA or pd.NaT
    if pandas is not None and (value is pandas.NA or value is pandas.NaT):
        return True
    try:
        if isinstance(value, enum.Enum):
            return is_null(value.value)
        if isinstance(value, (float, decimal.Decimal)):
            return not math.isfinite(float(value))
        if _is_numpy_scalar(value):
            return is_null(value.item())
    except Exception:
        return False
    return False


_INFINITIES = frozenset({math.inf, -math.inf})


def _fallback_value(value: Any, limit: int | None = None) -> Any:
    """orjson's fallback for types it does not know; must never raise."""
    try:
        return _encode_other(value, limit)
    except KeyboardInterrupt:
        raise
    except BaseException:
        return f"<{type(value).__name__}>"


@functools.cache
def fallback(max_string_length: int | None) -> Callable[[Any], Any]:
    """orjson's ``default=`` hook for the types it does not know (the table above), cutting the
    strings it makes (``str(obj)``, decoded bytes) to ``max_string_length``; never raises.

    One hook per limit, made once: the shim passes it to every ``orjson.dumps``.
    """
    return functools.partial(_fallback_value, limit=max_string_length)


#: :func:`fallback` without a length limit.
encode_fallback = fallback(None)


def _encode_other(value: Any, limit: int | None) -> Any:
    if isinstance(value, decimal.Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _cut(bytes(value).decode("utf-8", errors="replace"), limit)
    if isinstance(value, (set, frozenset)):
        items = [encode_value(v, limit) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return sorted(items, key=repr)
    if isinstance(value, enum.Enum):
        return encode_value(value.value, limit)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return _iso(value)
    if is_null(value):
        return None
    module = type(value).__module__.split(".")[0]
    if module == "numpy":
        if hasattr(value, "tolist"):
            return encode_value(value.tolist(), limit)
        return _cut(_text(value), limit)
    if module == "pandas":
        if hasattr(value, "isoformat"):
            return _iso(value)
        if hasattr(value, "tolist"):
            return encode_value(value.tolist(), limit)
    return _cut(_text(value), limit)


def _text(value: Any) -> str:
    """``str(value)``, or ``<TypeName>`` when its ``__str__`` raises (anything but KeyboardInterrupt)."""
    try:
        return str(value)
    except KeyboardInterrupt:
        raise
    except BaseException:
        return f"<{type(value).__name__}>"


#: What a record's model becomes when the caller gives ``model=None``: a record needs a model to be
#: indexed (its document id is built from it), so the record is kept under this name.
UNKNOWN_MODEL = "unknown"


def name_text(value: Any) -> str:
    """A name (model, version, request id, feature) as the string a record holds: ``str(value)``,
    never raising, lone surrogates replaced by U+FFFD. The shim writes ``model=None`` as
    :data:`UNKNOWN_MODEL`."""
    return _valid_text(_text(value))


def _iso(value: Any) -> str | None:
    if is_null(value):
        return None
    if isinstance(value, _dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(_dt.UTC).replace(tzinfo=None)
        return f"{value.isoformat()}Z"
    return str(value.isoformat())


def encode_value(value: Any, max_string_length: int | None = None) -> Any:
    """Turn ``value`` into plain JSON types, deeply; the slow, exact path.

    The shim uses orjson directly and falls back to this only when orjson
    cannot encode a record (for example an integer beyond 64 bits).
    """
    kind = type(value)
    if value is None or kind is bool:
        return value
    if kind is str:
        return truncate(value, max_string_length) if max_string_length else value
    if kind is int:
        return value if -(2**63) <= value < 2**64 else str(value)
    if kind is float:
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): encode_value(v, max_string_length) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_value(v, max_string_length) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and not _is_numpy_scalar(value):
        return encode_value(int(value), max_string_length)
    if isinstance(value, str):
        return encode_value(str(value), max_string_length)
    if isinstance(value, float):
        return encode_value(float(value), max_string_length)
    if _is_numpy_scalar(value):
        return encode_value(value.item(), max_string_length)
    encoded = _fallback_value(value, max_string_length)
    if isinstance(encoded, (str, list, dict)):
        return encode_value(encoded, max_string_length)
    return encoded


def _is_numpy_scalar(value: Any) -> bool:
    return type(value).__module__ == "numpy" and hasattr(value, "item") and getattr(value, "ndim", 1) == 0


def make_record(*, timestamp: str | None, model: str, version: str | None, request_id: str | None,
                row: int = 0, latency_ms: float | None = None, features: Any = None,
                present: list[str] | None = None, nulls: list[str] | None = None,
                prediction: Any = None) -> dict[str, Any]:
    """A record with its fields in the order they are written: the one place that order is spelled.

    The parameters are the record's own fields, one each. The shim's
    single-dict path writes this layout as a literal, for speed
    (``tests/shim/test_core.py`` checks they agree); an ``error`` field, when
    there is one, comes last.
    """
    return {SCHEMA: SCHEMA_VERSION, TIMESTAMP: timestamp, MODEL: model, MODEL_VERSION: version,
            REQUEST_ID: request_id, ROW: row, LATENCY_MS: latency_ms, FEATURES: features,
            FEATURES_PRESENT: present, FEATURES_NULL: nulls, PREDICTION: prediction}


def dumps(record: Mapping[str, Any], max_string_length: int | None = None) -> bytes:
    """Serialise one record to a JSON line (with trailing newline); never raises.

    The fast path is one ``orjson.dumps``; when orjson refuses something (an
    integer beyond 64 bits, a lone surrogate), :func:`encode_refused` replaces
    just that and the record is serialised again. Only the strings made here
    (``str(obj)``, decoded bytes) are cut to ``max_string_length``: the shim
    cuts feature values and predictions before, and names (features, model)
    are never cut.
    """
    default = fallback(max_string_length)
    try:
        return orjson.dumps(record, default=default, option=_DUMPS_OPTIONS)
    except _REFUSED:
        return orjson.dumps(encode_refused(record, max_string_length), default=default, option=_DUMPS_OPTIONS)


#: What orjson raises for a value it cannot write.
REFUSED = _REFUSED = (orjson.JSONEncodeError, TypeError, ValueError, OverflowError, RecursionError)


def encode_refused(value: Any, max_string_length: int | None = None) -> Any:
    """``value`` with only the parts orjson refuses replaced by their :func:`encode_value` form.

    An integer beyond 64 bits, a lone surrogate or a key of an odd type is
    replaced; everything else is left for orjson, so a value is written the
    same whether or not a neighbour was refused. Lone surrogates become U+FFFD.
    """
    try:
        orjson.dumps(value, default=fallback(max_string_length), option=_LIST_OPTIONS)
        return value
    except _REFUSED:
        pass
    if isinstance(value, dict):
        return {(key if _key_accepted(key) else name_text(key)): encode_refused(item, max_string_length)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_refused(item, max_string_length) for item in value]
    if isinstance(value, str):
        return _valid_text(value)
    encoded = encode_value(value, max_string_length)
    return encoded if encoded is value else encode_refused(encoded, max_string_length)


def _key_accepted(key: Any) -> bool:
    try:
        orjson.dumps({key: None}, option=_LIST_OPTIONS)
        return True
    except _REFUSED:
        return False


_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_text(text: str) -> str:
    """``text`` with lone surrogates (which UTF-8 cannot hold) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


#: Records per ``orjson.dumps`` call in :func:`dumps_many`: enough to share the call's cost, few enough
#: that each block stays well under the allocator's mmap threshold (fresh mmaps cost page faults).
_BLOCK_RECORDS = 64


def dumps_many(records: Iterable[Mapping[str, Any]], max_string_length: int | None = None) -> tuple[bytearray, int]:
    """Serialise many records into one block of JSON lines; returns ``(bytes, count)``.

    Fast path: one ``orjson.dumps`` per block of records (several times cheaper
    per record than one call each), cut into lines by replacing the separator
    between two records, ``},{"<first key>":``. That byte sequence can only
    appear inside a record as nested structure (a quote inside a JSON string is
    always escaped), so a block is cut only when the separator occurs exactly
    once between each pair of its records; otherwise its records are
    serialised one by one. ``max_string_length`` is as for :func:`dumps`.
    """
    out = bytearray()
    count = 0
    iterator = iter(records)
    while True:
        block = list(itertools.islice(iterator, _BLOCK_RECORDS))
        if not block:
            return out, count
        out += _dumps_block(block, max_string_length)
        count += len(block)


def _dumps_block(block: list[Any], limit: int | None) -> bytes:
    """JSON lines of one block of records (one ``orjson.dumps`` when the cut is safe; see :func:`dumps_many`)."""
    first_key = next(iter(block[0]), None) if isinstance(block[0], Mapping) else None
    if len(block) > 1 and isinstance(first_key, str):
        try:
            joined = orjson.dumps(block, default=fallback(limit), option=_LIST_OPTIONS)
        except _REFUSED:
            joined = b""
        if joined:
            key = orjson.dumps(first_key)
            separator = b"},{" + key + b":"
            if joined.count(separator) == len(block) - 1:
                lines = joined.replace(separator, b"}\n{" + key + b":")
                return lines[1:-1] + b"\n"
    return b"".join(dumps(record, limit) for record in block)


def redact_value(value: Any, mode: str) -> Any:
    """The replacement for a redacted value in ``"hash"`` mode (a stable SHA-256 prefix)."""
    if value is None:
        return None
    raw = value if isinstance(value, bytes) else _text(value).encode("utf-8", errors="replace")
    return "sha256:" + hashlib.sha256(raw).hexdigest()[:16]


def document_id(record: Mapping[str, Any]) -> str:
    """Deterministic id of a record: the same record always gets the same id.

    Built from model, request id and row; hashed so it is short, URL-safe and
    within Elasticsearch's 512-byte ``_id`` limit whatever the inputs.
    """
    key = f"{record.get(MODEL)}\x1f{record.get(REQUEST_ID)}\x1f{record.get(ROW, 0)}"
    return hashlib.blake2b(key.encode("utf-8", errors="replace"), digest_size=16).hexdigest()


def format_timestamp(moment: _dt.datetime | float) -> str:
    """The record's ``@timestamp`` text: UTC ISO 8601 with microseconds and ``Z``, the year in
    four digits (``0999-12-31T23:59:59.000000Z``); naive datetimes are taken as UTC, numbers as
    seconds since the epoch.

    Not ``strftime``: its ``%Y`` does not zero-pad years before 1000 on glibc.
    """
    if isinstance(moment, (int, float)):
        moment = _dt.datetime.fromtimestamp(moment, tz=_dt.UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(_dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"


def format_timestamps(moments: Any) -> list[str]:
    """:func:`format_timestamp` of many moments at once: a pandas Series of UTC datetimes or a
    numpy ``datetime64`` array (replays format a whole table in one vectorised pass)."""
    import numpy as np

    texts = np.datetime_as_string(_utc_datetime64(moments).astype("datetime64[us]"), unit="us")
    return [text + "Z" for text in texts.tolist()]


def _utc_datetime64(moments: Any) -> Any:
    """``moments`` as a numpy ``datetime64`` array in UTC (timezone dropped after converting)."""
    dtype = getattr(moments, "dtype", None)
    if getattr(dtype, "tz", None) is not None:
        moments = moments.dt.tz_convert(None)
    return moments.to_numpy() if hasattr(moments, "to_numpy") else moments


def parse_timestamp(text: str) -> _dt.datetime:
    """Parse an ISO 8601 timestamp into an aware UTC datetime (naive means UTC)."""
    value = _dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    if value.tzinfo is None:
        return value.replace(tzinfo=_dt.UTC)
    return value.astimezone(_dt.UTC)
