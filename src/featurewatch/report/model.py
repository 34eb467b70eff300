"""What a report shows, as plain data: the page's content before any HTML or SVG.

:func:`featurewatch.report.assemble.assemble` fills these from a baseline, a
window profile, the detection report and the metrics history;
:func:`featurewatch.report.html.render_html` draws them. Keeping the two
apart lets tests check the numbers without parsing markup, and lets another
renderer (a notebook, a different chart style) reuse the same content.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt

from ..detect.report import Finding
from .history import Point

__all__ = ["Bar", "Stat", "NumericView", "CategoryView", "TextView", "FeatureSection", "VersionRow",
           "ReportData"]


@dataclasses.dataclass(frozen=True)
class Bar:
    """One row of a chart: a label and the training and window shares (None: not applicable).

    ``tone`` colours the window's bar: ``known`` (a value training knew),
    ``new`` (a new value, unseen tokens), ``outside`` (outside the training
    range, a wrong type) or ``other`` (known values grouped together).
    """

    label: str
    training: float | None
    window: float | None
    tone: str = "known"
    #: The window's count behind ``window`` (shown next to the bar).
    count: int | None = None
    #: Longer text for the tooltip (bin ranges, full category names).
    title: str = ""


@dataclasses.dataclass(frozen=True)
class Stat:
    """One line of a training-vs-window table (already formatted for people)."""

    label: str
    training: str
    window: str


@dataclasses.dataclass(frozen=True)
class NumericView:
    """A number on the baseline's own bins: one bar per bin, outer bins outside the training range."""

    bins: list[Bar]
    #: Bin boundaries as labels (``len(bins) - 1`` of them).
    edges: list[str]
    stats: list[Stat]


@dataclasses.dataclass(frozen=True)
class CategoryView:
    """Shares of known values (the most common, the rest grouped) and of new values, named."""

    bars: list[Bar]
    stats: list[Stat]
    #: New values of the window with their counts, most frequent first (the kept examples).
    new_values: list[tuple[str, int]]
    #: Values of the window that training never had, in all.
    new_total: int
    values: int


@dataclasses.dataclass(frozen=True)
class TextView:
    """Tokens per text, and the unseen tokens the window brought most often."""

    stats: list[Stat]
    #: The most frequent unseen tokens, as shares of the window's texts that contain them.
    top_unseen: list[Bar]


@dataclasses.dataclass(frozen=True)
class FeatureSection:
    """Everything the report shows about one feature (or the prediction)."""

    name: str
    kind: str
    anchor: str
    findings: list[Finding]
    #: Records carrying the feature, training vs window.
    present: Bar
    #: Nulls among present values.
    null: Bar
    stats: list[Stat]
    #: Values of a JSON type the kind does not accept (None for identifiers, whose values are not read).
    violations: Bar | None = None
    #: The share of new values (categorical) or unseen tokens (text); training: what it predicts (Good–Turing).
    novelty: Bar | None = None
    numeric: NumericView | None = None
    categories: CategoryView | None = None
    text: TextView | None = None
    #: The window's drift score (the shift check's Jensen–Shannon distance), where the kind has one.
    drift: float | None = None
    history: list[Point] = dataclasses.field(default_factory=list)

    @property
    def rates(self) -> list[Bar]:
        """The rates drawn for every feature: presence, nulls, type violations and novelty where they apply."""
        return [bar for bar in (self.present, self.null, self.violations, self.novelty) if bar is not None]

    @property
    def worst(self) -> str | None:
        """The worst severity among the feature's findings (findings come worst first)."""
        return self.findings[0].severity.value if self.findings else None

    @property
    def alarming(self) -> bool:
        """A finding at warning or above."""
        return any(f.severity.rank >= 1 for f in self.findings)


@dataclasses.dataclass(frozen=True)
class VersionRow:
    version: str
    records: int
    share: float
    expected: bool


@dataclasses.dataclass(frozen=True)
class ReportData:
    """The whole page: the window at the top, then one section per feature, alarming ones first."""

    model: str
    start: _dt.datetime
    end: _dt.datetime
    records: int
    training_rows: int
    versions: list[VersionRow]
    findings: list[Finding]
    sections: list[FeatureSection]
    #: Lines in the window's files that are not records.
    unreadable: int = 0
    #: Where the counts came from, for people ("local files in logs").
    source: str = ""
    #: The source's warnings about the window.
    notes: list[str] = dataclasses.field(default_factory=list)
    #: Windows in the metrics history (0: no history was given).
    history_windows: int = 0
    generated: str = ""

    def anchor_of(self, feature: str | None) -> str:
        """The link target of a finding's feature: its section, or the window summary."""
        for section in self.sections:
            if section.name == feature:
                return section.anchor
        return "window"
