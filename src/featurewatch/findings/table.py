"""Rendering a report: a table readable at a glance (worst first), or the JSON contract."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

if TYPE_CHECKING:
    from ..detect.report import Report

__all__ = ["render_table", "render_json"]

_COLUMNS = (("SEVERITY", 8), ("CHECK", 18), ("FEATURE", 20), ("EXPECTED", 28), ("SEEN", 40))


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(report: Report, *, details: bool = True) -> str:
    """A header line, one row per finding (what was expected, what was seen), a summary line.

    With ``details`` each row is followed by the finding's full message.
    """
    lines = [f"model {report.model} · window {report.start} → {report.end} · {report.records:,} records"]
    if not report.findings:
        lines.append("no findings")
        return "\n".join(lines) + "\n"
    lines.append("  ".join(name.ljust(width) for name, width in _COLUMNS).rstrip())
    for finding in report.findings:
        cells = (finding.severity, finding.check, finding.feature or "-", finding.baseline or "-",
                 finding.observed or "-")
        lines.append("  ".join(_cut(c, w).ljust(w) for c, (_, w) in zip(cells, _COLUMNS)).rstrip())
        if details:
            lines.append(f"    {finding.message}")
    counts = {s: sum(1 for f in report.findings if f.severity == s) for s in ("critical", "warning", "info")}
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items() if n))
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    """The ``detect --format json`` object of DESIGN.md §3, one line."""
    return orjson.dumps(report.to_json()).decode("utf-8")
