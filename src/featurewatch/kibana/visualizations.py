"""The Lens visualizations of one model, built from its :class:`~.spec.ModelSpec`."""

from __future__ import annotations

from typing import Any

from .. import record
from ._ids import model_object_id
from .dataviews import DataViews, model_query
from .lens import (
    Table,
    XYChart,
    count,
    date_histogram,
    last_value,
    metric,
    percentile,
    terms,
)
from .spec import Feature, ModelSpec

__all__ = ["Visualization", "visualizations"]

#: ``(key, saved object)``: the key names the visualization in dashboards.
Visualization = tuple[str, dict[str, Any]]

#: Per-feature rates from the metrics index: (key, metric field, title, y axis, feature kinds it applies to).
_METRIC_CHARTS = (
    ("present-rate", "present_rate", "present rate by feature", "share of requests carrying the feature",
     ("numeric", "categorical", "boolean", "text", "identifier")),
    ("null-rate", "null_rate", "null rate by feature", "share of requests with the feature null",
     ("numeric", "categorical", "boolean", "text", "identifier")),
    ("unseen-category-share", "unseen_category_rate", "unseen-category share by feature",
     "share of values not seen in training", ("categorical",)),
    ("unseen-token-rate", "unseen_token_rate", "unseen-token rate by feature",
     "share of tokens not seen in training", ("text",)),
    ("drift-score", "drift_score", "drift score by feature", "drift score", ("numeric", "categorical", "boolean")),
)


def _title(model: str, text: str) -> str:
    return f"[featurewatch] {model}: {text}"


def _findings_query(model: str) -> str:
    """KQL for a model's findings: the findings index also holds ``alert: resolved`` documents, which are not."""
    return f'{model_query(model)} and not alert : "resolved"'


def _alerts_query(model: str) -> str:
    """KQL for a model's alert documents: alarming findings (new, ongoing) and resolved alerts."""
    return f"{model_query(model)} and alert : *"


def _requests_by_version(spec: ModelSpec, views: DataViews) -> XYChart:
    return XYChart(
        object_id=model_object_id(spec.model, "lens/requests-by-version"),
        title=_title(spec.model, "requests over time by model version"),
        data_view_id=views.requests_id, query=model_query(spec.model),
        columns={"time": date_histogram(),
                 "version": terms(record.MODEL_VERSION, "model version", order_by="requests", size=10),
                 "requests": count("requests")},
        x="time", split="version", metrics=("requests",), series_type="bar_stacked", y_title="requests")


def _latency(spec: ModelSpec, views: DataViews) -> XYChart:
    return XYChart(
        object_id=model_object_id(spec.model, "lens/latency-percentiles"),
        title=_title(spec.model, "latency percentiles (ms)"),
        data_view_id=views.requests_id, query=model_query(spec.model),
        columns={"time": date_histogram(),
                 "p50": percentile(record.LATENCY_MS, 50, "p50"),
                 "p95": percentile(record.LATENCY_MS, 95, "p95"),
                 "p99": percentile(record.LATENCY_MS, 99, "p99")},
        x="time", metrics=("p50", "p95", "p99"), series_type="line", y_title="latency (ms)")


def _findings_over_time(spec: ModelSpec, views: DataViews) -> XYChart:
    return XYChart(
        object_id=model_object_id(spec.model, "lens/findings-over-time"),
        title=_title(spec.model, "findings over time by check and severity"),
        data_view_id=views.findings_id, query=_findings_query(spec.model),
        columns={"time": date_histogram(),
                 "check": terms("check", "check and severity", order_by="findings", size=20,
                                secondary=("severity",)),
                 "findings": count("findings")},
        x="time", split="check", metrics=("findings",), series_type="bar_stacked", y_title="findings")


def _latest_findings(spec: ModelSpec, views: DataViews) -> Table:
    return Table(
        object_id=model_object_id(spec.model, "lens/latest-findings"),
        title=_title(spec.model, "latest findings"),
        data_view_id=views.findings_id, query=_findings_query(spec.model),
        columns={"feature": terms("feature", "feature", order_by="windows", size=100, other_bucket=False),
                 "check": terms("check", "check", order_by="windows", size=20, other_bucket=False),
                 "severity": terms("severity", "severity", order_by="windows", size=3, other_bucket=False),
                 "windows": count("windows flagged"),
                 "expected": last_value("baseline", "expected", "string"),
                 "observed": last_value("observed", "observed", "string"),
                 "statistic": last_value("statistic", "statistic", "number"),
                 "last_seen": last_value("window.end", "window end", "date")},
        rows=("feature", "check", "severity"),
        metrics=("windows", "expected", "observed", "statistic", "last_seen"), sort_by="last_seen")


def _alerts_over_time(spec: ModelSpec, views: DataViews) -> XYChart:
    """Per window, how many alerts were new, still ongoing, or resolved: incidents start, last and end."""
    return XYChart(
        object_id=model_object_id(spec.model, "lens/alerts-over-time"),
        title=_title(spec.model, "alerts over time: new, ongoing, resolved"),
        data_view_id=views.findings_id, query=_alerts_query(spec.model),
        columns={"time": date_histogram(),
                 "status": terms("alert", "alert status", order_by="alerts", size=3, other_bucket=False),
                 "alerts": count("alerts")},
        x="time", split="status", metrics=("alerts",), series_type="bar_stacked", y_title="alerts")


def _alert_status(spec: ModelSpec, views: DataViews) -> Table:
    """Each (feature, check) with its latest alert status, since when, and its latest window."""
    return Table(
        object_id=model_object_id(spec.model, "lens/alert-status"),
        title=_title(spec.model, "alert status"),
        data_view_id=views.findings_id, query=_alerts_query(spec.model),
        columns={"feature": terms("feature", "feature", order_by="last_window", size=100, other_bucket=False),
                 "check": terms("check", "check", order_by="last_window", size=20, other_bucket=False),
                 "status": last_value("alert", "status", "string"),
                 "since": last_value("since", "alarming since", "date"),
                 "severity": last_value("severity", "severity", "string"),
                 "last_window": last_value("window.end", "last window end", "date")},
        rows=("feature", "check"), metrics=("status", "since", "severity", "last_window"), sort_by="last_window")


def _metric_chart(spec: ModelSpec, views: DataViews, key: str, field: str, text: str, y_title: str,
                  kinds: tuple[str, ...]) -> XYChart | None:
    features = tuple(f.name for f in spec.of_kind(*kinds))
    if not features:
        return None
    return XYChart(
        object_id=model_object_id(spec.model, f"lens/{key}"),
        title=_title(spec.model, text),
        data_view_id=views.metrics_id, query=model_query(spec.model),
        columns={"time": date_histogram(),
                 "feature": terms("feature", "feature", order_by="value", size=len(features), include=features,
                                  other_bucket=False),
                 "value": metric("max", field, y_title)},
        x="time", split="feature", metrics=("value",), series_type="line", y_title=y_title)


def _category_mix(spec: ModelSpec, views: DataViews, feature: Feature) -> XYChart:
    """The feature's top values over time, from the field of its JSON type (``values.<type>.<feature>``)."""
    field, data_type = feature.field, feature.data_type
    return XYChart(
        object_id=model_object_id(spec.model, f"lens/category-mix/{feature.name}"),
        title=_title(spec.model, f"category mix of {feature.name}"),
        data_view_id=views.requests_id, query=model_query(spec.model),
        columns={"time": date_histogram(),
                 "category": terms(field, feature.name, order_by="requests", size=10, data_type=data_type),
                 "requests": count("requests")},
        x="time", split="category", metrics=("requests",), series_type="bar_percentage_stacked",
        y_title="share of requests")


def visualizations(spec: ModelSpec, views: DataViews) -> list[Visualization]:
    """Every Lens object of the model, keyed for the dashboards, in a stable order."""
    charts: list[tuple[str, XYChart | Table]] = [
        ("requests-by-version", _requests_by_version(spec, views)),
        ("latency-percentiles", _latency(spec, views)),
        ("findings-over-time", _findings_over_time(spec, views)),
        ("latest-findings", _latest_findings(spec, views)),
        ("alert-status", _alert_status(spec, views)),
        ("alerts-over-time", _alerts_over_time(spec, views)),
    ]
    for key, field, text, y_title, kinds in _METRIC_CHARTS:
        chart = _metric_chart(spec, views, key, field, text, y_title, kinds)
        if chart is not None:
            charts.append((key, chart))
    for feature in spec.of_kind("categorical", "boolean"):
        charts.append((f"category-mix/{feature.name}", _category_mix(spec, views, feature)))
    return [(key, chart.saved_object()) for key, chart in charts]
