"""All saved objects of one model, in a stable order, and the file that holds them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import BackendError, FeaturewatchError
from ..es import layout
from .dashboards import Panel, bottom, dashboard, grid
from .dataviews import DataViews, data_views, raw_requests_search
from .mappings import contract_mappings
from .ndjson import render
from .spec import ModelSpec
from .validate import validate
from .visualizations import visualizations

__all__ = ["build_objects", "build_ndjson", "write_ndjson", "OVERVIEW_TIME", "INPUT_HEALTH_TIME"]

#: Default time ranges the dashboards open with (``timeRestore``): traffic and
#: findings are read over a week, input health over the last day.
OVERVIEW_TIME = "now-7d"
INPUT_HEALTH_TIME = "now-24h"


def _overview_panels(keys: set[str]) -> list[Panel]:
    # Alerts first: what is firing now, and incidents starting, lasting and ending over time.
    panels = grid(["alert-status", "alerts-over-time", "requests-by-version", "latency-percentiles",
                   "findings-over-time", "drift-score"])
    panels = [p for p in panels if p.key in keys]
    panels.append(Panel("latest-findings", "lens", 0, bottom(panels), 48, 15))
    panels.append(Panel("raw-requests", "search", 0, bottom(panels), 48, 15))
    return panels


def _input_health_panels(keys: list[str]) -> list[Panel]:
    rates = [k for k in ("present-rate", "null-rate", "unseen-category-share", "unseen-token-rate", "drift-score")
             if k in keys]
    panels = grid(rates)
    mixes = [k for k in keys if k.startswith("category-mix/")]
    panels += grid(mixes, top=bottom(panels))
    return panels


def build_objects(spec: ModelSpec, prefix: str = layout.DEFAULT_PREFIX) -> list[dict[str, Any]]:
    """Data views, saved search, Lens visualizations and the two dashboards of ``spec.model``."""
    views = DataViews(prefix)
    lens = visualizations(spec, views)
    search = raw_requests_search(spec.model, views)
    ids = {key: obj["id"] for key, obj in lens}
    ids["raw-requests"] = search["id"]
    keys = [key for key, _ in lens]
    model = spec.model
    overview = dashboard(
        model, "overview", f"[featurewatch] {model}: overview",
        f"Alerts (new, ongoing, resolved), traffic, latency and findings of model {model}. "
        f"Raw requests are in Discover (saved search '[featurewatch] {model}: raw requests').",
        _overview_panels(set(keys)), ids, OVERVIEW_TIME)
    health = dashboard(
        model, "input-health", f"[featurewatch] {model}: input health",
        "Per-feature presence and null rates, unseen categories and tokens, drift scores and category mixes "
        f"of model {model}.",
        _input_health_panels(keys), ids, INPUT_HEALTH_TIME)
    return [*data_views(views), search, *(obj for _, obj in lens), overview, health]


def build_ndjson(spec: ModelSpec, prefix: str = layout.DEFAULT_PREFIX) -> bytes:
    """The byte-stable NDJSON file of :func:`build_objects`."""
    return render(build_objects(spec, prefix))


def write_ndjson(spec: ModelSpec, path: str | os.PathLike[str], prefix: str = layout.DEFAULT_PREFIX) -> int:
    """Build ``spec``'s objects, check them against the contract mappings, write them to ``path``.

    Returns the number of saved objects written. Objects that fail the
    offline validation are a bug in the builders, never the caller's fault:
    nothing is written then.
    """
    data = build_ndjson(spec, prefix)
    problems = validate(data, contract_mappings(spec, prefix))
    if problems:
        raise FeaturewatchError("generated objects failed validation: " + "; ".join(problems[:3]))
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:
        raise BackendError(f"cannot write {target}: {exc.strerror or exc}") from None
    return data.count(b"\n")
