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
* JSON types — one ``terms`` per type on ``types.<type>`` (the prediction:
  on ``prediction_type``): a value of a type the kind does not accept
  (:meth:`featurewatch.kinds.Kind.accepted_types`) is a type violation, as
  locally;
* each kind's own counts — the aggregations its module declares next to its
  local counting rule (:meth:`featurewatch.kinds.Kind.aggregations` and
  :meth:`~featurewatch.kinds.Kind.parse`);
* new features — ``terms`` on ``features_present`` excluding every name the
  baseline knows; errors — a ``filter`` on ``error_present`` and ``terms``
  on ``error_type`` and ``error_message``;
* the prediction — present is every record; nulls are records without a
  ``prediction_type``.

Aggregation names use the feature's position (``f12_range``), never its name,
so any feature name is safe.

Every aggregation targets a field of the type-stable layout
(:mod:`featurewatch.es.layout`), whose mapping cannot vary: the counts are
the local ones for every value the local source accepts (the parity tests
ship every JSON type into every kind).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import record as R
from ..baseline.model import Baseline, FeatureBaseline
from ..keys import category_key
from ..kinds import kind_of
from ..kinds.text import TOKENS_FIELD
from ..profile.counting import NO_VERSION
from ..profile.model import ERRORS_KEEP, UNSEEN_KEEP, FeatureProfile, WindowProfile, top_counts, top_violations
from . import layout

__all__ = ["TOKENS_FIELD", "profile_request", "parse_profile", "estimated_buckets", "value_fields"]

_VERSIONS_KEEP = 1000


def value_fields(feature: FeatureBaseline, baseline: Baseline) -> Callable[[str], str]:
    """``json type -> field`` holding the feature's values of that type (the prediction's for the prediction)."""
    name = None if feature is baseline.prediction else feature.name
    return lambda json_type: layout.value_field(json_type, name)


def estimated_buckets(baseline: Baseline, names: Sequence[str]) -> int:
    """Buckets a request for ``names`` may return (for splitting under ``search.max_buckets``)."""
    features = {f.name: f for f in baseline.monitored()}
    common = _VERSIONS_KEEP + UNSEEN_KEEP + 2 * ERRORS_KEEP + 1
    # present, null, one per JSON type, and the violation examples of each type the kind does not accept
    per_feature = 2 + len(layout.JSON_TYPES)
    return per_feature * len(names) + common + sum(kind_of(features[n]).buckets(features[n])
                                                   + _violation_buckets(features[n]) for n in names)


def _violation_buckets(feature: FeatureBaseline) -> int:
    accepted = kind_of(feature).accepted_types(feature)
    if accepted is None:
        return 0
    return sum(2 if t == "boolean" else UNSEEN_KEEP for t in layout.VALUE_TYPES if t not in accepted)


def profile_request(baseline: Baseline, names: Sequence[str], start: str, end: str,
                    *, with_common: bool = True) -> dict[str, Any]:
    """The ``_search`` body counting features ``names`` of ``baseline.model`` in ``[start, end)``.

    ``with_common`` adds the record count, versions and
    presence/null counts of *every* feature (needed once per window, so only
    the first of several split requests carries them).
    """
    aggs: dict[str, Any] = {}
    plain_names = [f.name for f in baseline.features.values()]
    if with_common:
        aggs["versions"] = {"terms": {"field": R.MODEL_VERSION, "size": _VERSIONS_KEEP, "missing": NO_VERSION}}
        if plain_names:
            aggs["present"] = {"terms": {"field": R.FEATURES_PRESENT, "size": len(plain_names),
                                         "include": sorted(plain_names)}}
            aggs["nulls"] = {"terms": {"field": R.FEATURES_NULL, "size": len(plain_names),
                                       "include": sorted(plain_names)}}
        known = sorted(baseline.known_names())
        aggs["new_features"] = {"terms": {"field": R.FEATURES_PRESENT, "size": UNSEEN_KEEP,
                                          **({"exclude": known} if known else {})}}
        aggs["errors"] = {"filter": {"term": {layout.ERROR_PRESENT_FIELD: True}},
                          "aggs": {"types": {"terms": {"field": layout.ERROR_TYPE_FIELD, "size": ERRORS_KEEP}},
                                   "messages": {"terms": {"field": layout.ERROR_MESSAGE_FIELD, "size": ERRORS_KEEP}}}}
    selected = _selected(baseline, names)
    group = sorted(f.name for _, f in selected if f is not baseline.prediction)
    if group:
        for json_type in layout.JSON_TYPES:
            aggs[f"types_{json_type}"] = {"terms": {"field": layout.types_field(json_type), "size": len(group),
                                                    "include": group}}
    for key, feature in selected:
        if feature is baseline.prediction:
            aggs[f"{key}_missing"] = {"missing": {"field": layout.PREDICTION_TYPE_FIELD}}
            aggs[f"{key}_types"] = {"terms": {"field": layout.PREDICTION_TYPE_FIELD, "size": len(layout.JSON_TYPES)}}
        kind = kind_of(feature)
        accepted = kind.accepted_types(feature)
        field = value_fields(feature, baseline)
        for json_type in [] if accepted is None else [t for t in layout.VALUE_TYPES if t not in accepted]:
            aggs[f"{key}_violating_{json_type}"] = {"terms": {"field": field(json_type), "size": UNSEEN_KEEP}}
        aggs.update(kind.aggregations(feature, field, key))
    query = {"bool": {"filter": [
        {"term": {R.MODEL: baseline.model}},
        {"range": {R.TIMESTAMP: {"gte": start, "lt": end, "format": "strict_date_optional_time"}}},
    ]}}
    return {"size": 0, "track_total_hits": True, "query": query, "aggs": aggs}


def _selected(baseline: Baseline, names: Sequence[str]) -> list[tuple[str, FeatureBaseline]]:
    """``(aggregation key, feature)`` of each name; keys use the feature's position, never its name."""
    wanted = set(names)
    return [(f"f{i}", f) for i, f in enumerate(baseline.monitored()) if f.name in wanted]


def _violation_examples(aggs: Mapping[str, Any], key: str, accepted: frozenset[str],
                        types: Mapping[str, int]) -> dict[str, int]:
    """Examples named as :func:`featurewatch.kinds.violation_key` names them locally."""
    examples = {t: n for t, n in types.items() if t not in layout.VALUE_TYPES and n}
    for json_type in layout.VALUE_TYPES:
        if json_type in accepted:
            continue
        for bucket in aggs.get(f"{key}_violating_{json_type}", {}).get("buckets", []):
            value = bucket.get("key_as_string") if json_type == "boolean" else bucket.get("key")
            examples[f"{json_type}:{category_key(value)}"] = int(bucket["doc_count"])
    return top_violations(examples)


def _terms(aggs: Mapping[str, Any], name: str) -> dict[str, int]:
    return {str(b["key"]): int(b["doc_count"]) for b in aggs.get(name, {}).get("buckets", [])}


def parse_profile(baseline: Baseline, names: Sequence[str], body: Mapping[str, Any], profile: WindowProfile,
                  *, with_common: bool = True) -> None:
    """Fill ``profile`` from a search answer to :func:`profile_request` (same ``names``)."""
    aggs = body.get("aggregations", {}) or {}
    if with_common:
        total = body.get("hits", {}).get("total", 0)
        profile.records = int(total["value"] if isinstance(total, Mapping) else total)
        profile.versions = {k: c for k, c in _terms(aggs, "versions").items() if c}
        present = _terms(aggs, "present")
        nulls = _terms(aggs, "nulls")
        for name in baseline.features:
            counts = profile.features.setdefault(name, FeatureProfile())
            counts.present = present.get(name, 0)
            counts.nulls = nulls.get(name, 0)
        profile.new_features = top_counts(_terms(aggs, "new_features"))
        errors = aggs.get("errors", {})
        profile.errors = int(errors.get("doc_count", 0))
        profile.error_types = top_counts(_terms(errors, "types"), ERRORS_KEEP)
        profile.error_messages = top_counts(_terms(errors, "messages"), ERRORS_KEEP)
    by_type = {json_type: _terms(aggs, f"types_{json_type}") for json_type in layout.JSON_TYPES}
    for key, feature in _selected(baseline, names):
        counts = profile.features.setdefault(feature.name, FeatureProfile())
        if feature is baseline.prediction:
            counts.present = profile.records
            counts.nulls = int(aggs.get(f"{key}_missing", {}).get("doc_count", 0))
            types = _terms(aggs, f"{key}_types")
        else:
            types = {json_type: found.get(feature.name, 0) for json_type, found in by_type.items()}
        kind = kind_of(feature)
        accepted = kind.accepted_types(feature)
        if accepted is not None:
            counts.violations = sum(n for t, n in types.items() if t not in accepted)
            counts.violation_examples = _violation_examples(aggs, key, accepted, types)
        kind.parse(counts, feature, aggs, key)
