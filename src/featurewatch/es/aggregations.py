"""Window profiles from Elasticsearch aggregations: the request body and its parsing.

Pure functions, no client: :func:`profile_request` builds one ``_search``
body (``size: 0``) that counts everything a :class:`WindowProfile` holds for
a group of features, and :func:`parse_profile` turns the answer into
profile counts by exactly the rules of :mod:`featurewatch.profile.model`:

* records — ``hits.total`` (``track_total_hits: true``) of the model's
  documents with ``start <= @timestamp < end``;
* versions — ``terms`` on ``model_version`` (``missing`` → ``"(none)"``);
* present / nulls — one ``terms`` each on ``features_present`` and
  ``features_null``, restricted (``include``) to the baseline's features, so
  every feature is counted in one bucket list whatever their number;
* numeric — a ``range`` aggregation on the baseline's bin edges (``from``
  inclusive, ``to`` exclusive, as the local bins) and ``stats`` (min, max,
  sum, count); mistyped values are kept in ``_source`` but not indexed
  (``ignore_malformed``), so ``violations = present - nulls - stats.count``;
* categorical / boolean — ``terms`` with ``include`` = the baseline's keys
  (exact counts of known categories) and ``terms`` with ``exclude`` = those
  keys (the most frequent unseen ones); ``unseen_total`` is every non-null
  value that is not a known key: ``present - nulls - sum(known)``;
* text — the shipper indexes each record's *distinct* tokens in
  ``tokens.<feature>`` (:mod:`featurewatch.ship.enrich`): ``value_count`` is
  the token count, ``terms`` with ``exclude`` = the vocabulary gives the
  unseen ones, and its buckets plus ``sum_other_doc_count`` their total;
* the prediction — present is every record; nulls are records without an
  indexed prediction (``missing``).

Aggregation names use the feature's position (``f12_range``), never its name,
so any feature name is safe.

Where the two sources cannot agree (Elasticsearch never sees what it
rejected or did not index): an object or array value of a categorical or
text feature is a type violation locally but is rejected at ship time (dead
letter) or indexed as values; a mistyped *prediction* counts as a violation
locally and as a null here. The parity test covers everything else exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import record as R
from ..baseline.model import (
    BOOLEAN,
    CATEGORICAL,
    NUMERIC,
    TEXT,
    Baseline,
    FeatureBaseline,
)
from ..keys import category_key
from ..profile.counting import FeatureSpec, compile_specs
from ..profile.local import NO_VERSION
from ..profile.model import UNSEEN_KEEP, FeatureProfile, WindowProfile, top_counts

__all__ = ["TOKENS_FIELD", "profile_request", "parse_profile", "estimated_buckets", "indexed_field"]

#: Where the shipper puts each record's distinct tokens of a text feature.
TOKENS_FIELD = "tokens"
_VERSIONS_KEEP = 1000


def indexed_field(feature: FeatureBaseline, baseline: Baseline) -> str:
    """The indexed field of a feature: ``features.<name>``, or ``prediction`` for the prediction."""
    return R.PREDICTION if feature is baseline.prediction else f"{R.FEATURES}.{feature.name}"


def _range_buckets(edges: Sequence[float]) -> list[dict[str, float]]:
    """Ranges ``(-inf, e1), [e1, e2), ..., [ek, inf)`` exactly as the local bins."""
    if not edges:
        return [{}]
    ranges: list[dict[str, float]] = [{"to": float(edges[0])}]
    ranges += [{"from": float(a), "to": float(b)} for a, b in zip(edges, edges[1:])]
    ranges.append({"from": float(edges[-1])})
    return ranges


def _keys_for_field(spec: FeatureSpec, field_type: str | None) -> list[Any]:
    """Known category keys as values the field's type accepts in ``include``/``exclude``."""
    keys = sorted(spec.known)
    if field_type in {"double", "float", "long", "integer", "short", "byte", "half_float", "scaled_float"}:
        numbers = []
        for key in keys:
            try:
                numbers.append(float(key))
            except ValueError:
                continue  # a key that is not a number cannot be a value of this field
        return numbers
    if field_type == "boolean":
        return []
    return keys


def estimated_buckets(baseline: Baseline, names: Sequence[str]) -> int:
    """Buckets a request for ``names`` may return (for splitting under ``search.max_buckets``)."""
    total = 2 * len(names) + _VERSIONS_KEEP
    features = {f.name: f for f in baseline.monitored()}
    for name in names:
        feature = features[name]
        if feature.kind == NUMERIC and feature.numeric:
            total += len(feature.numeric.edges) + 1
        elif feature.kind in (CATEGORICAL, BOOLEAN):
            total += len(feature.categories.counts if feature.categories else ()) + UNSEEN_KEEP
        elif feature.kind == TEXT:
            total += UNSEEN_KEEP
    return total


def profile_request(baseline: Baseline, names: Sequence[str], start: str, end: str,
                    field_types: Mapping[str, str], *, with_common: bool = True) -> dict[str, Any]:
    """The ``_search`` body counting features ``names`` of ``baseline.model`` in ``[start, end)``.

    ``field_types`` maps indexed field names to their mapped type (from the
    indices' mappings); ``with_common`` adds the record count, versions and
    presence/null counts of *every* feature (needed once per window, so only
    the first of several split requests carries them).
    """
    specs = compile_specs(baseline)
    prediction = baseline.prediction
    features = {f.name: f for f in baseline.monitored()}
    aggs: dict[str, Any] = {}
    plain_names = [f.name for f in baseline.features.values()]
    if with_common:
        aggs["versions"] = {"terms": {"field": R.MODEL_VERSION, "size": _VERSIONS_KEEP, "missing": NO_VERSION}}
        if plain_names:
            aggs["present"] = {"terms": {"field": R.FEATURES_PRESENT, "size": len(plain_names),
                                         "include": sorted(plain_names)}}
            aggs["nulls"] = {"terms": {"field": R.FEATURES_NULL, "size": len(plain_names),
                                       "include": sorted(plain_names)}}
    positions = {f.name: i for i, f in enumerate(baseline.monitored())}
    for name in names:
        feature = features[name]
        spec = specs[name]
        key = f"f{positions[name]}"
        field = indexed_field(feature, baseline)
        if feature is prediction:
            aggs[f"{key}_missing"] = {"missing": {"field": field}}
        if feature.kind == NUMERIC:
            aggs[f"{key}_range"] = {"range": {"field": field, "ranges": _range_buckets(list(spec.edges))}}
            aggs[f"{key}_stats"] = {"stats": {"field": field}}
        elif feature.kind in (CATEGORICAL, BOOLEAN):
            field_type = field_types.get(field)
            known = _keys_for_field(spec, field_type)
            if field_type == "boolean":
                aggs[f"{key}_known"] = {"terms": {"field": field, "size": 2}}
            else:
                aggs[f"{key}_known"] = {"terms": {"field": field, "size": max(1, len(known)), "include": known}} \
                    if known else {"value_count": {"field": field}}
                aggs[f"{key}_unseen"] = {"terms": {"field": field, "size": UNSEEN_KEEP,
                                                   **({"exclude": known} if known else {})}}
        elif feature.kind == TEXT:
            tokens = f"{TOKENS_FIELD}.{name}"
            vocabulary = sorted(spec.vocabulary)
            aggs[f"{key}_tokens"] = {"value_count": {"field": tokens}}
            aggs[f"{key}_unseen"] = {"terms": {"field": tokens, "size": UNSEEN_KEEP,
                                               **({"exclude": vocabulary} if vocabulary else {})}}
    query = {"bool": {"filter": [
        {"term": {R.MODEL: baseline.model}},
        {"range": {R.TIMESTAMP: {"gte": start, "lt": end, "format": "strict_date_optional_time"}}},
    ]}}
    return {"size": 0, "track_total_hits": True, "query": query, "aggs": aggs}


def _bucket_key(bucket: Mapping[str, Any]) -> str | None:
    if "key_as_string" in bucket and isinstance(bucket.get("key"), (int, float)) and \
            bucket["key_as_string"] in ("true", "false"):
        return bucket["key_as_string"]
    return category_key(bucket.get("key"))


def _terms(aggs: Mapping[str, Any], name: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for bucket in aggs.get(name, {}).get("buckets", []):
        key = _bucket_key(bucket)
        if key is not None:
            out[key] = out.get(key, 0) + int(bucket["doc_count"])
    return out


def parse_profile(baseline: Baseline, names: Sequence[str], body: Mapping[str, Any], profile: WindowProfile,
                  *, with_common: bool = True) -> None:
    """Fill ``profile`` from a search answer to :func:`profile_request` (same ``names``)."""
    aggs = body.get("aggregations", {}) or {}
    specs = compile_specs(baseline)
    prediction = baseline.prediction
    features = {f.name: f for f in baseline.monitored()}
    positions = {f.name: i for i, f in enumerate(baseline.monitored())}
    if with_common:
        total = body.get("hits", {}).get("total", 0)
        profile.records = int(total["value"] if isinstance(total, Mapping) else total)
        profile.versions = {str(b["key"]): int(b["doc_count"])
                            for b in aggs.get("versions", {}).get("buckets", []) if b["doc_count"]}
        present = _terms(aggs, "present")
        nulls = _terms(aggs, "nulls")
        for name in baseline.features:
            counts = profile.features.setdefault(name, FeatureProfile())
            counts.present = present.get(name, 0)
            counts.nulls = nulls.get(name, 0)
    for name in names:
        feature = features[name]
        spec = specs[name]
        key = f"f{positions[name]}"
        counts = profile.features.setdefault(name, FeatureProfile())
        if feature is prediction:
            counts.present = profile.records
            counts.nulls = int(aggs.get(f"{key}_missing", {}).get("doc_count", 0))
        values = counts.present - counts.nulls
        if feature.kind == NUMERIC:
            buckets = aggs.get(f"{key}_range", {}).get("buckets", [])
            counts.bins = [int(b["doc_count"]) for b in buckets] or [0] * (len(spec.edges) + 1)
            stats = aggs.get(f"{key}_stats", {})
            indexed = int(stats.get("count") or 0)
            counts.minimum = stats.get("min") if indexed else None
            counts.maximum = stats.get("max") if indexed else None
            counts.total = float(stats.get("sum") or 0.0) if indexed else 0.0
            counts.violations = max(0, values - indexed)
        elif feature.kind in (CATEGORICAL, BOOLEAN):
            known = {k: c for k, c in _terms(aggs, f"{key}_known").items() if k in spec.known}
            counts.categories = known
            counts.unseen_total = max(0, values - sum(known.values()))
            unseen = {k: c for k, c in _terms(aggs, f"{key}_unseen").items() if k not in spec.known}
            counts.unseen = top_counts(unseen)
        elif feature.kind == TEXT:
            counts.tokens = int(aggs.get(f"{key}_tokens", {}).get("value") or 0)
            unseen_agg = aggs.get(f"{key}_unseen", {})
            examples = {str(b["key"]): int(b["doc_count"]) for b in unseen_agg.get("buckets", [])}
            counts.unseen_tokens = sum(examples.values()) + int(unseen_agg.get("sum_other_doc_count") or 0)
            counts.unseen_token_examples = top_counts(examples)
