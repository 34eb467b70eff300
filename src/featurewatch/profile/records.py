"""Counting parsed records (dicts in the record format) into a profile.

Used for the lines Arrow refuses in the local source, and for baselines built
from logged records (``baseline build --from-logs`` / ``--from-es``), so a
reference window is counted by exactly the rules of any other window.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import record as R
from ..baseline.model import PREDICTION, FeatureBaseline
from ..es.layout import error_text
from ..kinds import Kind
from .counting import NO_VERSION
from .model import KEEP_WHILE_COUNTING, WindowProfile, top_counts

__all__ = ["count_records", "count_common", "is_record"]


def is_record(record: Any) -> bool:
    """Whether a parsed line can be counted: an object whose presence and null lists are lists of names."""
    if not isinstance(record, dict):
        return False
    for field in (R.FEATURES_PRESENT, R.FEATURES_NULL):
        listed = record.get(field)
        if listed is not None and not (isinstance(listed, list) and all(isinstance(n, str) for n in listed)):
            return False
    return True


def count_common(profile: WindowProfile, present: Mapping[str, int], known: set[str],
                 error_types: Mapping[str | None, int], error_messages: Mapping[str | None, int]) -> None:
    """Count what does not belong to a feature: names the baseline does not know, and errors."""
    new = {name: count for name, count in present.items() if name not in known}
    if new:
        profile.new_features = top_counts(_add(profile.new_features, new), KEEP_WHILE_COUNTING)
    errors = sum(error_types.values())
    if errors:
        profile.errors += errors
        types = {str(k): c for k, c in error_types.items() if k is not None}
        messages = {str(k): c for k, c in error_messages.items() if k is not None}
        profile.error_types = top_counts(_add(profile.error_types, types), KEEP_WHILE_COUNTING)
        profile.error_messages = top_counts(_add(profile.error_messages, messages), KEEP_WHILE_COUNTING)


def _add(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    out = dict(a)
    for key, value in b.items():
        out[key] = out.get(key, 0) + value
    return out


def count_records(profile: WindowProfile, records: Iterable[Mapping[str, Any]],
                  features: Sequence[tuple[FeatureBaseline, Kind]], known: set[str]) -> None:
    """Count ``records`` (already filtered to the model and window, each passing :func:`is_record`).

    ``known`` names the features the baseline knows (others are counted as new features).
    """
    values: dict[str, list[Any]] = {f.name: [] for f, _ in features}
    listed: dict[str, int] = {}
    error_types: dict[str | None, int] = {}
    error_messages: dict[str | None, int] = {}
    for record in records:
        profile.records += 1
        version = record.get(R.MODEL_VERSION)
        version = NO_VERSION if version is None else str(version)
        profile.versions[version] = profile.versions.get(version, 0) + 1
        found = record.get(R.FEATURES)
        found = found if isinstance(found, dict) else {}
        present = record.get(R.FEATURES_PRESENT) or ()
        null = record.get(R.FEATURES_NULL) or ()
        for name in present:
            listed[name] = listed.get(name, 0) + 1
        error = record.get(R.ERROR)
        if error is not None:
            kind, message = (error.get("type"), error.get("message")) if isinstance(error, dict) else (None, None)
            kind, message = error_text(kind), error_text(message)
            error_types[kind] = error_types.get(kind, 0) + 1
            error_messages[message] = error_messages.get(message, 0) + 1
        for feature, _ in features:
            name = feature.name
            target = profile.features[name]
            if name == PREDICTION:
                value: Any = record.get(R.PREDICTION)
                target.present += 1
                if value is None:
                    target.nulls += 1
                    continue
            else:
                if name in present:
                    target.present += 1
                if name in null:
                    target.nulls += 1
                value = found.get(name)
                if value is None:
                    continue
            values[name].append(value)
    for feature, kind in features:
        kind.count_values(profile.features[feature.name], feature, values[feature.name])
    count_common(profile, listed, known, error_types, error_messages)


