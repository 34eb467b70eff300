"""Names and document shapes of featurewatch's Elasticsearch indices.

Pure data, no client import: the shipper, the detection sinks and the Kibana
builders all take their index names and field names from here.

* **requests** — one document per logged record, in daily indices named by
  the record's own date: ``<prefix>-requests-YYYY.MM.DD``; ``_id`` is
  :func:`featurewatch.record.document_id`. The document is the record as
  the shim wrote it (:mod:`featurewatch.record`; ``features`` and
  ``prediction`` kept in ``_source`` for Discover but never indexed, so no
  value can get a record rejected) plus the fields the shipper adds, each
  of a type that cannot vary (the *type-stable layout*, version
  :data:`LAYOUT_VERSION`):

  - ``values.<type>.<feature>`` — the value, in the field of its JSON type:
    ``values.number.*`` double, ``values.string.*`` keyword,
    ``values.boolean.*`` boolean (objects and arrays are not indexed);
  - ``types.<type>`` — the names of the features whose value has that JSON
    type (``number``, ``string``, ``boolean``, ``object``, ``array``): type
    violations are exact counts of these lists;
  - ``prediction_value.<type>`` and ``prediction_type`` — the same for the
    prediction;
  - ``tokens.<feature>``, ``text_tokens.<feature>``, ``text_chars.<feature>``
    — for text features of a registered baseline, the record's distinct
    tokens, its token count and its length.

  Feature names with dots are leaf names (``subobjects: false``), so every
  field name is ``<container>.<feature name>``; a name Elasticsearch refuses
  as a field name (``""``, ``"a..b"``) is written as ``~`` and its hex
  (:func:`field_key`).
* **findings** — one document per finding of a ``detect`` run, and one per
  alert that stopped in that window (``alert: resolved``), in
  ``<prefix>-findings``; ``_id`` derived from model, window, check and
  feature, so a rerun of the same window overwrites. It is also where the
  next run finds the alert state (:mod:`featurewatch.findings.alerts`).
* **metrics** — per window and feature the numbers behind the checks, in
  ``<prefix>-metrics``; ``_id`` derived from model, window and feature.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from types import MappingProxyType

from ..prefix import DEFAULT_PREFIX, check_prefix

#: Fields the shipper adds to a request document for each text feature of a registered baseline: the
#: record's distinct tokens, its tokens counted with repeats, its length in characters (:mod:`featurewatch.kinds.text`).
TOKENS_FIELD = "tokens"
LENGTH_FIELD = "text_tokens"
CHARS_FIELD = "text_chars"

#: The document layout the shipper writes and detection reads; stored in the requests template's ``_meta``.
LAYOUT_VERSION = 2
#: JSON types whose values are indexed, each in its own field (objects and arrays are only counted).
VALUE_TYPES = ("number", "string", "boolean")
#: Every JSON type a non-null value can have.
JSON_TYPES = (*VALUE_TYPES, "object", "array")
VALUES_FIELD = "values"
TYPES_FIELD = "types"
PREDICTION_VALUE_FIELD = "prediction_value"
PREDICTION_TYPE_FIELD = "prediction_type"
#: A record's error (``error`` itself is not indexed): whether it has one, its type and message as text.
ERROR_PRESENT_FIELD = "error_present"
ERROR_TYPE_FIELD = "error_type"
ERROR_MESSAGE_FIELD = "error_message"
#: Longest text a keyword field indexes (``ignore_above``, in UTF-16 units as Lucene counts them).
KEYWORD_LIMIT = 1024
#: Error types and messages are counted by their first this many characters, here and locally, so
#: a long message still has a key (at most 2 UTF-16 units a character: always under KEYWORD_LIMIT).
ERROR_TEXT_KEEP = 500


def indexable_name(name: str) -> bool:
    """Whether Elasticsearch accepts ``name`` as a field name (as a leaf under ``subobjects: false``):
    not empty or blank, no empty dotted part."""
    return bool(name.strip()) and not name.startswith(".") and not name.endswith(".") and ".." not in name


def field_key(name: str) -> str:
    """A feature's name as the last part of its fields (``values.<type>.<key>``, ``tokens.<key>``…).

    The name itself where Elasticsearch accepts it; otherwise (``""``,
    ``"a..b"``) ``~`` and the name's UTF-8 bytes in hex, as is any name
    starting with ``~``, so every feature has fields and no two share them.
    """
    if indexable_name(name) and not name.startswith("~"):
        return name
    return "~" + name.encode("utf-8", "surrogatepass").hex()


def keyword_fits(text: str) -> bool:
    """Whether a keyword field indexes ``text`` (Lucene counts UTF-16 units against ``ignore_above``)."""
    return len(text) <= KEYWORD_LIMIT and (text.isascii() or len(text.encode("utf-16-le")) <= 2 * KEYWORD_LIMIT)


def error_text(value: object) -> str | None:
    """An error's type or message as counted: its first :data:`ERROR_TEXT_KEEP` characters; None if not text."""
    return value[:ERROR_TEXT_KEEP] if isinstance(value, str) else None

__all__ = [
    "LAYOUT_VERSION",
    "VALUE_TYPES",
    "JSON_TYPES",
    "VALUES_FIELD",
    "TYPES_FIELD",
    "PREDICTION_VALUE_FIELD",
    "PREDICTION_TYPE_FIELD",
    "value_field",
    "types_field",
    "ERROR_PRESENT_FIELD",
    "ERROR_TYPE_FIELD",
    "ERROR_MESSAGE_FIELD",
    "KEYWORD_LIMIT",
    "ERROR_TEXT_KEEP",
    "keyword_fits",
    "indexable_name",
    "field_key",
    "token_field",
    "error_text",
    "TOKENS_FIELD",
    "LENGTH_FIELD",
    "CHARS_FIELD",
    "DEFAULT_PREFIX",
    "check_prefix",
    "requests_index",
    "requests_pattern",
    "findings_index",
    "metrics_index",
    "FINDING_FIELDS",
    "METRIC_FIELDS",
]


def value_field(json_type: str, feature: str | None) -> str:
    """The field holding a feature's values of one JSON type; ``feature=None`` for the prediction."""
    if feature is None:
        return f"{PREDICTION_VALUE_FIELD}.{json_type}"
    return f"{VALUES_FIELD}.{json_type}.{feature if feature == '*' else field_key(feature)}"


def token_field(container: str, feature: str) -> str:
    """A text feature's ship-time field in ``container`` (``tokens``, ``text_tokens``, ``text_chars``)."""
    return f"{container}.{field_key(feature)}"


def types_field(json_type: str) -> str:
    """The keyword list of the features whose value has ``json_type``."""
    return f"{TYPES_FIELD}.{json_type}"


def requests_index(moment: _dt.datetime | str, prefix: str = DEFAULT_PREFIX) -> str:
    """Daily requests index for a record's timestamp (datetime or the record's ISO string)."""
    day = f"{moment[0:4]}.{moment[5:7]}.{moment[8:10]}" if isinstance(moment, str) else moment.strftime("%Y.%m.%d")
    return f"{prefix}-requests-{day}"


def requests_pattern(prefix: str = DEFAULT_PREFIX) -> str:
    """Index pattern covering every daily requests index."""
    return f"{prefix}-requests-*"


def findings_index(prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}-findings"


def metrics_index(prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}-metrics"


#: Fields of a findings document and their Elasticsearch types: every field
#: :func:`featurewatch.findings.documents.window_documents` writes is mapped here
#: (a test checks), so none is mapped by its first value. ``@timestamp``
#: is the window end; ``baseline``/``observed`` are rendered as short text for
#: the table, their numbers in ``baseline_value``/``observed_value``.
FINDING_FIELDS: Mapping[str, str] = MappingProxyType({
    "@timestamp": "date",
    "model": "keyword",
    "window.start": "date",
    "window.end": "date",
    "check": "keyword",
    "feature": "keyword",
    "severity": "keyword",
    "severity_rank": "integer",
    "statistic": "double",
    "threshold": "double",
    "p_value": "double",
    "baseline": "keyword",
    "observed": "keyword",
    "message": "text",
    # What the statistic measures, and the numbers behind the baseline/observed texts.
    "effect": "keyword",
    "baseline_value": "double",
    "observed_value": "double",
    # What the window was compared with: training (the baseline) or recent (--reference-window).
    "reference": "keyword",
    # Evidence of new categories and unseen tokens: the most frequent new values and how many there were.
    "new_values.value": "keyword",
    "new_values.count": "long",
    "new_distinct": "long",
    # Evidence of type violations: the most frequent values (none for objects/arrays), their JSON types, counts.
    "examples.value": "keyword",
    "examples.type": "keyword",
    "examples.count": "long",
    # Alert state (featurewatch.findings.documents): new / ongoing / resolved, and since when.
    "alert": "keyword",
    "since": "date",
    "notified": "date",
})

#: Fields of a metrics document: one per (model, window, feature); every one is mapped here (a test checks).
METRIC_FIELDS: Mapping[str, str] = MappingProxyType({
    "@timestamp": "date",
    "model": "keyword",
    "window.start": "date",
    "window.end": "date",
    "feature": "keyword",
    "records": "long",
    "present_rate": "double",
    "null_rate": "double",
    "baseline_null_rate": "double",
    "unseen_category_rate": "double",
    "baseline_unseen_category_rate": "double",
    "unseen_token_rate": "double",
    "baseline_unseen_token_rate": "double",
    "drift_score": "double",
    "type_violation_rate": "double",
})
