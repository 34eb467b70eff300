"""Identifiers: values are neither read nor type-checked; only presence and nulls are watched."""

from __future__ import annotations

from kindtools import counted, learnt

from featurewatch.kinds import KINDS


def test_identifier_counts_nothing_but_presence():
    f = learnt("identifier", ["id-1", "id-2"])
    kind = KINDS["identifier"]
    assert counted(f, ["id-3", {"x": 1}, 5]).violations == 0
    assert kind.arrow_type(f) is None and kind.aggregations(f, lambda t: f"values.{t}.x", "f0") == {}
    assert kind.accepted_types(f) is None
    assert {c.name for c in kind.checks} == {"vanished_feature", "na_spike"}


def test_every_kind_is_in_the_mapping_under_its_own_name():
    assert tuple(KINDS) == ("numeric", "categorical", "boolean", "text", "identifier")
    assert all(kind.name == name for name, kind in KINDS.items())
