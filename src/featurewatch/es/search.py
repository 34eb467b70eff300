"""Searches that answer completely or fail: never a silently partial answer.

A search over several shards answers 200 even when some shards failed (a
field mapped one way in one daily index and another way in the next, a node
lost mid-query): the counts then come from the good shards only. Every
search featurewatch sends goes through this module, which does both things
Elasticsearch offers against that:

* it sets ``allow_partial_search_results: false`` (query parameter, or the
  header line of an ``_msearch`` item), so the cluster answers an error
  instead of partial results; and
* it checks every answer (each scroll page, each ``_msearch`` response) for
  ``_shards.failed`` and ``timed_out`` anyway, since a server may ignore the
  parameter (the test server does).

Either way the caller gets a :class:`PartialResults` (a BackendError, exit 1)
naming the failed indices and the reason. Searches here never pass
``ignore_unavailable``/``allow_no_indices`` on their own: callers say it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from elasticsearch import Elasticsearch

from ..errors import BackendError
from .client import PartialResults, describe_refusal, describe_shard_failures, safe_url

__all__ = ["PartialResults", "complete", "search", "msearch", "scroll"]


def complete(body: Mapping[str, Any], url: str | None = None, what: str = "search") -> Mapping[str, Any]:
    """``body`` when every shard answered in time; PartialResults naming the failed indices otherwise."""
    shards = body.get("_shards") if isinstance(body, Mapping) else None
    failed = int(shards.get("failed", 0) or 0) if isinstance(shards, Mapping) else 0
    if failed:
        total = shards.get("total", "?")  # type: ignore[union-attr]
        detail = describe_shard_failures(shards.get("failures") or [])  # type: ignore[union-attr]
        raise PartialResults(f"Elasticsearch at {safe_url(url)} answered the {what} with {failed} of {total} "
                             f"shards failed{detail}; nothing was computed from the partial answer")
    if isinstance(body, Mapping) and body.get("timed_out"):
        raise PartialResults(f"the {what} at {safe_url(url)} timed out and answered from part of the data; "
                             f"nothing was computed from the partial answer")
    return body


def search(client: Elasticsearch, *, url: str | None = None, what: str = "search", **request: Any) -> dict[str, Any]:
    """``client.search(**request)`` with partial results forbidden; the complete answer's body."""
    answer = client.search(allow_partial_search_results=False, **request)
    return dict(complete(answer.body, url, what))


def msearch(client: Elasticsearch, searches: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]], *,
            url: str | None = None, what: str = "search") -> list[dict[str, Any] | BackendError]:
    """One ``_msearch`` for every ``(header, body)``; per search its complete body, or the error it got.

    Errors of one search (its own ``error``, failed shards) are returned in its
    place, not raised, so one bad search does not hide the others' answers;
    a failure of the whole request raises as usual.
    """
    if not searches:
        return []
    lines: list[Mapping[str, Any]] = []
    for header, body in searches:
        lines += [{**header, "allow_partial_search_results": False}, body]
    answer = client.msearch(searches=lines)
    responses = answer.body.get("responses", [])
    if len(responses) != len(searches):
        raise BackendError(f"Elasticsearch at {safe_url(url)} answered {len(responses)} of {len(searches)} searches "
                           f"of one _msearch")
    out: list[dict[str, Any] | BackendError] = []
    for response in responses:
        if isinstance(response, Mapping) and "error" in response:
            text = describe_refusal(response.get("status", "an error"), dict(response), url)
            out.append(PartialResults(text) if _is_shard_failure(response) else BackendError(text))
            continue
        try:
            out.append(dict(complete(response, url, what)))
        except PartialResults as exc:
            out.append(exc)
    return out


def scroll(client: Elasticsearch, *, url: str | None = None, limit: int | None = None, keep_alive: str = "2m",
           what: str = "search", **request: Any) -> Iterator[dict[str, Any]]:
    """The hits of a scrolled search (at most ``limit``), every page checked; the scroll is cleared at the end."""
    answer = client.search(allow_partial_search_results=False, scroll=keep_alive, **request)
    scroll_id = answer.body.get("_scroll_id")
    seen = 0
    try:
        while True:
            body = complete(answer.body, url, what)
            hits = body.get("hits", {}).get("hits", [])
            if not hits:
                return
            for hit in hits:
                yield hit
                seen += 1
                if limit is not None and seen >= limit:
                    return
            answer = client.scroll(scroll_id=scroll_id, scroll=keep_alive)
            scroll_id = answer.body.get("_scroll_id", scroll_id)
    finally:
        if scroll_id:
            client.options(ignore_status=404).clear_scroll(scroll_id=scroll_id)


def _is_shard_failure(response: Mapping[str, Any]) -> bool:
    error = response.get("error")
    return isinstance(error, Mapping) and bool(error.get("failed_shards"))
