"""One self-contained HTML page from :class:`featurewatch.report.model.ReportData`.

The page has no script at all, only inline CSS and inline SVG (:mod:`.svg`),
and a Content-Security-Policy that forbids loading anything: it opens the
same offline, in an air-gapped network, or as a mail attachment, and a value
in the data that looks like a URL can never make the browser fetch it. Links
are in-page anchors only (a finding links to its feature's section).
"""

from __future__ import annotations

import html

from ..detect.report import Finding
from ..detect.text import percent
from ..window import format_bound
from . import svg
from ._style import CSS
from .history import Point
from .model import FeatureSection, ReportData, Stat

__all__ = ["render_html", "CSP"]

#: Nothing may be loaded; only the page's own inline style applies.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

#: Metrics drawn over time: (metric, label, whether it is a rate).
_SERIES = (("present_rate", "present rate", True), ("null_rate", "null rate", True),
           ("unseen_category_rate", "new-value share", True), ("unseen_token_rate", "unseen-token share", True),
           ("drift_score", "drift score", False), ("type_violation_rate", "wrong-type share", True))
#: Metrics drawn only when some window had any (a flat zero line says nothing).
_WHEN_SEEN = frozenset({"type_violation_rate"})
_BASELINES = {"null_rate": "baseline_null_rate", "unseen_category_rate": "baseline_unseen_category_rate",
              "unseen_token_rate": "baseline_unseen_token_rate"}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _pct(value: float | None) -> str:
    return "–" if value is None else percent(value)


def render_html(data: ReportData) -> str:
    """The whole page as a string (UTF-8 when written)."""
    window = f"{format_bound(data.start)} → {format_bound(data.end)}"
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
             f"<title>featurewatch · {_e(data.model)} · {_e(window)}</title>",
             f"<style>{CSS}</style></head><body><main>",
             _summary(data, window)]
    parts += [_section(s, data) for s in data.sections]
    parts.append(f"<footer>featurewatch report{' · generated ' + _e(data.generated) if data.generated else ''}"
                 f"{' · counts from ' + _e(data.source) if data.source else ''}</footer>")
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def _severity(severity: str | None) -> str:
    return f'<span class="sev {_e(severity)}">{_e(severity)}</span>' if severity else '<span class="sev ok">ok</span>'


def _summary(data: ReportData, window: str) -> str:
    counts = {s: sum(1 for f in data.findings if f.severity.value == s) for s in ("critical", "warning", "info")}
    unexpected = sum(v.records for v in data.versions if not v.expected)
    cards = [("records", f"{data.records:,}"), ("training rows", f"{data.training_rows:,}"),
             ("critical", str(counts["critical"])), ("warning", str(counts["warning"])), ("info", str(counts["info"])),
             ("versions", ", ".join(v.version for v in data.versions[:3]) + ("…" if len(data.versions) > 3 else "")
              or "–")]
    out = [f'<header id="top"><h1>{_e(data.model)}</h1><div class="muted">window {_e(window)}'
           f"{' · ' + _e(data.source) if data.source else ''}</div></header>",
           '<section id="window"><div class="cards">']
    out += [f'<div class="card"><span class="muted">{_e(k)}</span><b>{_e(v)}</b></div>' for k, v in cards]
    out.append("</div>")
    for note in data.notes:
        out.append(f'<p class="muted">note: {_e(note)}</p>')
    if data.unreadable:
        out.append(f'<p class="muted">{data.unreadable:,} lines in the window\'s files are not records.</p>')
    out.append("<h2>Findings</h2>")
    if data.findings:
        out.append('<table class="findings"><tr><th>severity</th><th>check</th><th>feature</th><th>training</th>'
                   "<th>window</th><th>what</th></tr>")
        for f in data.findings:
            out.append(f"<tr><td>{_severity(f.severity.value)}</td><td>{_e(f.check)}</td>"
                       f'<td><a href="#{_e(data.anchor_of(f.feature))}">{_e(f.feature or "(window)")}</a></td>'
                       f"<td>{_e(f.baseline)}</td><td>{_e(f.observed)}</td><td>{_e(f.message)}</td></tr>")
        out.append("</table>")
    else:
        out.append("<p>No findings: the window looks like the training data.</p>")
    if data.versions:
        out.append('<h3>Model versions</h3><table class="versions"><tr><th>version</th><th class="num">records</th>'
                   '<th class="num">share</th><th></th></tr>')
        out += [f'<tr><td>{_e(v.version)}</td><td class="num">{v.records:,}</td><td class="num">{_pct(v.share)}</td>'
                f"<td>{'' if v.expected else _severity('warning') + ' not in the baseline'}</td></tr>"
                for v in data.versions]
        out.append("</table>")
        if unexpected:
            out.append(f'<p class="muted">{unexpected:,} records come from versions the baseline does not list.</p>')
    out.append(_glance(data))
    out.append(_legend())
    out.append("</section>")
    return "\n".join(out)


def _glance(data: ReportData) -> str:
    """Every feature in one table, in section order, each linking to its section."""
    rows = ['<h3>Features</h3><table class="glance"><tr><th>feature</th><th>kind</th><th>worst</th>'
            '<th class="num">present</th><th class="num">null</th><th class="num">new / unseen</th>'
            '<th class="num">drift</th></tr>']
    for s in data.sections:
        rows.append(f'<tr><td><a href="#{_e(s.anchor)}">{_e(s.name)}</a></td><td>{_e(s.kind)}</td>'
                    f"<td>{_severity(s.worst)}</td><td class=\"num\">{_pct(s.present.window)}</td>"
                    f'<td class="num">{_pct(s.null.window)}</td>'
                    f'<td class="num">{_pct(s.novelty.window if s.novelty else None)}</td>'
                    f'<td class="num">{"–" if s.drift is None else f"{s.drift:.3f}"}</td></tr>')
    rows.append("</table>")
    return "\n".join(rows)


def _finding(f: Finding) -> str:
    return f"<li>{_severity(f.severity.value)} <b>{_e(f.check)}</b> — {_e(f.message)}</li>"


def _stats(stats: list[Stat]) -> str:
    rows = ['<table class="stats"><tr><th></th><th>training</th><th>window</th></tr>']
    rows += [f"<tr><td>{_e(s.label)}</td><td>{_e(s.training)}</td><td>{_e(s.window)}</td></tr>" for s in stats]
    rows.append("</table>")
    return "".join(rows)


def _figure(caption: str, chart: str) -> str:
    return f"<figure><figcaption>{_e(caption)}</figcaption>{chart}</figure>"


def _section(s: FeatureSection, data: ReportData) -> str:
    classes = ["feature", "alarming" if s.alarming else "quiet"]
    if s.worst == "critical":
        classes.append("critical")
    out = [f'<section id="{_e(s.anchor)}" class="{" ".join(classes)}" data-feature="{_e(s.name)}">',
           f'<h2>{_e(s.name)}<span class="kind">{_e(s.kind)}</span> {_severity(s.worst)}'
           f' <a class="muted" href="#top">↑</a></h2>']
    if s.findings:
        out.append('<ul class="findings">' + "".join(_finding(f) for f in s.findings) + "</ul>")
    charts = []
    stats = list(s.stats)
    if s.numeric:
        charts.append(_figure("training (grey) vs window on the baseline's own bins; shaded: outside the "
                              "training range", svg.histogram(s.numeric.bins, s.numeric.edges,
                                                              label=f"{s.name}: distribution")))
        stats = s.numeric.stats + stats
    if s.categories:
        charts.append(_figure("share of values: known values, new values highlighted",
                              svg.hbars(s.categories.bars, label=f"{s.name}: categories")))
        stats = s.categories.stats + stats
        if s.categories.new_values:
            chips = "".join(f"<span>{_e(k[:60])} ×{c:,}</span>" for k, c in s.categories.new_values[:20])
            more = len(s.categories.new_values) - 20
            out.append(f'<p class="chips">new values: {chips}{f" and {more} more kept" if more > 0 else ""}</p>')
    if s.text:
        if s.text.top_unseen:
            charts.append(_figure("top unseen tokens: share of the window's texts containing each",
                                  svg.hbars(s.text.top_unseen, label=f"{s.name}: unseen tokens")))
        stats = s.text.stats + stats
    charts.append(_figure("presence, nulls, wrong types, novelty: training (thin) vs window",
                          svg.hbars(s.rates, label=f"{s.name}: rates", width=460, label_width=90)))
    out.append(f'<div class="charts">{"".join(charts)}</div>')
    if s.history:
        out.append(_history(s, data))
    out.append(_stats(stats) if s.alarming else f"<details><summary>counts</summary>{_stats(stats)}</details>")
    out.append("</section>")
    return "\n".join(out)


def _history(s: FeatureSection, data: ReportData) -> str:
    references = {"present_rate": s.present.training, "null_rate": s.null.training}
    charts = []
    for metric, label, rate in _SERIES:
        points = [(p.start, p.end, p.metrics.get(metric), p.alarm) for p in s.history]
        if all(value is None for _, _, value, _ in points) or (metric in _WHEN_SEEN and not any(
                value for _, _, value, _ in points)):
            continue
        reference = references.get(metric)
        if reference is None and metric in _BASELINES:
            reference = _last(s.history, _BASELINES[metric])
        charts.append(svg.timeline(points, label=label, span=(data.start, data.end), reference=reference, rate=rate))
    alarmed = sum(1 for p in s.history if p.alarm)
    return (f"<h3>Over time <span class=\"muted\">{len(s.history)} windows, {alarmed} alarmed (marked); "
            f"blue strip: this report's window; dashed: training</span></h3>"
            f'<div class="history">{"".join(charts)}</div>')


def _last(points: list[Point], key: str) -> float | None:
    for point in reversed(points):
        value = point.metrics.get(key)
        if value is not None:
            return value
    return None


def _legend() -> str:
    items = [("var(--tr)", "training"), ("var(--wn)", "window"), ("var(--new)", "new values / unseen tokens"),
             ("var(--out)", "outside the training range, wrong type")]
    spans = "".join(f'<span><i style="background:{c}"></i>{_e(t)}</span>' for c, t in items)
    return f'<p class="legend muted">{spans}</p>'
