"""What a baseline says, for people: ``baseline show`` and the summary ``baseline build`` ends with.

Per feature: its kind and why it has it, how often it is present and null,
what its values look like (a range, the top categories, a vocabulary size),
and the warnings its training data raised. :func:`describe` gives the data
(``--format json``), :func:`render_description` the table.
"""

from __future__ import annotations

from typing import Any

from ..detect.text import number, percent
from .model import BOOLEAN, CATEGORICAL, NUMERIC, TEXT, Baseline, FeatureBaseline

__all__ = ["describe", "render_description", "render_features", "UNKNOWN_REASON"]

#: The reason shown for features of baselines written before reasons were kept.
UNKNOWN_REASON = "unknown"
_TOP = 3


def describe(baseline: Baseline) -> dict[str, Any]:
    """The baseline's summary as JSON-ready data: the model, the source, and one entry per feature."""
    return {
        "model": baseline.model,
        "rows": baseline.rows,
        "versions": list(baseline.versions),
        "created": baseline.created,
        "source": dict(baseline.source),
        "features": [_feature(f, prediction=f is baseline.prediction) for f in baseline.monitored()],
    }


def _feature(f: FeatureBaseline, *, prediction: bool) -> dict[str, Any]:
    ref = f.reference
    return {"name": f.name, "prediction": prediction, "kind": f.kind, "reason": f.reason or UNKNOWN_REASON,
            "records": f.records, "present": ref.present, "nulls": ref.nulls, "violations": ref.violations,
            "present_rate": f.present_rate, "null_rate": f.null_rate, "values": _values(f),
            "warnings": list(f.warnings)}


def _values(f: FeatureBaseline) -> dict[str, Any]:
    ref = f.reference
    if f.kind == NUMERIC:
        return {"min": ref.minimum, "max": ref.maximum, "mean": ref.total / ref.numbers if ref.numbers else None,
                "bins": max(0, len(f.edges) - 1)}
    if f.kind in (CATEGORICAL, BOOLEAN):
        total = sum(ref.categories.values()) + ref.unseen_total
        top = sorted(ref.categories.items(), key=lambda kv: -kv[1])[:_TOP]
        return {"distinct": f.distinct, "top": [{"value": k, "share": c / total if total else 0.0} for k, c in top]}
    if f.kind == TEXT:
        return {"vocabulary": len(f.vocabulary), "distinct_tokens": f.distinct,
                "tokens_per_value": ref.tokens / ref.values if ref.values else 0.0}
    return {}


def _values_text(entry: dict[str, Any]) -> str:
    values, kind = entry["values"], entry["kind"]
    if kind == NUMERIC:
        if values["min"] is None:
            return "no numbers"
        return f"{number(values['min'])} to {number(values['max'])}, mean {number(values['mean'])}"
    if kind in (CATEGORICAL, BOOLEAN):
        top = ", ".join(f"{item['value']} {percent(item['share'])}" for item in values["top"])
        more = values["distinct"] - len(values["top"])
        return top + (f" (+{more:,} more)" if more > 0 else "")
    if kind == TEXT:
        return f"{values['vocabulary']:,} tokens kept, {values['tokens_per_value']:.1f} per value"
    return "-"


def render_description(baseline: Baseline) -> str:
    """The summary as text: where the baseline comes from, then :func:`render_features`."""
    data = describe(baseline)
    versions = ", ".join(data["versions"]) or "any"
    source = data["source"]
    origin = source.get("path") or source.get("log_dir") or source.get("elasticsearch")
    if origin and source.get("delimiter"):
        origin += f" ({source['delimiter']!r}-separated)"
    head = f"baseline of model {data['model']!r}: {data['rows']:,} rows, versions {versions}"
    head += (f", from {origin}" if origin else "") + (f", {data['created']}" if data["created"] else "")
    return head + "\n" + render_features(baseline)


def render_features(baseline: Baseline) -> str:
    """One line per feature (kind, rates, values, why), then the warnings."""
    data = describe(baseline)
    rows = [("feature", "kind", "present", "null", "values", "why")]
    for entry in data["features"]:
        rows.append((entry["name"], entry["kind"], percent(entry["present_rate"]), percent(entry["null_rate"]),
                     _values_text(entry), entry["reason"]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1] for row in rows]
    warned = [entry for entry in data["features"] if entry["warnings"]]
    if warned:
        lines.append("warnings:")
        lines += [f"  {entry['name']}: {text}" for entry in warned for text in entry["warnings"]]
    return "\n".join(lines) + "\n"
