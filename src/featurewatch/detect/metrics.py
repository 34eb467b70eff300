"""Per-feature metrics of a window (the numbers behind the checks), shaped for
the metrics index (:data:`featurewatch.es.layout.METRIC_FIELDS`)."""

from __future__ import annotations

from typing import Any

from ..baseline.model import BOOLEAN, CATEGORICAL, NUMERIC, TEXT, Baseline
from ..profile.model import WindowProfile
from . import stats
from .checks import category_cells

__all__ = ["window_metrics"]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def window_metrics(baseline: Baseline, profile: WindowProfile) -> list[dict[str, Any]]:
    """One dict per monitored feature; rates are None where the window has no denominator."""
    out = []
    for f in baseline.monitored():
        w = profile.feature(f.name)
        doc: dict[str, Any] = {
            "@timestamp": profile.end, "model": profile.model,
            "window.start": profile.start, "window.end": profile.end,
            "feature": f.name, "records": profile.records,
            "present_rate": _ratio(w.present, profile.records),
            "null_rate": _ratio(w.nulls, w.present),
            "baseline_null_rate": f.null_rate,
            "unseen_category_rate": None, "baseline_unseen_category_rate": None,
            "unseen_token_rate": None, "baseline_unseen_token_rate": None,
            "drift_score": None,
            "type_violation_rate": _ratio(w.violations, w.values),
        }
        if f.kind in (CATEGORICAL, BOOLEAN) and f.categories is not None:
            _, base, window = category_cells(f, w)
            doc["unseen_category_rate"] = _ratio(w.unseen_total, sum(window))
            doc["baseline_unseen_category_rate"] = f.categories.expected_new_rate
            if sum(window):
                doc["drift_score"] = stats.js_distance(base, window)
        elif f.kind == TEXT and f.text is not None:
            doc["unseen_token_rate"] = _ratio(w.unseen_tokens, w.tokens)
            doc["baseline_unseen_token_rate"] = f.text.expected_unseen_rate
        elif f.kind == NUMERIC and f.numeric is not None and f.numeric.count and w.numbers:
            doc["drift_score"] = stats.js_distance(f.numeric.counts, w.bins)
        out.append(doc)
    return out
