"""Per-feature metrics of a window (the numbers behind the checks), shaped for
the metrics index (:data:`featurewatch.es.layout.METRIC_FIELDS`).

Rates every kind has are computed here; the kind adds its own and reuses the
effects its checks measured in the run (a drift score is the shift check's
Jensen–Shannon distance, never computed a second time).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..kinds import kind_of
from .check import CheckInput

__all__ = ["window_metrics", "METRIC_NAMES"]

#: Metrics every document carries (None where the feature's kind has none or the window no denominator).
METRIC_NAMES = ("present_rate", "null_rate", "baseline_null_rate", "unseen_category_rate",
                "baseline_unseen_category_rate", "unseen_token_rate", "baseline_unseen_token_rate", "drift_score",
                "type_violation_rate")


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def window_metrics(inputs: list[CheckInput], effects: Mapping[tuple[str, str], float], *, model: str,
                   start: str, end: str) -> list[dict[str, Any]]:
    """One dict per monitored feature; ``effects`` maps ``(feature, check)`` to the effect it measured."""
    out = []
    for inp in inputs:
        w = inp.window
        doc: dict[str, Any] = {"@timestamp": end, "model": model, "window.start": start, "window.end": end,
                               "feature": inp.name, "records": inp.records, **dict.fromkeys(METRIC_NAMES)}
        doc.update(present_rate=_ratio(w.present, inp.records), null_rate=_ratio(w.nulls, w.present),
                   baseline_null_rate=_ratio(inp.reference.nulls, inp.reference.present) or 0.0,
                   type_violation_rate=_ratio(w.violations, w.values))
        mine = {check: effect for (feature, check), effect in effects.items() if feature == inp.name}
        doc.update(kind_of(inp.feature).metrics(inp, mine))
        out.append(doc)
    return out
