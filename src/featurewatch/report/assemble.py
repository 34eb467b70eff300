"""From counts to a report's content: baseline + window profile + detection report + history → ReportData.

Everything shown is a share of counts the profile and the baseline already
hold (the training data is counted on the same bins and keys as the window),
or a number detection already computed: expected novelty (Good–Turing) and
drift scores come from the report's metrics, never recomputed here.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any

from ..baseline.model import BOOLEAN, CATEGORICAL, IDENTIFIER, NUMERIC, TEXT, Baseline, FeatureBaseline
from ..detect.report import Finding, Report
from ..detect.text import number, percent
from ..profile.model import FeatureProfile, WindowProfile
from .history import History
from .model import Bar, CategoryView, FeatureSection, NumericView, ReportData, Stat, TextView, VersionRow

__all__ = ["assemble", "KNOWN_SHOWN", "NEW_SHOWN", "TOKENS_SHOWN"]

#: Known values drawn one by one (the rest are grouped into one bar).
KNOWN_SHOWN = 12
#: New values named with their own bar.
NEW_SHOWN = 8
#: Unseen tokens listed.
TOKENS_SHOWN = 10


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _pct(value: float | None) -> str:
    return "–" if value is None else percent(value)


def assemble(baseline: Baseline, profile: WindowProfile, report: Report, *, window: tuple[_dt.datetime, _dt.datetime],
             history: History | None = None, source: str = "", generated: str = "") -> ReportData:
    """The report's content for ``profile`` (the window ``window``) checked against ``baseline`` in ``report``."""
    history = history or History()
    metrics = {str(m.get("feature")): m for m in report.metrics}
    by_feature: dict[str | None, list[Finding]] = {}
    for finding in report.findings:
        by_feature.setdefault(finding.feature, []).append(finding)
    anchors = _anchors([f.name for f in baseline.monitored()])
    sections = [_section(f, profile, metrics.get(f.name, {}), by_feature.get(f.name, []), anchors[f.name],
                         history) for f in baseline.monitored()]
    order = {s.name: i for i, s in enumerate(sections)}
    sections.sort(key=lambda s: (-(s.findings[0].severity.rank if s.findings else -1), order[s.name]))
    expected = set(baseline.versions)
    versions = [VersionRow(v, c, c / profile.records if profile.records else 0.0, not expected or v in expected)
                for v, c in sorted(profile.versions.items(), key=lambda kv: (-kv[1], kv[0]))]
    return ReportData(model=baseline.model, start=window[0], end=window[1], records=profile.records,
                      training_rows=baseline.rows, versions=versions, findings=list(report.findings),
                      sections=sections, unreadable=profile.unreadable, source=source, notes=list(report.notes),
                      history_windows=history.windows, generated=generated)


def _anchors(names: list[str]) -> dict[str, str]:
    """``f-<name>`` with anything but letters, digits, ``_`` and ``-`` replaced; unique."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        anchor = base = "f-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", name) or "-")
        n = 1
        while anchor in used:
            n += 1
            anchor = f"{base}-{n}"
        used.add(anchor)
        out[name] = anchor
    return out


def _section(f: FeatureBaseline, profile: WindowProfile, metrics: Mapping[str, Any], findings: list[Finding],
             anchor: str, history: History) -> FeatureSection:
    ref, w = f.reference, profile.feature(f.name)
    present = Bar("present", f.present_rate, _share(w.present, profile.records),
                  title=f"records carrying {f.name}: training {f.present:,} of {f.records:,}, "
                        f"window {w.present:,} of {profile.records:,}")
    null = Bar("null", f.null_rate, _share(w.nulls, w.present),
               title=f"null among present: training {ref.nulls:,} of {ref.present:,}, "
                     f"window {w.nulls:,} of {w.present:,}")
    violations = None if f.kind == IDENTIFIER else Bar(
        "wrong type", f.violation_rate, _share(w.violations, w.values), tone="outside",
        title=f"values of another JSON type: training {ref.violations:,} of {ref.values:,}, "
              f"window {w.violations:,} of {w.values:,}")
    stats = [Stat("records", f"{f.records:,}", f"{profile.records:,}"),
             Stat("present", f"{f.present:,}", f"{w.present:,}"),
             Stat("null", f"{ref.nulls:,}", f"{w.nulls:,}")]
    if violations is not None:
        stats.append(Stat("wrong JSON type", f"{ref.violations:,}", f"{w.violations:,}"))
    if metrics.get("drift_score") is not None:
        stats.append(Stat("drift score (Jensen–Shannon distance)", "", f"{metrics['drift_score']:.3f}"))
    section = FeatureSection(name=f.name, kind=f.kind, anchor=anchor, findings=findings, present=present, null=null,
                             violations=violations, stats=stats, drift=metrics.get("drift_score"),
                             history=history.of(f.name))
    if f.kind == NUMERIC and f.edges:
        return dataclasses.replace(section, numeric=_numeric(f, w))
    if f.kind in (CATEGORICAL, BOOLEAN):
        view = _categories(f, w, metrics)
        expected = metrics.get("baseline_unseen_category_rate")
        novelty = Bar("new values", expected, _share(view.new_total, view.values), tone="new", count=view.new_total,
                      title=f"values training did not know: window {view.new_total:,} of {view.values:,}; "
                            f"training predicts {_pct(expected)} (Good–Turing)")
        return dataclasses.replace(section, categories=view, novelty=novelty)
    if f.kind == TEXT:
        expected = metrics.get("baseline_unseen_token_rate")
        novelty = Bar("unseen tokens", expected, _share(w.unseen_tokens, w.tokens), tone="new", count=w.unseen_tokens,
                      title=f"tokens not in the training vocabulary: window {w.unseen_tokens:,} of {w.tokens:,}; "
                            f"training predicts {_pct(expected)} (Good–Turing)")
        return dataclasses.replace(section, text=_text(f, w), novelty=novelty)
    return section


def _numeric(f: FeatureBaseline, w: FeatureProfile) -> NumericView:
    ref, edges = f.reference, f.edges
    n = len(edges) + 1
    window_bins = w.bins if len(w.bins) == n else [0] * n
    training_bins = ref.bins if len(ref.bins) == n else [0] * n
    # The top edge is the next float above the training maximum: show the maximum itself.
    shown = [number(e) for e in edges[:-1]] + [number(ref.maximum if ref.maximum is not None else edges[-1])]
    bins = []
    for i in range(n):
        if i == 0:
            span, tone = f"below the training minimum {shown[0]}", "outside"
        elif i == n - 1:
            span, tone = f"above the training maximum {shown[-1]}", "outside"
        else:
            closing = ")" if i < n - 2 else "]"
            span, tone = f"[{shown[i - 1]}, {shown[i]}{closing}", "known"
        t, v = _share(training_bins[i], ref.numbers), _share(window_bins[i], w.numbers)
        bins.append(Bar(span, t, v, tone=tone, count=window_bins[i],
                        title=f"{span}: training {_pct(t)} ({training_bins[i]:,}), window {_pct(v)} "
                              f"({window_bins[i]:,})"))
    below, above = window_bins[0], window_bins[-1]
    outside = _share(below + above, w.numbers)
    stats = [Stat("numbers", f"{ref.numbers:,}", f"{w.numbers:,}"),
             Stat("min", number(ref.minimum), number(w.minimum)),
             Stat("max", number(ref.maximum), number(w.maximum)),
             Stat("mean", number(ref.mean), number(w.mean)),
             Stat("outside the training range", _pct(_share(training_bins[0] + training_bins[-1], ref.numbers)),
                  f"{_pct(outside)} ({below:,} below, {above:,} above)")]
    return NumericView(bins=bins, edges=shown, stats=stats)


def _categories(f: FeatureBaseline, w: FeatureProfile, metrics: Mapping[str, Any]) -> CategoryView:
    ref = f.reference
    total_t = sum(ref.categories.values()) + ref.unseen_total
    total_w = sum(w.categories.values()) + w.unseen_total

    def shares(key: str) -> tuple[float | None, float | None]:
        return _share(ref.categories.get(key, 0), total_t), _share(w.categories.get(key, 0), total_w)

    ranked = sorted(f.known, key=lambda k: (-max(v or 0.0 for v in shares(k)), f.known.index(k)))
    shown = set(ranked[:KNOWN_SHOWN])
    bars = []
    for key in f.known:  # training's own order: most frequent first
        if key in shown:
            t, v = shares(key)
            bars.append(Bar(key, t, v, count=w.categories.get(key, 0),
                            title=f"{key}: training {_pct(t)}, window {_pct(v)} ({w.categories.get(key, 0):,})"))
    rest = [k for k in f.known if k not in shown]
    if rest:
        count_t = sum(ref.categories.get(k, 0) for k in rest)
        count_w = sum(w.categories.get(k, 0) for k in rest)
        bars.append(Bar(f"{len(rest)} other known", _share(count_t, total_t), _share(count_w, total_w),
                        tone="other", count=count_w, title=f"{len(rest):,} other values training knew"))
    new = sorted(w.unseen.items(), key=lambda kv: (-kv[1], kv[0]))
    for key, count in new[:NEW_SHOWN]:
        bars.append(Bar(key, 0.0, _share(count, total_w), tone="new", count=count,
                        title=f"new value {key!r}: {count:,} in the window, not among the values training knew"))
    named = sum(c for _, c in new[:NEW_SHOWN])
    if w.unseen_total > named:
        bars.append(Bar("other new values", None, _share(w.unseen_total - named, total_w), tone="new",
                        count=w.unseen_total - named, title="further values the baseline does not know"))
    expected = metrics.get("baseline_unseen_category_rate")
    stats = [Stat("values", f"{total_t:,}", f"{total_w:,}"),
             Stat("known values", f"{len(f.known):,} kept of {f.distinct:,} distinct", ""),
             Stat("new values", f"{_pct(expected)} expected (Good–Turing)",
                  f"{_pct(_share(w.unseen_total, total_w))} ({w.unseen_total:,})")]
    return CategoryView(bars=bars, stats=stats, new_values=new, new_total=w.unseen_total, values=total_w)


def _text(f: FeatureBaseline, w: FeatureProfile) -> TextView:
    ref = f.reference
    texts_t, texts_w = ref.values - ref.violations, w.values - w.violations
    per_t, per_w = _share(ref.tokens, texts_t), _share(w.tokens, texts_w)
    stats = [Stat("texts", f"{texts_t:,}", f"{texts_w:,}"),
             Stat("distinct tokens per text", "–" if per_t is None else f"{per_t:.2f}",
                  "–" if per_w is None else f"{per_w:.2f}"),
             Stat("tokens", f"{ref.tokens:,}", f"{w.tokens:,}"),
             Stat("tokens not in the kept vocabulary", f"{ref.unseen_tokens:,}", f"{w.unseen_tokens:,}"),
             Stat("vocabulary", f"{len(f.vocabulary):,} tokens kept of {f.distinct:,}", "")]
    top = sorted(w.unseen_token_examples.items(), key=lambda kv: (-kv[1], kv[0]))[:TOKENS_SHOWN]
    bars = [Bar(token, None, _share(count, texts_w), tone="new", count=count,
                title=f"unseen token {token!r}: in {count:,} of {texts_w:,} texts") for token, count in top]
    return TextView(stats=stats, top_unseen=bars)
