"""Helpers for the kinds' tests: a feature of one kind learnt from values, and both local paths."""

from __future__ import annotations

import pyarrow as pa

from featurewatch.baseline.model import FeatureBaseline
from featurewatch.kinds import KINDS
from featurewatch.profile.model import FeatureProfile


def learnt(kind: str, values, name: str = "x") -> FeatureBaseline:
    """A feature of ``kind`` whose schema is learnt from ``values``."""
    feature = FeatureBaseline(name=name, kind=kind, records=len(values))
    KINDS[kind].learn(feature, values)
    return feature


def counted(feature: FeatureBaseline, values) -> FeatureProfile:
    """``values`` counted as Python values (the line path, DataFrame cells)."""
    target = KINDS[feature.kind].empty(feature)
    KINDS[feature.kind].count_values(target, feature, values)
    return target


def counted_arrow(feature: FeatureBaseline, values) -> FeatureProfile:
    """``values`` counted as the Arrow array the local reader would parse them into."""
    kind = KINDS[feature.kind]
    target = kind.empty(feature)
    kind.count_arrow(target, feature, pa.array(values, type=kind.arrow_type(feature)))
    return target
