"""What the Kibana objects are generated from: a model name and its features' kinds.

Built from a baseline (``featurewatch baseline build``); the demo model's spec
is :func:`featurewatch.demo.run.demo_spec` (Kibana objects do not depend on the demo).

Charts read a feature from the field of the requests index that holds its
values in the type-stable layout (:mod:`featurewatch.es.layout`):
``values.<json type>.<feature>`` (``prediction_value.<json type>`` for the
prediction). ``features`` and ``prediction`` themselves are kept in
``_source`` only, not indexed, so no chart can aggregate them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BaselineError
from ..es import layout

if TYPE_CHECKING:
    from ..baseline import Baseline, FeatureBaseline

__all__ = ["KINDS", "Feature", "ModelSpec", "value_type", "spec_from_baseline", "spec_from_baseline_file"]

#: Feature kinds a baseline may declare.
KINDS = ("numeric", "categorical", "boolean", "text", "identifier")

#: Lens ``dataType`` of the field each JSON type's values are indexed in (double, keyword, boolean).
_LENS_DATA_TYPES = {"number": "number", "string": "string", "boolean": "boolean"}


def value_type(kind: str, types: tuple[str, ...] | list[str] = ()) -> str:
    """The JSON type whose ``values.<type>`` field charts read a feature of ``kind`` from.

    Numeric features are numbers and boolean ones booleans; text and
    identifiers are strings. A categorical feature is read from the field of
    its training JSON type (the baseline's ``types``): strings when training
    saw strings or the baseline predates ``types``, else numbers, else booleans.
    """
    if kind == "numeric":
        return "number"
    if kind == "boolean":
        return "boolean"
    if kind == "categorical" and types and "string" not in types:
        if "number" in types:
            return "number"
        if "boolean" in types:
            return "boolean"
    return "string"


@dataclasses.dataclass(frozen=True)
class Feature:
    """One input feature (or the prediction), its kind (one of :data:`KINDS`) and its training JSON types."""

    name: str
    kind: str
    #: JSON types of the training values (the baseline's ``types``): which field a categorical feature is read from.
    types: tuple[str, ...] = ()
    #: The model's prediction rather than an input feature: its values are in ``prediction_value.<type>``.
    prediction: bool = False

    @property
    def value_type(self) -> str:
        """The JSON type whose field holds this feature's values (:func:`value_type`)."""
        return value_type(self.kind, self.types)

    @property
    def field(self) -> str:
        """The field of the requests index that holds this feature's values (type-stable layout)."""
        return layout.value_field(self.value_type, None if self.prediction else self.name)

    @property
    def data_type(self) -> str:
        """The Lens ``dataType`` of :attr:`field`."""
        return _LENS_DATA_TYPES[self.value_type]


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """A model and its features, in a stable order (sorted by name)."""

    model: str
    features: tuple[Feature, ...]
    #: The prediction, if the baseline monitors it (``Feature.prediction`` set).
    prediction: Feature | None = None

    def __post_init__(self) -> None:
        if not self.model:
            raise BaselineError("the baseline names no model")
        if self.prediction is not None and not self.prediction.prediction:
            object.__setattr__(self, "prediction", dataclasses.replace(self.prediction, prediction=True))
        for feature in (*self.features, *([self.prediction] if self.prediction is not None else [])):
            if feature.kind not in KINDS:
                raise BaselineError(f"feature {feature.name!r} has unknown kind {feature.kind!r} "
                                    f"(expected one of {', '.join(KINDS)})")
        object.__setattr__(self, "features", tuple(sorted(self.features, key=lambda f: f.name)))

    def of_kind(self, *kinds: str) -> list[Feature]:
        """The features whose kind is one of ``kinds``, by name."""
        return [f for f in self.features if f.kind in kinds]


def _feature(baseline: FeatureBaseline, *, prediction: bool = False) -> Feature:
    return Feature(baseline.name, baseline.kind, tuple(baseline.types), prediction=prediction)


def spec_from_baseline(baseline: Baseline) -> ModelSpec:
    """The :class:`ModelSpec` of a baseline: its model, its features' kinds and training types, its prediction."""
    prediction = None if baseline.prediction is None else _feature(baseline.prediction, prediction=True)
    return ModelSpec(baseline.model, tuple(_feature(f) for f in baseline.features.values()), prediction)


def spec_from_baseline_file(path: str | Path) -> ModelSpec:
    """Read a baseline file (``featurewatch baseline build``) into a :class:`ModelSpec`."""
    from ..baseline import load_baseline

    return spec_from_baseline(load_baseline(path))
