"""Checking a baseline document before it is read, field by field.

A baseline is often copied around, merged by hand or edited to loosen a
check; a damaged one must be refused on load (exit 2) with the field named,
not give wrong findings for weeks (a count that is negative, ``"versions":
"10"`` read as the versions ``1`` and ``0``) or a ``TypeError`` in the middle
of ``detect``.

Plain code rather than a JSON Schema library: half of what makes a baseline
sound is relations between fields (``nulls <= present <= records <= rows``,
one count per numeric bin, ``min <= max``, the block a kind needs), which JSON
Schema cannot say, and its messages name the rule, not the field; a checker
also costs ``detect`` (started by cron many times a day) a dependency and its
import time. Fields this featurewatch does not know are ignored, so a later
version can add optional fields without a new ``schema_version``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import orjson

from ..errors import BaselineError
from ..values import SCALAR_TYPES
from .model import BOOLEAN, CATEGORICAL, IDENTIFIER, NUMERIC, TEXT

__all__ = ["check_document", "MARKER", "SCHEMA_VERSION"]

SCHEMA_VERSION = 1
#: The ``kind`` of every baseline document (what tells it from any other JSON file).
MARKER = "featurewatch-baseline"
#: The block of a feature each kind needs (identifiers have none).
_BLOCK = {NUMERIC: "numeric", CATEGORICAL: "categories", BOOLEAN: "categories", TEXT: "text", IDENTIFIER: None}


def check_document(doc: Any) -> None:
    """Raise BaselineError naming the first field of ``doc`` that a readable baseline cannot have."""
    if not isinstance(doc, dict) or doc.get("kind") != MARKER:
        raise BaselineError(f'not a featurewatch baseline (no "kind": "{MARKER}")')
    if "schema_version" not in doc:
        raise BaselineError("baseline has no schema_version")
    version = _count(doc, "schema_version", "", minimum=1)
    if version > SCHEMA_VERSION:
        raise BaselineError(f"baseline schema_version {version} is newer than this featurewatch reads "
                            f"({SCHEMA_VERSION}); upgrade featurewatch")
    model = _get(doc, "model", "", str, "a string")
    if not model:
        raise BaselineError("model must be a model name, not empty")
    _strings(doc, "versions", "")
    rows = _count(doc, "rows", "", minimum=1)
    _get(doc, "created", "", str, "a string", required=False)
    _get(doc, "source", "", dict, "an object", required=False, nullable=True)
    _strings(doc, "excluded", "")
    _count(doc, "errors", "", required=False)
    features = _get(doc, "features", "", dict, "an object of features")
    for name, feature in features.items():
        _check_feature(feature, f"features.{name}", rows)
    if doc.get("prediction") is not None:
        _check_feature(doc["prediction"], "prediction", rows)
    if not features and doc.get("prediction") is None:
        raise BaselineError("features must name at least one feature (or the baseline needs a prediction)")


def _check_feature(doc: Any, path: str, rows: int) -> None:
    if not isinstance(doc, dict):
        raise BaselineError(f"{path} must be an object, not {_show(doc)}")
    kind = doc.get("kind")
    if kind not in _BLOCK:
        raise BaselineError(f"{path}.kind must be one of {', '.join(_BLOCK)}, not {_show(kind)}")
    records = _count(doc, "records", path)
    present = _count(doc, "present", path)
    nulls = _count(doc, "nulls", path)
    violations = _count(doc, "violations", path, required=False)
    _at_most(records, rows, f"{path}.records", "rows")
    _at_most(present, records, f"{path}.present", f"{path}.records")
    _at_most(nulls, present, f"{path}.nulls", f"{path}.present")
    values = present - nulls
    _at_most(violations, values, f"{path}.violations", f"{path}.present - nulls")
    _get(doc, "reason", path, str, "a string", required=False)
    _strings(doc, "warnings", path)
    block = _BLOCK[kind]
    for other in sorted({b for b in _BLOCK.values() if b} - {block}):
        if doc.get(other) is not None:
            raise BaselineError(f'{path} is {kind} but has a "{other}" block (only the block of its kind belongs)')
    if block is None:
        return
    if not isinstance(doc.get(block), dict):
        raise BaselineError(f'{path} is {kind} but has no "{block}" block (an object), which its checks need')
    check = {"numeric": _check_numeric, "categories": _check_categories, "text": _check_text}[block]
    check(doc[block], f"{path}.{block}", values - violations)


def _check_numeric(doc: dict[str, Any], path: str, numbers: int) -> None:
    edges = _get(doc, "edges", path, list, "a list of numbers")
    for index, edge in enumerate(edges):
        _number_value(edge, f"{path}.edges[{index}]")
    if any(b <= a for a, b in itertools.pairwise(edges)):
        raise BaselineError(f"{path}.edges must increase strictly, not {_show(edges)}")
    counts = _get(doc, "counts", path, list, "a list of counts")
    for index, count in enumerate(counts):
        _count_value(count, f"{path}.counts[{index}]")
    if len(counts) != len(edges) + 1:
        raise BaselineError(f"{path}.counts must have one count per bin ({len(edges) + 1} for {len(edges)} edges), "
                            f"not {len(counts)}")
    count = _count(doc, "count", path)
    if sum(counts) != count:
        raise BaselineError(f"{path}.count must be the sum of its counts ({sum(counts)}), not {count}")
    _at_most(count, numbers, f"{path}.count", "present - nulls - violations")
    low, high = _number(doc, "min", path, required=False), _number(doc, "max", path, required=False)
    _number(doc, "mean", path, required=False)
    _number(doc, "sum", path, required=False)
    if count and (low is None or high is None):
        raise BaselineError(f"{path}.min and {path}.max must be numbers when count is {count}, not null")
    if low is not None and high is not None and low > high:
        raise BaselineError(f"{path}.min must not be above max ({_show(low)} > {_show(high)})")
    std = _number(doc, "std", path, required=False)
    if std is not None and std < 0:
        raise BaselineError(f"{path}.std must not be negative, not {_show(std)}")


def _check_categories(doc: dict[str, Any], path: str, values: int) -> None:
    counts = _counts(doc, "counts", path)
    other = _count(doc, "other_count", path)
    distinct = _count(doc, "distinct", path)
    _at_most(_count(doc, "singletons", path), distinct, f"{path}.singletons", f"{path}.distinct")
    _at_most(len(counts), distinct, f"number of {path}.counts", f"{path}.distinct")
    _at_most(sum(counts.values()) + other, values, f"{path}.counts + other_count", "present - nulls - violations")
    _count(doc, "total", path, required=False)
    _types(doc, path)
    _rate(doc, "expected_new_rate", path)


def _check_text(doc: dict[str, Any], path: str, values: int) -> None:
    vocabulary = _counts(doc, "vocabulary", path)
    tokens = _count(doc, "tokens", path)
    _at_most(_count(doc, "other_count", path), tokens, f"{path}.other_count", f"{path}.tokens")
    distinct = _count(doc, "distinct", path)
    _at_most(_count(doc, "singletons", path), distinct, f"{path}.singletons", f"{path}.distinct")
    _at_most(len(vocabulary), distinct, f"number of {path}.vocabulary", f"{path}.distinct")
    _count(doc, "values", path, required=False)
    _types(doc, path)
    _rate(doc, "expected_unseen_rate", path)
    for edges_field, counts_field in (("length_edges", "length_counts"), ("char_edges", "char_counts")):
        _bins(doc, edges_field, counts_field, path)


def _bins(doc: dict[str, Any], edges_field: str, counts_field: str, path: str) -> None:
    """Optional bin edges and their counts (text lengths): increasing edges, one count per bin."""
    if doc.get(edges_field) is None and doc.get(counts_field) is None:
        return
    edges = _get(doc, edges_field, path, list, "a list of numbers")
    for index, edge in enumerate(edges):
        _number_value(edge, f"{path}.{edges_field}[{index}]")
    if any(b <= a for a, b in itertools.pairwise(edges)):
        raise BaselineError(f"{path}.{edges_field} must increase strictly, not {_show(edges)}")
    counts = _get(doc, counts_field, path, list, "a list of counts")
    for index, count in enumerate(counts):
        _count_value(count, f"{path}.{counts_field}[{index}]")
    if edges and len(counts) != len(edges) + 1:
        raise BaselineError(f"{path}.{counts_field} must have one count per bin ({len(edges) + 1} for "
                            f"{len(edges)} edges), not {len(counts)}")


# --- one field -------------------------------------------------------------------------------------

def _show(value: Any) -> str:
    """``value`` as it is written in the file, cut to a readable length."""
    try:
        text = orjson.dumps(value).decode()
    except TypeError:
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _get(doc: Mapping[str, Any], key: str, path: str, kind: type, what: str, *, required: bool = True,
         nullable: bool = False) -> Any:
    where = f"{path}.{key}" if path else key
    if key not in doc:
        if required:
            raise BaselineError(f"{where} is missing")
        return None
    value = doc[key]
    if value is None and (nullable or not required):
        return None
    if not isinstance(value, kind):
        raise BaselineError(f"{where} must be {what}, not {_show(value)}")
    return value


def _count_value(value: Any, where: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BaselineError(f"{where} must be a whole number, not {_show(value)}")
    if value < minimum:
        raise BaselineError(f"{where} must be at least {minimum}, not {value}")
    return value


def _count(doc: Mapping[str, Any], key: str, path: str, *, minimum: int = 0, required: bool = True) -> int:
    where = f"{path}.{key}" if path else key
    if key not in doc and not required:
        return 0
    if key not in doc:
        raise BaselineError(f"{where} is missing")
    return _count_value(doc[key], where, minimum)


def _number_value(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BaselineError(f"{where} must be a number, not {_show(value)}")
    return value


def _number(doc: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> float | None:
    """A number, or None when the field is null or (not required) absent."""
    if key not in doc:
        if required:
            raise BaselineError(f"{path}.{key} is missing")
        return None
    return None if doc[key] is None else _number_value(doc[key], f"{path}.{key}")


def _counts(doc: Mapping[str, Any], key: str, path: str) -> dict[str, int]:
    counts = _get(doc, key, path, dict, "an object of counts")
    for name, count in counts.items():
        _count_value(count, f"{path}.{key}[{_show(name)}]")
    return counts


def _strings(doc: Mapping[str, Any], key: str, path: str) -> None:
    where = f"{path}.{key}" if path else key
    items = _get(doc, key, path, list, "a list of strings", required=False)
    for index, item in enumerate(items or []):
        if not isinstance(item, str):
            raise BaselineError(f"{where}[{index}] must be a string, not {_show(item)}")


def _types(doc: Mapping[str, Any], path: str) -> None:
    _strings(doc, "types", path)
    for index, name in enumerate(doc.get("types") or []):
        if name not in SCALAR_TYPES:
            raise BaselineError(f"{path}.types[{index}] must be one of {', '.join(SCALAR_TYPES)}, not {_show(name)}")


def _rate(doc: Mapping[str, Any], key: str, path: str) -> None:
    rate = _number(doc, key, path, required=False)
    if rate is not None and not 0 <= rate <= 1:
        raise BaselineError(f"{path}.{key} must be between 0 and 1, not {_show(rate)}")


def _at_most(value: int, limit: int, name: str, limit_name: str) -> None:
    if value > limit:
        raise BaselineError(f"{name} ({value}) must not exceed {limit_name} ({limit})")
