"""Feature kinds: for each, what it learns from training, how it counts a window
locally and in Elasticsearch, and its checks and metrics (one module each).

Adding a kind is one module and one line in :data:`KINDS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..baseline.model import FeatureBaseline
from ..errors import BaselineError
from . import categorical, identifier, numeric, text
from ._kind import Kind

__all__ = ["KINDS", "Kind", "kind_of"]

#: Every kind by name (the ``kind`` of a baseline feature).
KINDS: Mapping[str, Kind] = MappingProxyType({
    numeric.KIND.name: numeric.KIND,
    categorical.KIND.name: categorical.KIND,
    categorical.BOOLEAN_KIND.name: categorical.BOOLEAN_KIND,
    text.KIND.name: text.KIND,
    identifier.KIND.name: identifier.KIND,
})


def kind_of(feature: FeatureBaseline) -> Kind:
    """The kind of ``feature``; BaselineError for a kind this featurewatch does not know."""
    try:
        return KINDS[feature.kind]
    except KeyError:
        raise BaselineError(f"feature {feature.name!r} has unknown kind {feature.kind!r} "
                            f"(known: {', '.join(KINDS)})") from None
