"""What a feature kind is: one object that learns from training data, counts a
window (locally and in Elasticsearch), and names the checks and metrics that
apply to it.

Each method is the one home of a rule. The local counting rule
(:meth:`Kind.count_arrow`, :meth:`Kind.count_values`) and the Elasticsearch
aggregation that counts the same thing (:meth:`Kind.aggregations`,
:meth:`Kind.parse`) sit next to each other in the kind's module, so parity can
be read by eye (and is tested per kind and source).

Arrow is imported inside the Arrow methods only: the shipper and the
Elasticsearch path use kinds without loading pyarrow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..baseline.model import FeatureBaseline
from ..detect.check import Check, CheckInput
from ..es import layout
from ..keys import category_key
from ..profile.model import KEEP_WHILE_COUNTING, FeatureProfile, top_violations
from ..values import SCALAR_TYPES, json_type

if TYPE_CHECKING:
    from typing import TypeAlias

    import numpy as np
    import pyarrow as pa

    #: A column's non-null values (:func:`~featurewatch.profile.frame.non_null_values`):
    #: a float array for numeric dtypes, Python values otherwise.
    Values: TypeAlias = Sequence[Any] | np.ndarray

__all__ = ["Kind", "learn_types", "typed_key", "scalar_types", "violation_key", "count_violations",
           "typed_keys"]

SCALAR_TYPES_SET = frozenset(SCALAR_TYPES)


def learn_types(values: Values) -> list[str]:
    """The scalar JSON types among training values (what a category-like feature accepts)."""
    return sorted({t for t in map(json_type, values) if t in SCALAR_TYPES})


def scalar_types(feature: FeatureBaseline) -> frozenset[str]:
    """The JSON types :func:`typed_key` gives a key: the training types, or any scalar for older baselines."""
    return frozenset(feature.types) if feature.types else SCALAR_TYPES_SET


def violation_key(feature: FeatureBaseline, value: Any) -> str | None:
    """How a type violation is named among the examples: ``"string:12.5"``, ``"object"``.

    None for a string over the keyword limit, which Elasticsearch does not
    index: it still counts as a violation, only without an example, on both
    sources alike.
    """
    kind = json_type(value)
    if kind not in SCALAR_TYPES_SET:
        return kind
    if kind == "string" and not layout.keyword_fits(value):
        return None
    return f"{kind}:{category_key(value)}"


def count_violations(target: FeatureProfile, feature: FeatureBaseline, values: Iterable[Any]) -> None:
    """Count ``values`` (all type violations) and keep the most frequent as examples."""
    examples = dict(target.violation_examples)
    for value in values:
        target.violations += 1
        key = violation_key(feature, value)
        if key is not None:
            examples[key] = examples.get(key, 0) + 1
    target.violation_examples = top_violations(examples, KEEP_WHILE_COUNTING)


def typed_keys(feature: FeatureBaseline, values: Iterable[Any]) -> tuple[list[str], list[Any]]:
    """``(keys, violations)``: the :func:`typed_key` of each value, and the values that have none."""
    keys: list[str] = []
    wrong: list[Any] = []
    for value in values:
        key = typed_key(feature, value)
        if key is None:
            wrong.append(value)
        else:
            keys.append(key)
    return keys, wrong


def typed_key(feature: FeatureBaseline, value: Any) -> str | None:
    """The category key of ``value``, or None when it is a type violation for ``feature``.

    Objects and arrays are always violations; so is a scalar whose JSON type
    training never had (``"true"`` in a boolean, ``7`` where training had only
    strings), unless the baseline predates learnt types.
    """
    if feature.types and json_type(value) not in feature.types:
        return None
    return category_key(value)


class Kind:
    """The rules of one kind. Subclasses override what applies to them; the defaults do nothing."""

    #: The kind's name in baselines and findings.
    name: str = ""
    #: Every check that applies to features of this kind, in report order.
    checks: tuple[Check, ...] = ()

    # --- learning from training data ---------------------------------------------------------

    def learn(self, feature: FeatureBaseline, values: Values) -> None:
        """Fill ``feature``'s schema fields from its present, non-null training values."""

    # --- counting a window locally -----------------------------------------------------------

    def empty(self, feature: FeatureBaseline) -> FeatureProfile:
        """Zero counts shaped for this feature (numeric bins sized to the edges)."""
        return FeatureProfile()

    def arrow_type(self, feature: FeatureBaseline) -> pa.DataType | None:
        """The type Arrow's JSON reader parses values as; None when values are not read at all."""
        return None

    def count_arrow(self, target: FeatureProfile, feature: FeatureBaseline, values: pa.Array) -> None:
        """Count non-null values Arrow parsed as :meth:`arrow_type` (none can be mistyped)."""

    def count_values(self, target: FeatureProfile, feature: FeatureBaseline, values: Values) -> None:
        """Count non-null values of any JSON type (parsed lines, DataFrame cells); mistyped ones are violations."""

    # --- counting a window in Elasticsearch ----------------------------------------------------

    def accepted_types(self, feature: FeatureBaseline) -> frozenset[str] | None:
        """The JSON types :meth:`count_values` counts; a value of any other is a type violation.

        None when values are not read at all (nothing is a violation). The
        Elasticsearch source counts violations by this rule from the
        ``types.<type>`` lists; locally :meth:`count_values` applies it.
        """
        return None

    def aggregations(self, feature: FeatureBaseline, field: Callable[[str], str], key: str) -> dict[str, Any]:
        """The aggregations (named ``key`` + suffix) that count what :meth:`count_values` counts.

        ``field(json_type)`` names the field holding the feature's values of
        that JSON type (``values.number.<name>``…): each mapped one way only.
        """
        return {}

    def parse(self, target: FeatureProfile, feature: FeatureBaseline, aggs: Mapping[str, Any], key: str) -> None:
        """Fill ``target`` from the answer to :meth:`aggregations` (``present``, ``nulls`` and
        ``violations`` already set)."""

    def buckets(self, feature: FeatureBaseline) -> int:
        """Buckets :meth:`aggregations` may return (to stay under ``search.max_buckets``)."""
        return 0

    # --- metrics ------------------------------------------------------------------------------

    def metrics(self, inp: CheckInput, effects: Mapping[str, float]) -> dict[str, float | None]:
        """Kind-specific metrics of a window; ``effects`` are what this run's checks measured, by check."""
        return {}
