"""Baselines kept in the cluster: ``<prefix>-baselines``, versioned, latest per model wins.

``featurewatch setup --baseline FILE`` registers a baseline here; shippers
read the registered baselines to index what detection needs (the tokens of
text features), and ``detect --es --model NAME`` / ``--all-models`` load
them, so neither needs the baseline file on its host.

One document per (model, content): ``_id`` is derived from the model and the
SHA-256 of the baseline document without its ``created`` stamp
(:func:`content_hash`), so registering the same baseline again changes
nothing. Each registration of a model has a ``revision`` (1, 2, ...); the
highest revision is the model's baseline, earlier ones are kept and listed.
Registering an earlier version's content again makes it the latest (a new
revision on its document): that is how a baseline is rolled back.

The document keeps the baseline whole under ``baseline`` (stored, not
indexed: ``enabled: false``) next to a few indexed facts for listing and
Discover. Reads are complete or fail (:mod:`featurewatch.es.search`);
:meth:`BaselineRegistry.latest_all` fetches the latest baseline of every
model in one search (``collapse`` on the model).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from elasticsearch import Elasticsearch

from ..baseline import Baseline, from_dict, to_dict
from ..baseline.model import TEXT
from ..errors import BaselineError, FeaturewatchError
from . import layout
from .search import search
from .templates import checksum

__all__ = ["Registration", "BaselineRegistry", "baselines_index", "baselines_mappings", "content_hash",
           "registration_id", "MAX_MODELS"]

#: Most models (and most registrations listed) one search returns; more are refused, never cut silently.
MAX_MODELS = 10_000

_REGISTRATION_FIELDS = ["model", "revision", "content_hash", "registered_at", "versions", "features", "rows",
                        "created", "text_features"]


def baselines_index(prefix: str = layout.DEFAULT_PREFIX) -> str:
    """``<prefix>-baselines``."""
    return f"{prefix}-baselines"


def baselines_mappings() -> dict[str, Any]:
    """Mappings of the baselines index: a few indexed facts, the baseline itself stored only."""
    mappings: dict[str, Any] = {
        "dynamic": False,
        "date_detection": False,
        "properties": {
            "model": {"type": "keyword"},
            "revision": {"type": "long"},
            "content_hash": {"type": "keyword"},
            "registered_at": {"type": "date"},
            "versions": {"type": "keyword"},
            "features": {"type": "integer"},
            "rows": {"type": "long"},
            "created": {"type": "keyword"},
            "text_features": {"type": "keyword"},
            "baseline": {"type": "object", "enabled": False},
        },
    }
    mappings["_meta"] = {"managed_by": "featurewatch", "checksum": checksum(mappings)}
    return mappings


def content_hash(baseline: Baseline | Mapping[str, Any]) -> str:
    """SHA-256 of the baseline's document (or of the document itself) without ``created``.

    The same content always hashes the same, whenever it was built; the
    document read back from the cluster hashes as it did when registered.
    """
    doc = to_dict(baseline) if isinstance(baseline, Baseline) else baseline
    doc = {k: v for k, v in doc.items() if k != "created"}
    return hashlib.sha256(orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)).hexdigest()


def registration_id(model: str, digest: str) -> str:
    """Deterministic ``_id`` of a model's baseline of content ``digest``."""
    return hashlib.blake2b(f"{model}\x1f{digest}".encode(), digest_size=16).hexdigest()


@dataclasses.dataclass(frozen=True)
class Registration:
    """One registered version of a model's baseline (without the baseline itself)."""

    model: str
    revision: int
    content_hash: str
    registered_at: str
    versions: tuple[str, ...] = ()
    features: int = 0
    rows: int = 0
    created: str | None = None
    text_features: tuple[str, ...] = ()
    #: True for the model's latest registration (its baseline).
    latest: bool = False
    #: What :meth:`BaselineRegistry.register` did: ``created``, ``updated`` (an earlier one made latest
    #: again) or ``unchanged`` (already the latest); empty when read back.
    action: str = ""

    @classmethod
    def from_source(cls, source: Mapping[str, Any], *, latest: bool = False) -> Registration:
        return cls(model=str(source["model"]), revision=int(source["revision"]),
                   content_hash=str(source["content_hash"]), registered_at=str(source.get("registered_at", "")),
                   versions=tuple(source.get("versions") or ()), features=int(source.get("features") or 0),
                   rows=int(source.get("rows") or 0), created=source.get("created"),
                   text_features=tuple(source.get("text_features") or ()), latest=latest)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``setup --list --format json``)."""
        out = dataclasses.asdict(self)
        out["versions"], out["text_features"] = list(self.versions), list(self.text_features)
        out.pop("action")
        return out


class BaselineRegistry:
    """The baselines of ``prefix``'s cluster: register, read the latest, list every version."""

    def __init__(self, client: Elasticsearch, prefix: str = layout.DEFAULT_PREFIX, *, url: str | None = None,
                 now: Any = None) -> None:
        self.client = client
        self.prefix = prefix
        self.url = url
        self._now = now or (lambda: _dt.datetime.now(_dt.UTC))

    @property
    def index(self) -> str:
        return baselines_index(self.prefix)

    def register(self, baseline: Baseline) -> Registration:
        """Make ``baseline`` its model's latest; a no-op when it already is. Two requests (a look-up, a write)."""
        digest = content_hash(baseline)
        latest = self._latest_registration(baseline.model)
        if latest is not None and latest.content_hash == digest:
            return dataclasses.replace(latest, latest=True, action="unchanged")
        revision = 1 if latest is None else latest.revision + 1
        registered_at = self._now().astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        text = tuple(sorted(f.name for f in baseline.features.values() if f.kind == TEXT))
        source = {"model": baseline.model, "revision": revision, "content_hash": digest,
                  "registered_at": registered_at, "versions": list(baseline.versions),
                  "features": len(baseline.features), "rows": baseline.rows, "created": baseline.created,
                  "text_features": list(text), "baseline": to_dict(baseline)}
        answer = self.client.index(index=self.index, id=registration_id(baseline.model, digest), document=source,
                                   refresh="wait_for")
        action = "created" if answer.body.get("result") == "created" else "updated"
        return dataclasses.replace(Registration.from_source(source, latest=True), action=action)

    def latest(self, model: str) -> Baseline:
        """The latest registered baseline of ``model``; BaselineError (exit 2) when it has none."""
        body = search(self.client, url=self.url, what=f"search of {self.index}", index=self.index,
                      ignore_unavailable=True, allow_no_indices=True, size=1,
                      query={"term": {"model": model}}, sort=_LATEST_FIRST)
        hits = body.get("hits", {}).get("hits", [])
        if not hits:
            raise BaselineError(self._none_for(model))
        return _baseline_of(hits[0], self.index)

    def latest_all(self) -> dict[str, Baseline]:
        """The latest baseline of every registered model, by model name: one search."""
        body = search(self.client, url=self.url, what=f"search of {self.index}", index=self.index,
                      ignore_unavailable=True, allow_no_indices=True, size=MAX_MODELS, track_total_hits=False,
                      query={"match_all": {}}, collapse={"field": "model"}, sort=_LATEST_FIRST)
        hits = body.get("hits", {}).get("hits", [])
        if len(hits) >= MAX_MODELS:
            raise BaselineError(f"more than {MAX_MODELS:,} models registered in {self.index}")
        found: dict[str, Baseline] = {}
        for hit in hits:
            model = str(hit["_source"]["model"])
            found.setdefault(model, _baseline_of(hit, self.index))  # collapsed: the first is the latest
        return dict(sorted(found.items()))

    def latest_hashes(self) -> dict[str, str]:
        """The content hash of every model's latest baseline, by model: one small search (no baselines).

        What a shipper asks every few minutes, to fetch the baselines
        (:meth:`latest_all`) only when one of them changed.
        """
        body = search(self.client, url=self.url, what=f"search of {self.index}", index=self.index,
                      ignore_unavailable=True, allow_no_indices=True, size=MAX_MODELS, track_total_hits=False,
                      query={"match_all": {}}, collapse={"field": "model"}, sort=_LATEST_FIRST,
                      source=["model", "content_hash"])
        hits = body.get("hits", {}).get("hits", [])
        if len(hits) >= MAX_MODELS:
            raise BaselineError(f"more than {MAX_MODELS:,} models registered in {self.index}")
        found: dict[str, str] = {}
        for hit in hits:
            found.setdefault(str(hit["_source"]["model"]), str(hit["_source"]["content_hash"]))
        return dict(sorted(found.items()))

    def registrations(self, model: str | None = None) -> list[Registration]:
        """Every registered version (newest first per model, models by name), without the baselines."""
        query: dict[str, Any] = {"match_all": {}} if model is None else {"term": {"model": model}}
        body = search(self.client, url=self.url, what=f"search of {self.index}", index=self.index,
                      ignore_unavailable=True, allow_no_indices=True, size=MAX_MODELS, query=query,
                      sort=[{"model": "asc"}, *_LATEST_FIRST], source=_REGISTRATION_FIELDS)
        hits = body.get("hits", {}).get("hits", [])
        total = body.get("hits", {}).get("total", {})
        if isinstance(total, Mapping) and (total.get("relation") == "gte" or int(total.get("value", 0)) > len(hits)):
            raise BaselineError(f"more than {MAX_MODELS:,} baselines registered in {self.index}: list one model "
                                f"at a time")
        out: list[Registration] = []
        for hit in hits:
            source = hit["_source"]
            out.append(Registration.from_source(source, latest=not out or out[-1].model != source["model"]))
        return out

    def _latest_registration(self, model: str) -> Registration | None:
        body = search(self.client, url=self.url, what=f"search of {self.index}", index=self.index,
                      ignore_unavailable=True, allow_no_indices=True, size=1, query={"term": {"model": model}},
                      sort=_LATEST_FIRST, source=_REGISTRATION_FIELDS)
        hits = body.get("hits", {}).get("hits", [])
        return Registration.from_source(hits[0]["_source"], latest=True) if hits else None

    def _none_for(self, model: str) -> str:
        names = sorted({r.model for r in self.registrations()})
        known = f" (registered: {', '.join(names[:10])}{', ...' if len(names) > 10 else ''})" if names else ""
        return (f"no baseline of model {model!r} is registered in {self.index}{known}: register one with "
                f"`featurewatch setup --es URL --baseline FILE`, or give --baseline FILE")


#: Latest first: the highest revision; the later registration breaks a tie (two setups at once).
_LATEST_FIRST: Sequence[Mapping[str, str]] = ({"revision": "desc"}, {"registered_at": "desc"})


def _baseline_of(hit: Mapping[str, Any], index: str) -> Baseline:
    source = hit.get("_source", {})
    doc = source.get("baseline")
    where = f"the baseline of model {source.get('model')!r} in {index} (revision {source.get('revision')})"
    if not isinstance(doc, Mapping) or content_hash(doc) != source.get("content_hash"):
        raise BaselineError(f"{where} does not match its content hash: register it again with "
                            f"`featurewatch setup --baseline FILE`")
    try:
        return from_dict(dict(doc))
    except FeaturewatchError as exc:
        raise BaselineError(f"{where} cannot be read: {exc}") from None
