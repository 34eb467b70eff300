"""Names and document shapes of featurewatch's Elasticsearch indices.

Pure data, no client import: the shipper, the detection sinks and the Kibana
builders all take their index names and field names from here.

* **requests** — one document per logged record (the record format of
  :mod:`featurewatch.record`, unchanged, plus ``tokens.<feature>``, the
  distinct tokens of text features, added at ship time when a baseline is
  known), in daily indices named by the
  record's own date: ``<prefix>-requests-YYYY.MM.DD``. ``_id`` is
  :func:`featurewatch.record.document_id`.
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

__all__ = [
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
