"""The charts: one <svg> each, no URL in them, labels escaped, gaps and empty data drawn without failing."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

from featurewatch.report.model import Bar
from featurewatch.report.svg import hbars, histogram, timeline

T0 = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    return parser


def hour(h: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=h)


BINS = [Bar("below", 0.0, 0.1, tone="outside"), Bar("[1, 2)", 0.5, 0.3), Bar("[2, 3]", 0.5, 0.4),
        Bar("above", 0.0, 0.2, tone="outside")]


class TestHistogram:
    def test_one_svg_with_two_bars_per_bin_and_shaded_outer_bins(self):
        tags = parse(histogram(BINS, ["1", "2", "3"], label="x: distribution")).tags
        assert [t for t, _ in tags].count("svg") == 1 and tags[0][1]["aria-label"] == "x: distribution"
        classes = [a.get("class") for t, a in tags if t == "rect"]
        assert classes.count("shade") == 2 and classes.count("tr") == 2 and classes.count("wn") == 2
        assert classes.count("outside") == 2

    def test_empty_window_draws_training_only(self):
        bins = [Bar(b.label, b.training, None, tone=b.tone) for b in BINS]
        classes = [a.get("class") for t, a in parse(histogram(bins, ["1", "2", "3"], label="x")).tags if t == "rect"]
        assert "wn" not in classes and classes.count("tr") == 2


class TestHbars:
    def test_labels_and_titles_are_escaped(self):
        markup = hbars([Bar("<b>&", 0.1, 0.2, title='"quoted" <tag>')], label="a<b")
        assert "<b>&" not in markup and "&lt;b&gt;&amp;" in markup and 'aria-label="a&lt;b"' in markup
        assert '"quoted" <tag>' in "".join(parse(markup).text)

    def test_long_labels_are_cut_and_kept_whole_in_the_tooltip(self):
        name = "a-very-long-category-name-from-upstream"
        markup = hbars([Bar(name, None, 0.5, tone="new", title=name)], label="x")
        assert f"<title>{name}</title>" in markup and "a-very-long-category-na…" in markup

    def test_no_training_share_draws_the_window_bar_only(self):
        classes = [a.get("class") for t, a in parse(hbars([Bar("x", None, 0.5, tone="new")], label="x")).tags
                   if t == "rect"]
        assert classes == ["track", "new"]


class TestTimeline:
    def test_a_gap_breaks_the_line_and_alarms_are_marked(self):
        points = [(hour(h), hour(h + 1), v, a) for h, v, a in
                  [(0, 0.1, None), (1, 0.2, None), (2, None, None), (3, 0.4, "critical"), (4, 0.1, None)]]
        tags = parse(timeline(points, label="null rate", span=(hour(4), hour(5)), reference=0.05)).tags
        assert [t for t, _ in tags].count("polyline") == 2
        assert [a["class"] for t, a in tags if t == "rect" and "band" in a["class"]] == ["band critical"]
        assert [a["class"] for t, a in tags if t == "circle"].count("dot critical") == 1
        assert any(a.get("class") == "ref" for t, a in tags if t == "line")

    def test_one_point_and_all_zero_values_still_draw(self):
        markup = timeline([(hour(0), hour(1), 0.0, None)], label="x", span=(hour(0), hour(1)))
        assert markup.startswith("<svg") and "<circle" in markup


def test_no_chart_holds_a_url_or_a_namespace():
    """Inline SVG in HTML needs no xmlns: the page can hold no URL at all."""
    points = [(hour(h), hour(h + 1), 0.1 * h, None) for h in range(5)]
    markup = "".join([histogram(BINS, ["1", "2", "3"], label="h"), hbars(BINS, label="b"),
                      timeline(points, label="t", span=(hour(0), hour(5)), rate=False)])
    assert not re.search(r"[a-z]+://|xmlns|href", markup)
