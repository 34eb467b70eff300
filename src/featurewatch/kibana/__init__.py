"""Kibana saved objects for featurewatch: build, validate offline, import.

* :func:`build_ndjson` / :func:`build_objects` — data views, a Discover search,
  Lens visualizations and two dashboards for one model (:class:`ModelSpec`);
  :func:`write_ndjson` checks them and writes the file (``kibana build``).
* :func:`validate` — offline checks of an NDJSON file against index mappings;
  :func:`flatten_mapping` turns an Elasticsearch ``_mapping`` answer into them.
* :func:`import_file` — the saved objects import API.
"""

from __future__ import annotations

from .build import build_ndjson, build_objects, write_ndjson
from .importer import ImportResult, import_file
from .mappings import contract_mappings, flatten_mapping
from .spec import (
    Feature,
    ModelSpec,
    spec_from_baseline,
    spec_from_baseline_file,
)
from .validate import validate

__all__ = [
    "Feature",
    "ModelSpec",
    "spec_from_baseline",
    "spec_from_baseline_file",
    "build_objects",
    "build_ndjson",
    "write_ndjson",
    "validate",
    "flatten_mapping",
    "contract_mappings",
    "import_file",
    "ImportResult",
]
