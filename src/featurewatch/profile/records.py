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
from ..kinds import Kind
from .counting import NO_VERSION
from .model import WindowProfile

__all__ = ["count_records", "is_record"]


def is_record(record: Any) -> bool:
    """Whether a parsed line can be counted: an object whose presence and null lists are lists of names."""
    if not isinstance(record, dict):
        return False
    for field in (R.FEATURES_PRESENT, R.FEATURES_NULL):
        listed = record.get(field)
        if listed is not None and not (isinstance(listed, list) and all(isinstance(n, str) for n in listed)):
            return False
    return True


def count_records(profile: WindowProfile, records: Iterable[Mapping[str, Any]],
                  features: Sequence[tuple[FeatureBaseline, Kind]]) -> None:
    """Count ``records`` (already filtered to the model and window, each passing :func:`is_record`)."""
    values: dict[str, list[Any]] = {f.name: [] for f, _ in features}
    for record in records:
        profile.records += 1
        version = record.get(R.MODEL_VERSION)
        version = NO_VERSION if version is None else str(version)
        profile.versions[version] = profile.versions.get(version, 0) + 1
        found = record.get(R.FEATURES)
        found = found if isinstance(found, dict) else {}
        present = record.get(R.FEATURES_PRESENT) or ()
        null = record.get(R.FEATURES_NULL) or ()
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
