"""Ship-time enrichment: the distinct tokens and the lengths of text features.

Elasticsearch cannot tokenise a keyword and compare it with a vocabulary in
an aggregation, so the shipper adds, for each text feature a baseline names,
``tokens.<feature>``: the record's distinct tokens (:func:`featurewatch.kinds.text.ship_fields`,
the text kind's own rule, which baselines and the local source count by too). Detection then counts
them with ``value_count`` and ``terms`` — exactly the local numbers, without
pulling documents. Records of models without a baseline get only the type-stable fields
(:mod:`featurewatch.ship.typed`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .. import record as R
from ..baseline.model import TEXT, Baseline, FeatureBaseline
from ..es.layout import field_key
from ..kinds.text import CHARS_FIELD, LENGTH_FIELD, TOKENS_FIELD, ship_fields

__all__ = ["TokenEnricher"]


class TokenEnricher:
    """``enrich(record) -> extra fields`` for the shipper's action builder."""

    def __init__(self, baselines: Iterable[Baseline]) -> None:
        self.text_features: dict[str, tuple[FeatureBaseline, ...]] = {}
        for baseline in baselines:
            texts = tuple(f for f in baseline.features.values() if f.kind == TEXT)
            if texts:
                self.text_features[baseline.model] = texts

    def __call__(self, record: Mapping[str, Any]) -> dict[str, Any] | None:
        texts = self.text_features.get(record.get(R.MODEL))  # type: ignore[arg-type]
        if not texts:
            return None
        features = record.get(R.FEATURES)
        if not isinstance(features, Mapping):
            return None
        tokens, lengths, chars = {}, {}, {}
        for feature in texts:
            found = ship_fields(features.get(feature.name), feature)
            if found is not None:
                key = field_key(feature.name)
                tokens[key], lengths[key], chars[key] = found
        return {TOKENS_FIELD: tokens, LENGTH_FIELD: lengths, CHARS_FIELD: chars} if tokens or lengths else None
