"""Counting values into a :class:`FeatureProfile`: the one implementation of the rules.

Sources differ in how they get values out of records (Arrow columns, parsed
JSON, aggregations); once they have numbers, category keys or texts, they
count them here, so the rules of :mod:`featurewatch.profile.model` are
written once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

import numpy as np

from ..baseline.model import BOOLEAN, CATEGORICAL, NUMERIC, TEXT, Baseline, FeatureBaseline
from ..tokens import count_tokens
from .model import FeatureProfile, WindowProfile, top_counts

__all__ = ["FeatureSpec", "compile_specs", "count_numbers", "count_keys", "count_texts", "empty_profile"]


@dataclasses.dataclass(frozen=True)
class FeatureSpec:
    """What counting needs from one baseline feature, prepared once per run."""

    name: str
    kind: str
    edges: np.ndarray
    known: frozenset[str]
    vocabulary: frozenset[str]
    #: Whether the known category keys are all numbers / all booleans (lets readers parse them natively).
    numeric_keys: bool = False
    boolean_keys: bool = False


def _is_numeric_key(key: str) -> bool:
    try:
        float(key)
    except ValueError:
        return False
    return key.strip() == key and key.lower() not in {"nan", "inf", "-inf", "infinity", "-infinity"}


def _spec(feature: FeatureBaseline) -> FeatureSpec:
    edges = np.asarray(feature.numeric.edges if feature.numeric else [], dtype=float)
    known = frozenset(feature.categories.counts) if feature.categories else frozenset()
    vocabulary = frozenset(feature.text.vocabulary) if feature.text else frozenset()
    return FeatureSpec(name=feature.name, kind=feature.kind, edges=edges, known=known, vocabulary=vocabulary,
                       numeric_keys=bool(known) and all(_is_numeric_key(k) for k in known),
                       boolean_keys=bool(known) and known <= {"true", "false"})


def compile_specs(baseline: Baseline) -> dict[str, FeatureSpec]:
    """Specs of every monitored feature (and ``"prediction"``), keyed by name."""
    return {f.name: _spec(f) for f in baseline.monitored()}


def empty_profile(baseline: Baseline, start: str, end: str) -> WindowProfile:
    """A profile with zero counts for every monitored feature (numeric bins sized to the edges)."""
    features = {}
    for feature in baseline.monitored():
        bins = [0] * (len(feature.numeric.edges) + 1) if feature.kind == NUMERIC and feature.numeric else []
        features[feature.name] = FeatureProfile(bins=bins)
    return WindowProfile(model=baseline.model, start=start, end=end, features=features)


def count_numbers(profile: FeatureProfile, spec: FeatureSpec, values: np.ndarray) -> None:
    """Count finite numbers on the spec's edges; also min, max and sum."""
    if values.size == 0:
        return
    index = np.searchsorted(spec.edges, values, side="right")
    counts = np.bincount(index, minlength=spec.edges.size + 1)
    if not profile.bins:
        profile.bins = [0] * (spec.edges.size + 1)
    profile.bins = [a + int(b) for a, b in zip(profile.bins, counts)]
    low, high = float(values.min()), float(values.max())
    profile.minimum = low if profile.minimum is None else min(profile.minimum, low)
    profile.maximum = high if profile.maximum is None else max(profile.maximum, high)
    profile.total += float(values.sum())


def count_keys(profile: FeatureProfile, spec: FeatureSpec, counts: Mapping[str, int]) -> None:
    """Count category keys: known ones by key, the rest as unseen."""
    unseen: dict[str, int] = {}
    for key, count in counts.items():
        if key in spec.known:
            profile.categories[key] = profile.categories.get(key, 0) + count
        else:
            unseen[key] = count
    if unseen:
        profile.unseen_total += sum(unseen.values())
        merged = dict(profile.unseen)
        for key, count in unseen.items():
            merged[key] = merged.get(key, 0) + count
        profile.unseen = top_counts(merged)


def count_texts(profile: FeatureProfile, spec: FeatureSpec, texts: Iterable[str]) -> None:
    """Count distinct tokens per text, and those outside the vocabulary."""
    tokens, unseen_total, unseen = count_tokens(texts, spec.vocabulary)
    profile.tokens += tokens
    profile.unseen_tokens += unseen_total
    if unseen:
        merged = dict(profile.unseen_token_examples)
        for key, count in unseen.items():
            merged[key] = merged.get(key, 0) + count
        profile.unseen_token_examples = top_counts(merged)


#: Kinds whose values are counted as category keys.
KEYED = (CATEGORICAL, BOOLEAN)
TEXTUAL = (TEXT,)
