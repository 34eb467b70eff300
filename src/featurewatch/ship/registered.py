"""The shipper's enrichment from the baselines registered in the cluster, kept up to date.

``featurewatch ship`` without ``--baseline`` indexes what detection needs
for every model registered with ``featurewatch setup --baseline`` (the
tokens of text features): it reads the registered baselines at start and,
every ``refresh_every`` seconds (five minutes by default), asks for their
content hashes (one small search) and fetches the baselines again only
when one changed or a model was added. A failed refresh keeps what it had
and says so; the next refresh tries again.

The registry is anything with ``latest_hashes()`` and ``latest_all()``
(:class:`featurewatch.es.baselines.BaselineRegistry`), so this module does
not import the Elasticsearch client.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from ..baseline.model import Baseline
from ..errors import FeaturewatchError
from .actions import Enricher

__all__ = ["RegisteredBaselines", "RegisteredEnricher", "DEFAULT_REFRESH_SECONDS"]

#: How often a following shipper looks for newly registered baselines.
DEFAULT_REFRESH_SECONDS = 300.0


class RegisteredBaselines(Protocol):
    """Where the registered baselines are read from."""

    def latest_hashes(self) -> dict[str, str]:
        """Content hash of each model's latest baseline."""
        ...

    def latest_all(self) -> dict[str, Baseline]:
        """Each model's latest baseline."""
        ...


def _token_enricher(baselines: Iterable[Baseline]) -> Enricher:
    from .enrich import TokenEnricher

    return TokenEnricher(baselines)


class RegisteredEnricher:
    """``enrich(record)`` for the shipper, built from the registered baselines and refreshed while it runs.

    ``make`` turns baselines into the enrichment hook (the text kind's
    :class:`~featurewatch.ship.enrich.TokenEnricher`); ``warn`` gets one
    line when a refresh fails.
    """

    def __init__(self, registry: RegisteredBaselines, *, refresh_every: float = DEFAULT_REFRESH_SECONDS,
                 make: Callable[[Iterable[Baseline]], Enricher] = _token_enricher,
                 clock: Callable[[], float] = time.monotonic, warn: Callable[[str], None] | None = None) -> None:
        self.registry = registry
        self.refresh_every = refresh_every
        self._make = make
        self._clock = clock
        self._warn = warn
        self._hashes: dict[str, str] | None = None
        self._enrich: Enricher | None = None
        self._next = float("-inf")
        #: Models whose baselines the hook was last built from.
        self.models: tuple[str, ...] = ()
        #: How many times the baselines themselves were fetched (not just their hashes).
        self.fetches = 0

    def load(self) -> None:
        """Read the registered baselines now (raises what the registry raises); the next refresh is due later."""
        hashes = self.registry.latest_hashes()
        if hashes != self._hashes:
            baselines = self.registry.latest_all()
            self.fetches += 1
            self._enrich = self._make(baselines.values()) if baselines else None
            self.models = tuple(baselines)
            # What was fetched, not what was asked: a change between the two requests shows at the next refresh.
            hashes = {model: hashes.get(model, "") for model in baselines}
            self._hashes = hashes
        self._next = self._clock() + self.refresh_every

    def __call__(self, record: Mapping[str, Any]) -> Mapping[str, Any] | None:
        if self._clock() >= self._next:
            self._refresh()
        return self._enrich(record) if self._enrich is not None else None

    def _refresh(self) -> None:
        try:
            self.load()
        except FeaturewatchError as exc:
            self._next = self._clock() + self.refresh_every
            if self._warn is not None:
                self._warn(f"could not look for newly registered baselines ({exc}); shipping with the "
                           f"{len(self.models)} read before, trying again in {self.refresh_every:.0f} s")
