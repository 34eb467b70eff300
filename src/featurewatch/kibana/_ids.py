"""Stable saved-object ids: the same model and object name always give the same id.

Ids are UUID version 5 under a fixed featurewatch namespace, so re-importing a
regenerated file overwrites the objects it created before instead of adding
copies, and two people generating the file for the same model get the same ids.
"""

from __future__ import annotations

import uuid

__all__ = ["NAMESPACE", "stable_id", "model_object_id", "shared_object_id"]

#: Never change this: every id featurewatch has ever generated depends on it.
NAMESPACE = uuid.UUID("5f0c2a8e-6b1d-5e7a-9c4f-2d8b1e6a7f30")


def stable_id(*parts: str) -> str:
    """UUIDv5 of ``parts`` joined with a separator no name contains."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(parts)))


def model_object_id(model: str, name: str) -> str:
    """Id of an object that belongs to one model (a visualization, a dashboard, a search)."""
    return stable_id("model", model, name)


def shared_object_id(prefix: str, name: str) -> str:
    """Id of an object every model shares (the data views of one index prefix).

    Data views are keyed by the index prefix, not the model: the files of two
    models then carry the same data views, and importing both gives one data
    view per index pattern instead of one per model.
    """
    return stable_id("shared", prefix, name)
