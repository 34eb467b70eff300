"""Install templates and indices idempotently, register baselines, and delete old daily indices.

``install`` compares what is installed with what featurewatch wants by the
checksum stamped in each body's ``_meta``, so a second run changes nothing
and says so. :func:`run_setup` is the whole ``featurewatch setup`` job
(templates, the findings, metrics and baselines indices, the baselines given);
:func:`list_baselines` is ``setup --list``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
import re
from collections.abc import Sequence
from typing import Any, cast

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError

from ..baseline import Baseline, load_baseline
from ..errors import BackendError
from ..settings import ElasticsearchSettings
from . import layout, templates
from .baselines import BaselineRegistry, Registration, baselines_index, baselines_mappings
from .client import backend_errors, build_client, cluster_info, describe_error

__all__ = ["Change", "SetupResult", "run_setup", "list_baselines", "install", "supports_subobjects",
           "indices_older_than", "delete_old_request_indices"]


@dataclasses.dataclass(frozen=True)
class Change:
    """One thing ``install`` looked at: ``kind`` (template/index), ``name``, ``action``."""

    kind: str
    name: str
    action: str  # "created", "updated" or "unchanged"

    def __str__(self) -> str:
        return f"{self.action:9} {self.kind} {self.name}"


def supports_subobjects(info: dict[str, Any]) -> bool:
    """True when the cluster (from ``GET /``) accepts ``subobjects: false`` (Elasticsearch ≥ 8.3)."""
    version = info.get("version", {})
    if version.get("distribution", "elasticsearch") != "elasticsearch":
        return False
    numbers = re.findall(r"\d+", str(version.get("number", "0")))[:2]
    major, minor = (int(numbers[0]) if numbers else 0), (int(numbers[1]) if len(numbers) > 1 else 0)
    return (major, minor) >= (8, 3)


def _installed_checksum(meta: Any) -> str | None:
    return meta.get("checksum") if isinstance(meta, dict) else None


def install(client: Elasticsearch, prefix: str = layout.DEFAULT_PREFIX) -> list[Change]:
    """Install the index templates and the findings/metrics indices; returns what it did."""
    subobjects = supports_subobjects(cluster_info(client))
    changes: list[Change] = []
    for name, body in templates.index_templates(prefix, subobjects=subobjects).items():
        existing = None
        try:
            found = client.indices.get_index_template(name=name).body.get("index_templates", [])
            existing = found[0]["index_template"] if found else None
        except NotFoundError:
            existing = None
        if existing is not None and _installed_checksum(existing.get("_meta")) == body["_meta"]["checksum"]:
            changes.append(Change("template", name, "unchanged"))
            continue
        client.indices.put_index_template(
            name=name, index_patterns=body["index_patterns"], priority=body["priority"],
            template=body["template"], meta=body["_meta"])
        changes.append(Change("template", name, "created" if existing is None else "updated"))
    fixed = {**templates.fixed_indices(prefix), baselines_index(prefix): baselines_mappings()}
    for index, mappings in fixed.items():
        if not client.indices.exists(index=index):
            client.indices.create(index=index, mappings=mappings)
            changes.append(Change("index", index, "created"))
            continue
        current = client.indices.get_mapping(index=index).body.get(index, {}).get("mappings", {})
        if _installed_checksum(current.get("_meta")) == mappings["_meta"]["checksum"]:
            changes.append(Change("index", index, "unchanged"))
            continue
        # Mappings only grow: adding fields is allowed on an existing index, changing a field's type is not.
        update = {key: mappings[key] for key in ("dynamic_templates", "dynamic") if key in mappings}
        try:
            client.indices.put_mapping(index=index, properties=mappings["properties"], meta=mappings["_meta"],
                                       **update)
        except BadRequestError as exc:
            raise BackendError(
                f"cannot update the mappings of {index}: {describe_error(exc)}; the index holds fields an earlier "
                f"version mapped by their first value: reindex it into a new index (or delete it if its history "
                f"is not needed), then run setup again") from None
        changes.append(Change("index", index, "updated"))
    return changes


_DAY = re.compile(r"-requests-(\d{4})\.(\d{2})\.(\d{2})$")


def indices_older_than(names: list[str], prefix: str, days: int, today: _dt.date) -> list[str]:
    """The daily requests indices among ``names`` whose day is more than ``days`` before ``today``."""
    cutoff = today - _dt.timedelta(days=days)
    old = []
    for name in names:
        if not name.startswith(f"{prefix}-requests-"):
            continue
        match = _DAY.search(name)
        if not match:
            continue
        try:
            day = _dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
        if day < cutoff:
            old.append(name)
    return sorted(old)


def delete_old_request_indices(client: Elasticsearch, prefix: str, days: int,
                               today: _dt.date | None = None) -> list[str]:
    """Delete daily requests indices older than ``days`` days (retention); returns their names."""
    today = today or _dt.datetime.now(_dt.UTC).date()
    rows = client.cat.indices(index=layout.requests_pattern(prefix), format="json", h="index").body
    # format=json: a list of rows, not the text table the client's annotation allows for.
    names = [row["index"] for row in cast("list[dict[str, str]]", rows)]
    old = indices_older_than(names, prefix, days, today)
    for name in old:
        client.indices.delete(index=name)
    return old


@dataclasses.dataclass(frozen=True)
class SetupResult:
    """What :func:`run_setup` did: each template and index looked at, the baselines registered
    (each with its ``action``), and the daily indices deleted."""

    changes: list[Change]
    deleted: list[str]
    registered: list[Registration] = dataclasses.field(default_factory=list)


def run_setup(settings: ElasticsearchSettings, *, baselines: Sequence[Baseline | str | os.PathLike[str]] = (),
              delete_older_than_days: int | None = None, today: _dt.date | None = None) -> SetupResult:
    """Install templates and indices on the cluster of ``settings``, register ``baselines``, apply retention.

    Each baseline (a :class:`Baseline` or a file) becomes its model's latest in
    ``<prefix>-baselines`` (:class:`featurewatch.es.baselines.BaselineRegistry`);
    every file is read before anything is sent, so a bad one (BaselineError,
    exit 2) changes nothing. Safe to run again. Client failures become
    one-line BackendErrors (exit 1).
    """
    loaded = [b if isinstance(b, Baseline) else load_baseline(b) for b in baselines]
    client = build_client(settings, max_retries=2)
    with backend_errors(settings.url):
        changes = install(client, settings.index_prefix)
        registry = BaselineRegistry(client, settings.index_prefix, url=settings.url)
        registered = [registry.register(baseline) for baseline in loaded]
        deleted = ([] if delete_older_than_days is None else
                   delete_old_request_indices(client, settings.index_prefix, delete_older_than_days, today))
    return SetupResult(changes, deleted, registered)


def list_baselines(settings: ElasticsearchSettings, model: str | None = None) -> list[Registration]:
    """Every registered baseline version in the cluster of ``settings`` (``setup --list``); reads only."""
    client = build_client(settings, max_retries=2)
    with backend_errors(settings.url):
        return BaselineRegistry(client, settings.index_prefix, url=settings.url).registrations(model)
