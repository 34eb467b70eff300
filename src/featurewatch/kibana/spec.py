"""What the Kibana objects are generated from: a model name and its features' kinds.

Two sources: a baseline (``featurewatch baseline build``) or the demo model,
whose kinds come from the same baseline builder the demo uses.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..baseline import Baseline, build_baseline, load_baseline
from ..errors import BaselineError

__all__ = ["KINDS", "Feature", "ModelSpec", "spec_from_baseline", "spec_from_baseline_file", "spec_from_demo"]

#: Feature kinds a baseline may declare.
KINDS = ("numeric", "categorical", "boolean", "text", "identifier")


@dataclasses.dataclass(frozen=True)
class Feature:
    """One input feature and its kind (one of :data:`KINDS`)."""

    name: str
    kind: str

    @property
    def field(self) -> str:
        """The field of the requests index that holds this feature."""
        return f"features.{self.name}"


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """A model and its features, in a stable order (sorted by name)."""

    model: str
    features: tuple[Feature, ...]

    def __post_init__(self) -> None:
        if not self.model:
            raise BaselineError("the baseline names no model")
        for feature in self.features:
            if feature.kind not in KINDS:
                raise BaselineError(f"feature {feature.name!r} has unknown kind {feature.kind!r} "
                                    f"(expected one of {', '.join(KINDS)})")
        object.__setattr__(self, "features", tuple(sorted(self.features, key=lambda f: f.name)))

    def of_kind(self, *kinds: str) -> list[Feature]:
        """The features whose kind is one of ``kinds``, by name."""
        return [f for f in self.features if f.kind in kinds]


def spec_from_baseline(baseline: Baseline) -> ModelSpec:
    """The :class:`ModelSpec` of a baseline: its model and its features' kinds."""
    return ModelSpec(baseline.model, tuple(Feature(f.name, f.kind) for f in baseline.features.values()))


def spec_from_baseline_file(path: str | Path) -> ModelSpec:
    """Read a baseline file (``featurewatch baseline build``) into a :class:`ModelSpec`."""
    return spec_from_baseline(load_baseline(path))


def spec_from_demo() -> ModelSpec:
    """The demo credit model, with the kinds its baseline infers from the demo training data."""
    from ..demo import data
    from ..demo.run import DEMO_OPTIONS

    return spec_from_baseline(build_baseline(data.training_frame(), DEMO_OPTIONS))
