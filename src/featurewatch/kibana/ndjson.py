"""Saved objects as dicts, and their byte-stable NDJSON form.

Every object and every JSON string embedded in one (``panelsJSON``,
``searchSourceJSON``...) is written with sorted keys and no spaces, so the same
input gives the same bytes and a regenerated file diffs cleanly.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._stamps import CORE_MIGRATION_VERSION, TYPE_MIGRATION_VERSIONS

__all__ = ["saved_object", "reference", "compact_json", "render", "parse_lines"]


def compact_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: the one serialisation we use."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def reference(name: str, type_: str, id_: str) -> dict[str, str]:
    """One entry of a saved object's ``references``."""
    return {"id": id_, "name": name, "type": type_}


def saved_object(type_: str, id_: str, attributes: Mapping[str, Any],
                 references: Sequence[Mapping[str, str]] = ()) -> dict[str, Any]:
    """A saved object stamped for the oldest supported Kibana."""
    return {
        "attributes": dict(attributes),
        "coreMigrationVersion": CORE_MIGRATION_VERSION,
        "id": id_,
        "references": [dict(r) for r in references],
        "type": type_,
        "typeMigrationVersion": TYPE_MIGRATION_VERSIONS[type_],
    }


def render(objects: Iterable[Mapping[str, Any]]) -> bytes:
    """The NDJSON file for ``objects``: one compact object per line, newline-terminated."""
    return "".join(compact_json(obj) + "\n" for obj in objects).encode("utf-8")


def parse_lines(data: bytes | str | Iterable[str]) -> list[str]:
    """Split an NDJSON file (bytes, text or lines) into its non-empty lines."""
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    lines = data.splitlines() if isinstance(data, str) else list(data)
    return [line.rstrip("\r\n") for line in lines if line.strip()]
