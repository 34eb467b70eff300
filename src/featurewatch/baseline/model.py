"""What a baseline holds: per feature, a *schema* learnt from the training data and
the training data's *reference profile*, counted on that schema by the same
code that counts a window (:mod:`featurewatch.kinds`).

The schema is what stays fixed for the baseline's life: bin edges, known
category keys, the vocabulary, and the Good–Turing figures that predict how
much novelty a window should bring. The reference profile is counts only
(:class:`featurewatch.profile.model.FeatureProfile`), so the two-sample tests
use the training sample size, and a recent window's profile can stand in for
it (``detect --reference-window``) through the same checks.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..profile.model import FeatureProfile, WindowProfile

__all__ = ["NUMERIC", "CATEGORICAL", "BOOLEAN", "TEXT", "IDENTIFIER", "FeatureBaseline", "Baseline", "PREDICTION"]

# Kind names (what :data:`featurewatch.kinds.KINDS` maps to implementations).
NUMERIC = "numeric"
CATEGORICAL = "categorical"
BOOLEAN = "boolean"
TEXT = "text"
IDENTIFIER = "identifier"
#: Name under which the prediction appears in findings and metrics (the record field).
PREDICTION = "prediction"


@dataclasses.dataclass
class FeatureBaseline:
    """One feature (or the prediction): its schema and its training counts.

    Schema fields belong to kinds: ``edges``/``std`` to numeric; ``known`` to
    categorical and boolean; ``vocabulary`` to text; ``distinct``/``singletons``
    (Good–Turing's N1) to categorical and text.
    """

    name: str
    kind: str
    #: Records of the reference (training rows, or logged records of a reference window).
    records: int
    #: The reference data counted on this schema, exactly as a window is counted.
    reference: FeatureProfile = dataclasses.field(default_factory=FeatureProfile)
    #: Numeric bin edges ``e1 < ... < ek``: bins ``(-inf, e1), [e1, e2), ..., [ek, inf)``; ``e1`` is the
    #: training minimum and ``ek`` the next float above the maximum, so the outer bins are out of range.
    edges: list[float] = dataclasses.field(default_factory=list)
    std: float | None = None
    #: Category keys the baseline knows (the most frequent, up to a cap), most frequent first.
    known: list[str] = dataclasses.field(default_factory=list)
    #: Token → training records containing it (the most frequent, up to a cap).
    vocabulary: dict[str, int] = dataclasses.field(default_factory=dict)
    #: Text: bin edges of tokens per record and of characters per record (as numeric ``edges``).
    length_edges: list[float] = dataclasses.field(default_factory=list)
    char_edges: list[float] = dataclasses.field(default_factory=list)
    #: Distinct values (categorical) or tokens (text) in training, including those beyond the cap.
    distinct: int = 0
    #: Values or tokens seen exactly once in training (Good–Turing's N1).
    singletons: int = 0
    #: JSON types of the training values (categorical, boolean, text); a value of another type is a type
    #: violation. Empty (baselines written before this field): any scalar is accepted.
    types: list[str] = dataclasses.field(default_factory=list)
    #: Why the feature has its kind: the inference rule that decided, or the option that set it
    #: (``baseline show``). Empty for baselines written before this field.
    reason: str = ""
    #: What looked wrong in the training data for this feature (an all-null column, values that are
    #: not numbers...), said by ``baseline build`` and kept for ``baseline show``.
    warnings: list[str] = dataclasses.field(default_factory=list)

    @property
    def present(self) -> int:
        return self.reference.present

    @property
    def nulls(self) -> int:
        return self.reference.nulls

    @property
    def violations(self) -> int:
        return self.reference.violations

    @property
    def values(self) -> int:
        """Present, not-null values."""
        return self.reference.values

    @property
    def present_rate(self) -> float:
        return self.present / self.records if self.records else 0.0

    @property
    def null_rate(self) -> float:
        """Nulls among present values."""
        return self.nulls / self.present if self.present else 0.0

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
    #: Columns left out on purpose (``--exclude``): never reported as new features.
    excluded: list[str] = dataclasses.field(default_factory=list)
    #: Reference records that carried an error (0 for training data).
    errors: int = 0

    def monitored(self) -> list[FeatureBaseline]:
        """Every feature, then the prediction if the baseline has one."""
        items = list(self.features.values())
        if self.prediction is not None:
            items.append(self.prediction)
        return items

    def reference_profile(self) -> WindowProfile:
        """The training data as a window profile (what checks compare a window with by default)."""
        return WindowProfile(model=self.model, start="", end="", records=self.rows,
                             features={f.name: f.reference for f in self.monitored()},
                             versions={}, errors=self.errors)

    def known_names(self) -> set[str]:
        """Feature names the baseline expects or was told to ignore (anything else is a new feature)."""
        return set(self.features) | set(self.excluded)
