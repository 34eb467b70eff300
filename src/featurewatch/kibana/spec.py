"""What the Kibana objects are generated from: a model name and its features' kinds.

Built from a baseline (``featurewatch baseline build``); the demo model's spec
is :func:`featurewatch.demo.run.demo_spec` (Kibana objects do not depend on the demo).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BaselineError

if TYPE_CHECKING:
    from ..baseline import Baseline

__all__ = ["KINDS", "Feature", "ModelSpec", "spec_from_baseline", "spec_from_baseline_file"]

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
    from ..baseline import load_baseline

    return spec_from_baseline(load_baseline(path))
