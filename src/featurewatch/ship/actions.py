"""Turn one log line into one bulk ``create`` action: pure, no I/O.

The document is the record as the shim wrote it plus the type-stable fields
of :mod:`featurewatch.ship.typed` (and whatever an enrichment hook adds). The
index is the daily requests index of the record's own ``@timestamp`` and the
``_id`` is :func:`featurewatch.record.document_id`, so a re-sent record
always lands on the same document and ``create`` turns it into a 409.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import orjson

from .. import record as R
from ..es import layout
from .typed import typed_fields

__all__ = ["Enricher", "Action", "Rejected", "build_action", "ActionBuilder"]

#: Optional hook run on each parsed record before indexing. It gets the record
#: (read-only by contract) and returns extra top-level fields to add to the
#: document (for example ``{"tokens": {...}, "unseen_tokens": {...}}``), or
#: ``None`` to add nothing.
Enricher = Callable[[Mapping[str, Any]], "Mapping[str, Any] | None"]

_UTC_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}T[0-9:.]+Z$")


class Action(NamedTuple):
    """A ready bulk action: the two NDJSON lines, each ending in a newline."""

    header: bytes
    source: bytes


class Rejected(NamedTuple):
    """A line that cannot become a document, and why."""

    reason: str


def _index_for(timestamp: Any, prefix: str) -> str | None:
    if type(timestamp) is not str:
        return None
    if _UTC_DAY.match(timestamp):
        return layout.requests_index(timestamp, prefix)
    try:
        return layout.requests_index(R.parse_timestamp(timestamp), prefix)
    except (ValueError, OverflowError):
        return None


def build_action(line: bytes, prefix: str = layout.DEFAULT_PREFIX,
                 enrich: Enricher | None = None) -> Action | Rejected:
    """The bulk action for one JSON line (without its newline), or why there is none."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return Rejected(f"unparseable JSON: {exc}")
    if type(record) is not dict:
        return Rejected(f"not a JSON object but {type(record).__name__}")
    index = _index_for(record.get(R.TIMESTAMP), prefix)
    if index is None:
        return Rejected(f"missing or invalid {R.TIMESTAMP}: {str(record.get(R.TIMESTAMP))[:64]!r}")
    if record.get(R.MODEL) is None or record.get(R.REQUEST_ID) is None:
        return Rejected(f"missing {R.MODEL} or {R.REQUEST_ID}: no deterministic document id")
    added = typed_fields(record)
    extra = enrich(record) if enrich is not None else None
    if extra:
        added.update(extra)
    header = b'{"create":{"_index":"%s","_id":"%s"}}\n' % (index.encode(), R.document_id(record).encode())
    return Action(header, _with_fields(line, record, added))


def _with_fields(line: bytes, record: dict[str, Any], added: dict[str, Any]) -> bytes:
    """The document: the line's own bytes with ``added`` spliced in before its closing brace.

    Only the added fields are serialised; a record that already has one of
    their keys (or no key at all) is serialised whole instead, so no key is
    ever written twice.
    """
    body = line.rstrip()
    if record and body.endswith(b"}") and not any(key in record for key in added):
        return b"%s,%s\n" % (body[:-1], orjson.dumps(added)[1:])
    return orjson.dumps({**record, **added}, option=orjson.OPT_APPEND_NEWLINE)


class ActionBuilder:
    """:func:`build_action` with its settings bound (prefix, enrichment hook)."""

    __slots__ = ("enrich", "prefix")

    def __init__(self, prefix: str = layout.DEFAULT_PREFIX, enrich: Enricher | None = None) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.+-]*", prefix):
            raise ValueError(f"invalid index prefix {prefix!r}: lowercase letters, digits, -, _, + and . only")
        self.prefix = prefix
        self.enrich = enrich

    def __call__(self, line: bytes) -> Action | Rejected:
        return build_action(line, self.prefix, self.enrich)
