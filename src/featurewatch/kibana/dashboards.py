"""The two dashboards of a model: an overview and an input-health dashboard.

Panels refer to their visualizations by reference (``panelRefName``) and the
dashboard's ``references`` carry the ids, named ``<panelIndex>:panel_<panelIndex>``
as Kibana writes them. Kibana does not check on import that these point to
existing objects, so the validator does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from ._ids import model_object_id, stable_id
from .ndjson import compact_json, reference, saved_object

__all__ = ["GRID_WIDTH", "Panel", "dashboard", "panel_reference_name", "grid", "bottom"]

GRID_WIDTH = 48
_OPTIONS = {"hidePanelTitles": False, "syncColors": False, "syncCursor": True, "syncTooltips": False,
            "useMargins": True}


@dataclasses.dataclass(frozen=True)
class Panel:
    """A panel showing the saved object ``key`` (``type``: ``lens`` or ``search``) at a grid cell."""

    key: str
    type: str
    x: int
    y: int
    w: int
    h: int


def panel_reference_name(panel_index: str) -> str:
    """Name of a dashboard's reference to the object shown in panel ``panel_index``."""
    return f"{panel_index}:panel_{panel_index}"


def dashboard(model: str, name: str, title: str, description: str, panels: Sequence[Panel],
              ids: Mapping[str, str], time_from: str, time_to: str = "now") -> dict[str, Any]:
    """A dashboard saved object; ``ids`` maps panel keys to saved-object ids."""
    dashboard_id = model_object_id(model, f"dashboard/{name}")
    entries: list[dict[str, Any]] = []
    references = []
    for panel in panels:
        if panel.x < 0 or panel.x + panel.w > GRID_WIDTH:
            raise ValueError(f"panel {panel.key} does not fit the {GRID_WIDTH}-column grid")
        index = stable_id(dashboard_id, "panel", panel.key)
        entries.append({
            "embeddableConfig": {"enhancements": {}},
            "gridData": {"h": panel.h, "i": index, "w": panel.w, "x": panel.x, "y": panel.y},
            "panelIndex": index,
            "panelRefName": f"panel_{index}",
            "type": panel.type,
        })
        references.append(reference(panel_reference_name(index), panel.type, ids[panel.key]))
    attributes = {
        "description": description,
        "kibanaSavedObjectMeta": {"searchSourceJSON": compact_json(
            {"filter": [], "query": {"language": "kuery", "query": ""}})},
        "optionsJSON": compact_json(_OPTIONS),
        "panelsJSON": compact_json(entries),
        "refreshInterval": {"pause": True, "value": 60000},
        "timeFrom": time_from,
        "timeRestore": True,
        "timeTo": time_to,
        "title": title,
        "version": 1,
    }
    return saved_object("dashboard", dashboard_id, attributes, references)


def grid(keys: Sequence[str], type_: str = "lens", *, top: int = 0, width: int = 24, height: int = 12) -> list[Panel]:
    """Lay ``keys`` out left to right, top to bottom, ``GRID_WIDTH // width`` per row."""
    per_row = GRID_WIDTH // width
    return [Panel(key, type_, (i % per_row) * width, top + (i // per_row) * height, width, height)
            for i, key in enumerate(keys)]


def bottom(panels: Sequence[Panel]) -> int:
    """First free grid row below ``panels``."""
    return max((p.y + p.h for p in panels), default=0)
