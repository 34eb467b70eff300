"""The Elasticsearch window source: a :class:`WindowProfile` counted by the cluster.

One ``GET _mapping/field`` (which indices exist, in which layout, and which
text features have token fields) and one ``_search`` with ``size: 0`` per window; the search is
split only when its buckets would exceed ``max_buckets`` (the cluster's
``search.max_buckets`` is 65,536 by default). No document is fetched.
:meth:`ElasticsearchSource.profiles` counts many models' windows with one
mapping look-up and one ``_msearch`` holding every model's searches. A
search with a failed shard or a timeout is an error, never smaller counts
(:mod:`featurewatch.es.search`).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from elasticsearch import Elasticsearch

from .. import record as R
from ..baseline.model import TEXT, Baseline
from ..errors import BackendError
from ..kinds.text import TOKENS_FIELD
from ..profile.counting import empty_profile
from ..profile.model import WindowProfile
from ..window import query_bound
from . import layout
from .aggregations import estimated_buckets, parse_profile, profile_request
from .client import backend_errors
from .search import msearch, search

__all__ = ["ElasticsearchSource", "ModelProfile", "DEFAULT_MAX_BUCKETS"]

DEFAULT_MAX_BUCKETS = 60_000


@dataclasses.dataclass
class ModelProfile:
    """One model's part of :meth:`ElasticsearchSource.profiles`: its profile or the error it got, and notes."""

    model: str
    profile: WindowProfile | None
    notes: list[str] = dataclasses.field(default_factory=list)
    error: BackendError | None = None


class ElasticsearchSource:
    """Window profiles from the daily requests indices of ``prefix``."""

    def __init__(self, client: Elasticsearch, prefix: str = layout.DEFAULT_PREFIX, *,
                 url: str | None = None, max_buckets: int = DEFAULT_MAX_BUCKETS) -> None:
        self.client = client
        self.prefix = prefix
        self.url = url
        self.max_buckets = max_buckets
        #: Warnings about the last profile (for example text features without token fields).
        self.notes: list[str] = []

    @property
    def pattern(self) -> str:
        return layout.requests_pattern(self.prefix)

    def profile(self, baseline: Baseline, start: _dt.datetime, end: _dt.datetime) -> WindowProfile:
        """Counts of ``baseline.model``'s records in ``[start, end)``, from aggregations."""
        low, high = query_bound(start), query_bound(end)
        with backend_errors(self.url):
            types = self.layout_info()
            _check_layout(types, start, end, self.prefix)
            profile, searches = self._plan(baseline, low, high)
            self.notes = _missing_token_fields(baseline, types)
            for group, common, body in searches:
                answer = search(self.client, url=self.url, what=f"profile search of model {baseline.model!r}",
                                index=self.pattern, ignore_unavailable=True, allow_no_indices=True, **body)
                parse_profile(baseline, group, answer, profile, with_common=common)
        return profile

    def profiles(self, baselines: Sequence[Baseline], start: _dt.datetime, end: _dt.datetime, *,
                 layout_info: Mapping[str, Any] | None = None) -> list[ModelProfile]:
        """The window's profile of every baseline's model: one mapping look-up and one ``_msearch`` in all.

        ``layout_info`` (from :meth:`layout_info`) saves the look-up when a
        run profiles several spans. A model whose searches fail (a failed
        shard, a mapping its counts cannot use) gets its error in its
        :class:`ModelProfile`, the others their profiles; a failure of the
        whole request raises.
        """
        low, high = query_bound(start), query_bound(end)
        out: list[ModelProfile] = []
        with backend_errors(self.url):
            types = layout_info if layout_info is not None else self.layout_info()
            _check_layout(types, start, end, self.prefix)
            header = {"index": self.pattern, "ignore_unavailable": True, "allow_no_indices": True}
            planned: list[tuple[ModelProfile, Baseline, list[str], bool]] = []
            searches: list[tuple[dict[str, Any], dict[str, Any]]] = []
            for baseline in baselines:
                result = ModelProfile(baseline.model, None, _missing_token_fields(baseline, types))
                out.append(result)
                try:
                    result.profile, plan = self._plan(baseline, low, high)
                except BackendError as exc:
                    result.error = exc
                    continue
                for group, common, body in plan:
                    planned.append((result, baseline, group, common))
                    searches.append((header, body))
            answers = msearch(self.client, searches, url=self.url, what="profile search")
        for (result, baseline, group, common), answer in zip(planned, answers):
            if result.error is not None or result.profile is None:
                continue
            if isinstance(answer, BackendError):
                result.error, result.profile = answer, None
                continue
            parse_profile(baseline, group, answer, result.profile, with_common=common)
        return out

    def _plan(self, baseline: Baseline, low: str,
              high: str) -> tuple[WindowProfile, list[tuple[list[str], bool, dict[str, Any]]]]:
        """An empty profile and the searches that fill it: ``(features, with_common, body)`` each."""
        profile = empty_profile(baseline, low, high)
        return profile, [(group, index == 0, profile_request(baseline, group, low, high, with_common=index == 0))
                         for index, group in enumerate(self._groups(baseline))]

    def layout_info(self) -> dict[str, Any]:
        """What the requests indices map: ``{"fields": {field: indices}, "old_layout": indices}``.

        ``fields`` holds the token and string-value fields (which text
        features have token fields); ``old_layout`` the daily indices created
        before the type-stable layout (``features.*`` indexed, or no
        ``types.number``), which detection cannot count.
        """
        answer = self.client.indices.get_field_mapping(
            index=self.pattern, fields=[f"{TOKENS_FIELD}.*", layout.value_field("string", "*"),
                                        layout.types_field("number"), R.FEATURES_PRESENT, f"{R.FEATURES}.*"],
            ignore_unavailable=True, allow_no_indices=True)
        if not answer.body:
            raise BackendError(f"no requests indices match {self.pattern}: has `featurewatch ship` sent records "
                               f"there, and is the index prefix {self.prefix!r} right?")
        fields: dict[str, set[str]] = {}
        old: set[str] = set()
        for index, entry in answer.body.items():
            mapped = entry.get("mappings") or {}
            for field in mapped:
                fields.setdefault(field, set()).add(index)
            # Indexed `features.*` leaves, or no `types.number`: created before the type-stable template
            # (on the day of an upgrade, today's index still has the old mapping whoever ships into it).
            if (R.FEATURES_PRESENT in mapped and layout.types_field("number") not in mapped) or \
                    any(field.startswith(f"{R.FEATURES}.") for field in mapped):
                old.add(index)
        return {"fields": fields, "old_layout": old}

    def _groups(self, baseline: Baseline) -> Iterator[list[str]]:
        """Feature names in as few groups as the bucket limit allows (usually one)."""
        group: list[str] = []
        for feature in baseline.monitored():
            if group and estimated_buckets(baseline, [*group, feature.name]) > self.max_buckets:
                yield group
                group = []
            group.append(feature.name)
        yield group


def _missing_token_fields(baseline: Baseline, types: Mapping[str, Any]) -> list[str]:
    """Text features whose distinct tokens were never indexed: their unseen-token check has no data."""
    fields = types.get("fields", {})
    return [f"text feature {f.name!r} has no {layout.token_field(TOKENS_FIELD, f.name)} field in the requests "
            f"indices, so its unseen tokens cannot be counted: register its baseline "
            f"(`featurewatch setup --baseline`) or ship with `featurewatch ship --baseline BASELINE`"
            for f in baseline.features.values()
            if f.kind == TEXT and layout.value_field("string", f.name) in fields
            and layout.token_field(TOKENS_FIELD, f.name) not in fields]


def _check_layout(types: Mapping[str, Any], start: _dt.datetime, end: _dt.datetime, prefix: str) -> None:
    """A window reaching a daily index of the old layout cannot be counted: say which, and what to do."""
    old = types.get("old_layout") or set()
    if not old:
        return
    # The days the search reaches, from the very bounds it uses (UTC, cut to the millisecond).
    low, high = query_bound(start), query_bound(end)
    day = _dt.date.fromisoformat(low[:10])
    last = (_dt.datetime.fromisoformat(high.replace("Z", "+00:00")) - _dt.timedelta(milliseconds=1)).date()
    days = set()
    while day <= last:
        days.add(layout.requests_index(_dt.datetime.combine(day, _dt.time()), prefix))
        day += _dt.timedelta(days=1)
    reached = sorted(old & days)
    if reached:
        raise BackendError(
            f"{', '.join(reached)} {'was' if len(reached) == 1 else 'were'} written by a featurewatch older than "
            f"the type-stable layout (version {layout.LAYOUT_VERSION}), which detection cannot count: run "
            f"`featurewatch setup`, delete that index, then re-ship (or reindex) its records into it")
