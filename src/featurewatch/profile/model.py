"""The window profile: the counts of one time window that every detector needs.

A :class:`WindowProfile` holds **counts only** and is mergeable (``a.merge(b)``
is the profile of both parts), so a source can stream records in chunks, and
an Elasticsearch source can fill it from aggregations. The counting rules
every source follows for every feature:

* ``records`` — records of the baseline's model with ``@timestamp`` in
  ``[start, end)``.
* ``versions`` — records per ``model_version`` (a missing version counts under
  ``"(none)"``).
* per feature (the name in the record's ``features``):
  ``present`` = records whose ``features_present`` lists it; ``nulls`` =
  records whose ``features_null`` lists it.
* the prediction (feature name ``"prediction"``): ``present`` = ``records``;
  ``nulls`` = records where the ``prediction`` field is null or missing.

What a type violation is, and the kind-specific counts (numeric bins,
categories, tokens), are each kind's rules, in :mod:`featurewatch.kinds`.
``unseen`` and ``unseen_token_examples`` keep at most :data:`UNSEEN_KEEP`
examples (after a merge the kept list is approximate, like a ``terms``
aggregation, while the totals stay exact).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

__all__ = ["UNSEEN_KEEP", "ERRORS_KEEP", "KEEP_WHILE_COUNTING", "FeatureProfile", "WindowProfile",
           "top_counts", "top_violations"]

#: Unseen categories / tokens (and new feature names) kept with their counts.
UNSEEN_KEEP = 100
#: Distinct errors kept with their counts.
ERRORS_KEEP = 10
#: Examples (unseen categories and tokens, type violations, new features, errors) kept while chunks
#: are counted and merged; a finished profile keeps UNSEEN_KEEP / ERRORS_KEEP
#: (:meth:`WindowProfile.finish`), so a count cut short in one chunk's list does not show.
KEEP_WHILE_COUNTING = 20 * UNSEEN_KEEP


def top_violations(counts: Mapping[str, int], keep: int = UNSEEN_KEEP) -> dict[str, int]:
    """:func:`top_counts` of type-violation examples (``"<json type>:<key>"``, or the type alone).

    Ties are broken as a ``terms`` aggregation breaks them within one type
    (numbers by value, text by code point), so the kept examples are the
    same whether the window was counted locally or by Elasticsearch.
    """
    if len(counts) <= keep:
        return dict(counts)

    def order(item: tuple[str, int]) -> tuple[int, str, float, str]:
        kind, _, key = item[0].partition(":")
        return (-item[1], kind, float(key) if kind == "number" else 0.0, key)
    return dict(sorted(counts.items(), key=order)[:keep])


def top_counts(counts: Mapping[str, int], keep: int = UNSEEN_KEEP) -> dict[str, int]:
    """The ``keep`` largest counts, ties broken by key (deterministic)."""
    if len(counts) <= keep:
        return dict(counts)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:keep])


def _add(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    out = dict(a)
    for key, value in b.items():
        out[key] = out.get(key, 0) + value
    return out


def _low(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return b if a is None else a
    return min(a, b)


def _high(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return b if a is None else a
    return max(a, b)


def _add_bins(a: list[int], b: list[int]) -> list[int]:
    if a and b and len(a) != len(b):
        raise ValueError("cannot merge profiles built on different bin edges")
    return [x + y for x, y in zip(a, b)] if a and b else list(a or b)


@dataclasses.dataclass
class FeatureProfile:
    """Counts of one feature (or the prediction) in a window; see the module docstring."""

    present: int = 0
    nulls: int = 0
    violations: int = 0
    categories: dict[str, int] = dataclasses.field(default_factory=dict)
    unseen: dict[str, int] = dataclasses.field(default_factory=dict)
    unseen_total: int = 0
    bins: list[int] = dataclasses.field(default_factory=list)
    minimum: float | None = None
    maximum: float | None = None
    total: float = 0.0
    tokens: int = 0
    unseen_tokens: int = 0
    unseen_token_examples: dict[str, int] = dataclasses.field(default_factory=dict)
    #: Text: records per bin of tokens per record, and of characters per record, on the schema's edges.
    length_bins: list[int] = dataclasses.field(default_factory=list)
    char_bins: list[int] = dataclasses.field(default_factory=list)
    #: Text: records containing each of the vocabulary's most frequent tokens (the mix of known tokens).
    known_tokens: dict[str, int] = dataclasses.field(default_factory=dict)
    #: The most frequent type violations: ``"string:12.5"``, ``"number:7"``, ``"boolean:true"``, or
    #: ``"object"``/``"array"`` (:func:`featurewatch.kinds.violation_key`), with their counts.
    violation_examples: dict[str, int] = dataclasses.field(default_factory=dict)

    @property
    def values(self) -> int:
        """Present, non-null values."""
        return self.present - self.nulls

    @property
    def numbers(self) -> int:
        """Numeric values counted in ``bins``."""
        return sum(self.bins)

    @property
    def mean(self) -> float | None:
        count = self.numbers
        return self.total / count if count else None

    def merge(self, other: FeatureProfile) -> FeatureProfile:
        """The counts of both (a new object; neither input changes)."""
        return FeatureProfile(
            present=self.present + other.present,
            nulls=self.nulls + other.nulls,
            violations=self.violations + other.violations,
            categories=_add(self.categories, other.categories),
            unseen=top_counts(_add(self.unseen, other.unseen), KEEP_WHILE_COUNTING),
            unseen_total=self.unseen_total + other.unseen_total,
            bins=_add_bins(self.bins, other.bins),
            minimum=_low(self.minimum, other.minimum),
            maximum=_high(self.maximum, other.maximum),
            total=self.total + other.total,
            tokens=self.tokens + other.tokens,
            unseen_tokens=self.unseen_tokens + other.unseen_tokens,
            unseen_token_examples=top_counts(_add(self.unseen_token_examples, other.unseen_token_examples),
                                             KEEP_WHILE_COUNTING),
            length_bins=_add_bins(self.length_bins, other.length_bins),
            char_bins=_add_bins(self.char_bins, other.char_bins),
            known_tokens=_add(self.known_tokens, other.known_tokens),
            violation_examples=top_violations(_add(self.violation_examples, other.violation_examples),
                                              KEEP_WHILE_COUNTING),
        )

    def finish(self) -> None:
        """Called once a window is counted: keep the examples a ``terms`` aggregation would return."""
        self.unseen = top_counts(self.unseen)
        self.unseen_token_examples = top_counts(self.unseen_token_examples)
        self.violation_examples = top_violations(self.violation_examples)


@dataclasses.dataclass
class WindowProfile:
    """Everything detectors know about a window: counts per feature, versions, records."""

    model: str
    start: str
    end: str
    records: int = 0
    features: dict[str, FeatureProfile] = dataclasses.field(default_factory=dict)
    versions: dict[str, int] = dataclasses.field(default_factory=dict)
    #: Lines in the window's files that are not records (not JSON, not an object, malformed lists).
    unreadable: int = 0
    #: Files of the window that could not be read (permissions, I/O errors, unsupported compression).
    unreadable_files: list[str] = dataclasses.field(default_factory=list)
    #: Records listing a feature the baseline does not know, by feature name (the most frequent kept).
    new_features: dict[str, int] = dataclasses.field(default_factory=dict)
    #: Records that carry an ``error`` (the model call failed).
    errors: int = 0
    #: The most frequent error types and messages, with their counts.
    error_types: dict[str, int] = dataclasses.field(default_factory=dict)
    error_messages: dict[str, int] = dataclasses.field(default_factory=dict)
    #: Records of *other* models in the window (local files only: a hint when the baseline is the wrong one).
    other_models: dict[str, int] = dataclasses.field(default_factory=dict)

    def feature(self, name: str) -> FeatureProfile:
        """The counts of ``name`` (an empty profile when the window never saw it)."""
        return self.features.get(name) or FeatureProfile()

    def merge(self, other: WindowProfile) -> WindowProfile:
        """The profile of both windows' records (a new object)."""
        names = list(self.features) + [n for n in other.features if n not in self.features]
        return WindowProfile(
            model=self.model, start=self.start, end=self.end,
            records=self.records + other.records,
            features={n: self.feature(n).merge(other.feature(n)) for n in names},
            versions=_add(self.versions, other.versions),
            unreadable=self.unreadable + other.unreadable,
            unreadable_files=self.unreadable_files + [f for f in other.unreadable_files
                                                      if f not in self.unreadable_files],
            new_features=top_counts(_add(self.new_features, other.new_features), KEEP_WHILE_COUNTING),
            errors=self.errors + other.errors,
            error_types=top_counts(_add(self.error_types, other.error_types), KEEP_WHILE_COUNTING),
            error_messages=top_counts(_add(self.error_messages, other.error_messages), KEEP_WHILE_COUNTING),
            other_models=top_counts(_add(self.other_models, other.other_models)),
        )

    def finish(self) -> None:
        """Called once a window is counted from chunks: keep the examples a ``terms`` aggregation would return."""
        for counts in self.features.values():
            counts.finish()
        self.new_features = top_counts(self.new_features)
        self.error_types = top_counts(self.error_types, ERRORS_KEEP)
        self.error_messages = top_counts(self.error_messages, ERRORS_KEEP)

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-able form (for debugging and parity tests; ``other_models`` is a local hint, left out)."""
        def clean(value: object) -> object:
            return None if isinstance(value, float) and not math.isfinite(value) else value
        return {"model": self.model, "start": self.start, "end": self.end, "records": self.records,
                "versions": dict(sorted(self.versions.items())), "unreadable": self.unreadable,
                "unreadable_files": sorted(self.unreadable_files),
                "new_features": dict(sorted(self.new_features.items())),
                "errors": self.errors, "error_types": dict(sorted(self.error_types.items())),
                "error_messages": dict(sorted(self.error_messages.items())),
                "features": {n: {k: clean(v) for k, v in dataclasses.asdict(f).items()}
                             for n, f in sorted(self.features.items())}}
