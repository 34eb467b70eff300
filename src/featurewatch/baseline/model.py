"""What a baseline holds: per feature, the training counts the detectors compare with.

Everything is stored as *counts* (rates are derived), so the two-sample tests
can use the training sample size, and the JSON stays exact.
"""

from __future__ import annotations

import dataclasses
from typing import Any

__all__ = ["NUMERIC", "CATEGORICAL", "BOOLEAN", "TEXT", "IDENTIFIER", "KINDS", "KEYED_KINDS",
           "NumericSummary", "CategorySummary", "TextSummary", "FeatureBaseline", "Baseline",
           "PREDICTION"]

NUMERIC = "numeric"
CATEGORICAL = "categorical"
BOOLEAN = "boolean"
TEXT = "text"
IDENTIFIER = "identifier"
KINDS = (NUMERIC, CATEGORICAL, BOOLEAN, TEXT, IDENTIFIER)
#: Kinds whose values are counted as category keys (see :mod:`featurewatch.keys`).
KEYED_KINDS = (CATEGORICAL, BOOLEAN)
#: Name under which the prediction appears in findings and metrics (the record field).
PREDICTION = "prediction"


@dataclasses.dataclass
class NumericSummary:
    """Bin edges and training counts of a numeric feature.

    ``edges`` ``e1 < ... < ek`` define ``k + 1`` bins ``(-inf, e1), [e1, e2), ...,
    [ek, inf)`` (lower edge inclusive, as Elasticsearch's ``range`` aggregation
    counts). ``e1`` is the training minimum and ``ek`` the next float above the
    training maximum, so the first and last bins hold exactly the out-of-range values.
    """

    edges: list[float]
    counts: list[int]
    count: int
    min: float | None
    max: float | None
    mean: float | None
    std: float | None


@dataclasses.dataclass
class CategorySummary:
    """Category counts (the most frequent ``cap``) plus the mass of the rest."""

    counts: dict[str, int]
    #: Values whose category is not in ``counts`` (beyond the cap).
    other_count: int
    #: Non-null values counted.
    total: int
    #: Distinct categories seen in training (including those beyond the cap).
    distinct: int
    #: Categories seen exactly once (Good–Turing's N1).
    singletons: int

    @property
    def expected_new_rate(self) -> float:
        """Share of values a window should hold that are not in ``counts``.

        Good–Turing: the chance the next value is one never seen is N1/N; values
        seen in training but beyond the cap are also new to the baseline.
        """
        if self.total == 0:
            return 0.0
        return min(1.0, (self.singletons + self.other_count) / self.total)

    @property
    def expected_new_count(self) -> int:
        """``expected_new_rate`` as a count out of ``total`` (for two-sample tests)."""
        return min(self.total, self.singletons + self.other_count)


@dataclasses.dataclass
class TextSummary:
    """Vocabulary of a text feature, counted by distinct tokens per record."""

    #: Token → number of training records containing it (the most frequent ``cap``).
    vocabulary: dict[str, int]
    #: Token occurrences (distinct per record) of tokens beyond the cap.
    other_count: int
    #: Token occurrences (distinct per record) in all training values.
    tokens: int
    #: Distinct tokens in training.
    distinct: int
    #: Tokens occurring in exactly one training record (Good–Turing's N1).
    singletons: int
    #: Non-null text values counted.
    values: int

    @property
    def expected_unseen_rate(self) -> float:
        """Share of a window's tokens expected to be outside the vocabulary (Good–Turing)."""
        if self.tokens == 0:
            return 0.0
        return min(1.0, (self.singletons + self.other_count) / self.tokens)

    @property
    def expected_unseen_count(self) -> int:
        return min(self.tokens, self.singletons + self.other_count)


@dataclasses.dataclass
class FeatureBaseline:
    """One feature (or the prediction) as seen in training."""

    name: str
    kind: str
    #: Records considered (training rows, or logged records of a reference window).
    records: int
    #: Records in which the feature was present (key not missing).
    present: int
    #: Present but null (None/NaN/inf).
    nulls: int
    #: Present, not null, but of a JSON type the kind does not accept.
    violations: int = 0
    numeric: NumericSummary | None = None
    categories: CategorySummary | None = None
    text: TextSummary | None = None

    @property
    def present_rate(self) -> float:
        return self.present / self.records if self.records else 0.0

    @property
    def null_rate(self) -> float:
        """Nulls among present values."""
        return self.nulls / self.present if self.present else 0.0

    @property
    def values(self) -> int:
        """Present, not-null values."""
        return self.present - self.nulls

    @property
    def violation_rate(self) -> float:
        return self.violations / self.values if self.values else 0.0


@dataclasses.dataclass
class Baseline:
    """A model's training-data summary: what ``detect`` compares windows with."""

    model: str
    features: dict[str, FeatureBaseline]
    rows: int
    #: Model versions the window may contain; empty means "any".
    versions: list[str] = dataclasses.field(default_factory=list)
    prediction: FeatureBaseline | None = None
    created: str = ""
    source: dict[str, Any] = dataclasses.field(default_factory=dict)

    def monitored(self) -> list[FeatureBaseline]:
        """Every feature, then the prediction if the baseline has one."""
        items = list(self.features.values())
        if self.prediction is not None:
            items.append(self.prediction)
        return items
