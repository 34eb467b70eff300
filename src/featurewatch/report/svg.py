"""Charts as static inline SVG, drawn in Python: grouped bars, horizontal bars, timelines.

Why not a JavaScript charting library: the report must open offline, be
small enough to mail, and be written in well under a second for hundreds of
features. Inlining a library means about a megabyte (Vega with Vega-Lite) to
several (Plotly) of minified script in every file, run by the reader's
browser before anything shows, and nothing shown where scripts are blocked
(a locked-down browser, an attachment preview). These charts are a few
kilobytes each, need no script, print, and take microseconds to write. What
they give up, zooming and panning, matters little for counts on a handful
of bins; hovering still shows each bar's exact numbers (SVG ``<title>``).

Colours come from the page's stylesheet (classes ``tr``, ``wn``, ``new``,
``outside``, ``other``, ...), so each chart carries shapes only. Every
function returns one ``<svg>`` element with ``role="img"`` and an
``aria-label``; inline SVG needs no ``xmlns`` in HTML, so the file holds no
URL at all. Pure: strings in, a string out.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from collections.abc import Callable, Sequence

from ..detect.text import number, percent
from .model import Bar

__all__ = ["histogram", "hbars", "timeline", "TimelinePoint"]

#: ``(start, end, value, alarm)``: one window of a timeline; ``alarm`` is its severity or None.
TimelinePoint = tuple[_dt.datetime, _dt.datetime, float | None, str | None]

def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _f(value: float) -> str:
    """A coordinate, short."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(width: float, height: float, label: str, body: list[str]) -> str:
    return (f'<svg class="chart" viewBox="0 0 {_f(width)} {_f(height)}" width="{_f(width)}" height="{_f(height)}" '
            f'role="img" aria-label="{_e(label)}">{"".join(body)}</svg>')


def _top(values: Sequence[float | None], floor: float) -> float:
    """The top of a scale: the largest value, at least ``floor``, rounded up to 1, 2, 2.5 or 5 × 10^k."""
    largest = max([v for v in values if v is not None and math.isfinite(v)] + [floor])
    power = 10.0 ** math.floor(math.log10(largest))
    # The last step (10 × power) is always at least ``largest``.
    return next(step * power for step in (1, 2, 2.5, 5, 10) if largest <= step * power * (1 + 1e-9))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def histogram(bins: Sequence[Bar], edges: Sequence[str], *, label: str, width: float = 560,
              height: float = 190) -> str:
    """Training and window shares side by side on each bin; ``edges`` label the boundaries between bins.

    Bins of tone ``outside`` (below the training minimum, above the maximum)
    get a shaded background, so a window's mass outside the range stands out.
    """
    left, right, top, bottom = 40.0, 8.0, 10.0, 34.0
    plot_w, plot_h = width - left - right, height - top - bottom
    scale = _top([b.training for b in bins] + [b.window for b in bins], 0.01)
    slot = plot_w / max(1, len(bins))
    base = top + plot_h
    body = _y_axis(left, width - right, top, plot_h, scale, percent)
    for i, bar in enumerate(bins):
        x = left + i * slot
        parts = [f"<title>{_e(bar.title or bar.label)}</title>"]
        if bar.tone == "outside":
            parts.append(f'<rect class="shade" x="{_f(x)}" y="{_f(top)}" width="{_f(slot)}" height="{_f(plot_h)}"/>')
        gap = max(1.0, slot * 0.12)
        w = (slot - 2 * gap) / 2
        window_class = "wn" if bar.tone == "known" else bar.tone
        for j, (value, cls) in enumerate(((bar.training, "tr"), (bar.window, window_class))):
            if value:
                h = max(0.8, plot_h * value / scale)
                parts.append(f'<rect class="{cls}" x="{_f(x + gap + j * w)}" y="{_f(base - h)}" '
                             f'width="{_f(w)}" height="{_f(h)}"/>')
        body.append(f"<g>{''.join(parts)}</g>")
    step = max(1, math.ceil(len(edges) / 9))
    for i, text in enumerate(edges):
        if i % step == 0 or (i == len(edges) - 1 and len(edges) > 1):
            x = left + (i + 1) * slot
            body.append(f'<line class="tick" x1="{_f(x)}" x2="{_f(x)}" y1="{_f(base)}" y2="{_f(base + 4)}"/>'
                        f'<text x="{_f(x)}" y="{_f(base + 16)}" text-anchor="middle">{_e(_clip(text, 9))}</text>')
    if bins and bins[0].tone == "outside":
        body.append(f'<text class="muted" x="{_f(left + slot / 2)}" y="{_f(base + 29)}" '
                    f'text-anchor="middle">below</text>')
    if len(bins) > 1 and bins[-1].tone == "outside":
        body.append(f'<text class="muted" x="{_f(left + plot_w - slot / 2)}" y="{_f(base + 29)}" '
                    f'text-anchor="middle">above</text>')
    return _svg(width, height, label, body)


def _y_axis(x0: float, x1: float, top: float, plot_h: float, scale: float,
            fmt: Callable[[float], str]) -> list[str]:
    """Grid lines at 0, half and the top of the scale, with labels on the left."""
    out = []
    for fraction in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - fraction)
        text = fmt(scale * fraction)
        out.append(f'<line class="grid" x1="{_f(x0)}" x2="{_f(x1)}" y1="{_f(y)}" y2="{_f(y)}"/>'
                   f'<text x="{_f(x0 - 4)}" y="{_f(y + 3.5)}" text-anchor="end">{_e(text)}</text>')
    return out


def hbars(bars: Sequence[Bar], *, label: str, width: float = 560, label_width: float = 150) -> str:
    """One row per bar: a thin training bar over a thicker window bar, with the window's share written.

    Bars without a training share (``None``) draw the window bar only.
    """
    row, top = 24.0, 4.0
    value_w = 118.0
    plot_w = width - label_width - value_w
    scale = _top([b.training for b in bars] + [b.window for b in bars], 0.01)
    body = []
    for i, bar in enumerate(bars):
        y = top + i * row
        cls = "wn" if bar.tone == "known" else bar.tone
        parts = [f"<title>{_e(bar.title or bar.label)}</title>",
                 f'<text x="{_f(label_width - 6)}" y="{_f(y + 14)}" text-anchor="end">'
                 f"{_e(_clip(bar.label, 24))}</text>",
                 f'<rect class="track" x="{_f(label_width)}" y="{_f(y + 2)}" width="{_f(plot_w)}" height="16"/>']
        if bar.training is not None:
            parts.append(f'<rect class="tr" x="{_f(label_width)}" y="{_f(y + 3)}" '
                         f'width="{_f(plot_w * bar.training / scale)}" height="5"/>')
        if bar.window is not None:
            parts.append(f'<rect class="{cls}" x="{_f(label_width)}" y="{_f(y + 9)}" '
                         f'width="{_f(plot_w * bar.window / scale)}" height="8"/>')
        value = percent(bar.window) if bar.window is not None else "–"
        if bar.count is not None:
            value += f" ×{bar.count:,}"
        if bar.training is not None:
            value += f'<tspan class="muted"> / {_e(percent(bar.training))}</tspan>'
        parts.append(f'<text x="{_f(label_width + plot_w + 6)}" y="{_f(y + 14)}">{value}</text>')
        body.append(f"<g>{''.join(parts)}</g>")
    return _svg(width, top * 2 + row * len(bars), label, body)


def _when(moment: _dt.datetime) -> str:
    return moment.strftime("%m-%d %H:%M")


def timeline(points: Sequence[TimelinePoint], *, label: str, span: tuple[_dt.datetime, _dt.datetime],
             reference: float | None = None, rate: bool = True, width: float = 250, height: float = 116) -> str:
    """A metric across windows (one point per window, at its middle), alarmed windows marked.

    ``span`` (the report's own window) is a strip under the time labels, ``reference`` (the
    training rate) drawn dashed; a gap in the values breaks the line.
    """
    left, right, top, bottom = 38.0, 6.0, 16.0, 26.0
    plot_w, plot_h = width - left - right, height - top - bottom
    first = min([p[0] for p in points] + [span[0]])
    last = max([p[1] for p in points] + [span[1]])
    seconds = max(1.0, (last - first).total_seconds())
    scale = _top([p[2] for p in points] + [reference], 0.01 if rate else 0.05)
    fmt = percent if rate else (lambda v: number(round(v, 3)))

    def x_of(moment: _dt.datetime) -> float:
        return left + plot_w * (moment - first).total_seconds() / seconds

    def y_of(value: float) -> float:
        return top + plot_h * (1 - min(value, scale) / scale)

    body = [f'<text class="title" x="{_f(left)}" y="11">{_e(label)}</text>',
            f'<rect class="span" x="{_f(x_of(span[0]))}" y="{_f(height - 3)}" '
            f'width="{_f(max(1.0, x_of(span[1]) - x_of(span[0])))}" height="3"/>']
    body += _y_axis(left, width - right, top, plot_h, scale, fmt)[::2]
    for start, end, _, alarm in points:
        if alarm:
            body.append(f'<rect class="band {alarm}" x="{_f(x_of(start))}" y="{_f(top)}" '
                        f'width="{_f(max(1.0, x_of(end) - x_of(start)))}" height="{_f(plot_h)}"/>')
    if reference is not None:
        y = y_of(reference)
        body.append(f'<line class="ref" x1="{_f(left)}" x2="{_f(width - right)}" y1="{_f(y)}" y2="{_f(y)}">'
                    f"<title>training {_e(fmt(reference))}</title></line>")
    runs: list[list[str]] = [[]]
    for start, end, value, _ in points:
        if value is None:
            runs.append([])
        else:
            runs[-1].append(f"{_f(x_of(start + (end - start) / 2))},{_f(y_of(value))}")
    body += [f'<polyline class="line" points="{" ".join(run)}"/>' for run in runs if len(run) > 1]
    for start, end, value, alarm in points:
        if value is not None and (alarm or len(points) <= 48):
            cls = f"dot {alarm}" if alarm else "dot"
            body.append(f'<circle class="{cls}" cx="{_f(x_of(start + (end - start) / 2))}" cy="{_f(y_of(value))}" '
                        f'r="{3.2 if alarm else 1.8}"><title>{_e(_when(start))}–{_e(_when(end))}: '
                        f"{_e(fmt(value))}{' (' + alarm + ')' if alarm else ''}</title></circle>")
    base = top + plot_h + 14
    body.append(f'<text x="{_f(left)}" y="{_f(base)}">{_e(_when(first))}</text>'
                f'<text x="{_f(width - right)}" y="{_f(base)}" text-anchor="end">{_e(_when(last))}</text>')
    return _svg(width, height, label, body)
