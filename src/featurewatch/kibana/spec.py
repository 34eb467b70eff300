"""What the Kibana objects are generated from: a model name and its features' kinds.

Two sources: a baseline file (``featurewatch baseline build``) or the demo
model of :mod:`featurewatch.demo.data`. The baseline reader is an adapter over
the likely baseline shape; it only needs the model name and each feature's kind.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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


def _features_from_baseline(doc: Mapping[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """``(model, [(feature, kind), ...])`` from a parsed baseline document.

    Tolerates the shapes a baseline is likely to have: a top-level ``model``
    (a string, or an object with a ``name``) and ``features`` as either a
    mapping ``{name: {"kind": ...}}`` or a list of ``{"name": ..., "kind": ...}``.
    """
    if not isinstance(doc, Mapping):
        raise BaselineError("a baseline must be a JSON object")
    model = doc.get("model")
    if isinstance(model, Mapping):
        model = model.get("name")
    if not isinstance(model, str) or not model:
        raise BaselineError("the baseline has no 'model' name")
    raw = doc.get("features")
    items: list[tuple[str, Any]]
    if isinstance(raw, Mapping):
        items = [(str(name), body) for name, body in raw.items()]
    elif isinstance(raw, list):
        items = []
        for body in raw:
            if not isinstance(body, Mapping) or not isinstance(body.get("name"), str):
                raise BaselineError("each item of the baseline's 'features' list needs a 'name'")
            items.append((body["name"], body))
    else:
        raise BaselineError("the baseline has no 'features' mapping or list")
    features = []
    for name, body in items:
        kind = body.get("kind") if isinstance(body, Mapping) else None
        if not isinstance(kind, str):
            raise BaselineError(f"feature {name!r} of the baseline has no 'kind'")
        features.append((name, kind))
    return model, features


def spec_from_baseline(doc: Mapping[str, Any]) -> ModelSpec:
    """The :class:`ModelSpec` of a parsed baseline document."""
    model, features = _features_from_baseline(doc)
    return ModelSpec(model, tuple(Feature(name, kind) for name, kind in features))


def spec_from_baseline_file(path: str | Path) -> ModelSpec:
    """Read a baseline JSON file into a :class:`ModelSpec`."""
    file = Path(path)
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline file not found: {file}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"cannot read baseline {file}: {exc}") from None
    return spec_from_baseline(doc)


#: Demo columns whose kind is not plain from their dtype.
_DEMO_KINDS = {"applicant_id": "identifier", "application_note": "text"}


def spec_from_demo() -> ModelSpec:
    """The demo credit model: its features and their kinds, from its training data."""
    from ..demo import data

    frame = data.training_frame(n=50).drop(columns=["score"])
    features = []
    for name in frame.columns:
        dtype = frame[name].dtype
        if name in _DEMO_KINDS:
            kind = _DEMO_KINDS[name]
        elif dtype.kind == "b":
            kind = "boolean"
        elif dtype.kind in "iuf":
            kind = "numeric"
        else:
            kind = "categorical"
        features.append(Feature(str(name), kind))
    return ModelSpec(data.MODEL, tuple(features))
