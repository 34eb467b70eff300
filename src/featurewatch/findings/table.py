"""Rendering: tables readable at a glance (worst first, wrapped to the terminal), and the JSON contracts.

Tables wrap long cells onto more lines instead of cutting names, and colour
severities only when asked (the CLI asks when stdout is a terminal), so
piped output and cron mail stay plain text.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import orjson

from .documents import alert_key

if TYPE_CHECKING:
    from ..detect.report import Report
    from .alerts import AlertState
    from .history import Incident

__all__ = ["render_table", "render_json", "render_incidents", "render_incidents_json", "DEFAULT_WIDTH"]

#: Width when the terminal's is unknown (cron mail, a pipe).
DEFAULT_WIDTH = 100
_GAP = "  "
_MIN_WIDTH = 8
_ANSI = {"critical": "\x1b[1;31m", "warning": "\x1b[33m", "info": "\x1b[2m", "new": "\x1b[1m",
         "open": "\x1b[1;31m", "resolved": "\x1b[32m"}
_RESET = "\x1b[0m"


def _paint(text: str, word: str, color: bool) -> str:
    code = _ANSI.get(word)
    return f"{code}{text}{_RESET}" if color and code else text


def _widths(headers: Sequence[str], rows: Sequence[Sequence[str]], fixed: set[int], width: int,
            minimum: dict[int, int] | None = None) -> list[int]:
    """Column widths that fit ``width``: natural widths, the widest shrinkable column narrowed first."""
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]
    floor = {i: (minimum or {}).get(i, _MIN_WIDTH) for i in range(len(headers))}
    room = width - len(_GAP) * (len(headers) - 1)
    while sum(widths) > room:
        candidates = [i for i in range(len(widths)) if i not in fixed and widths[i] > floor[i]]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: (widths[i], i))
        widths[widest] -= 1
    return widths


def _grid(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int, *, fixed: set[int],
          paint: dict[int, str] | None = None, color: bool = False,
          details: Sequence[str | None] = (), minimum: dict[int, int] | None = None) -> list[str]:
    """Header and rows, each cell wrapped to its column; column ``i`` in ``paint`` is coloured by its value."""
    widths = _widths(headers, rows, fixed, width, minimum)
    lines = [_GAP.join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    for number, row in enumerate(rows):
        cells = [textwrap.wrap(text, w, break_long_words=True, break_on_hyphens=False) or [""]
                 for text, w in zip(row, widths)]
        for depth in range(max(len(c) for c in cells)):
            parts = []
            for i, (cell, w) in enumerate(zip(cells, widths)):
                text = (cell[depth] if depth < len(cell) else "").ljust(w)
                parts.append(_paint(text, row[i], color) if paint and i in paint else text)
            lines.append(_GAP.join(parts).rstrip())
        detail = details[number] if number < len(details) else None
        if detail:
            lines.extend(textwrap.wrap(detail, max(width, 20), initial_indent="    ", subsequent_indent="    ",
                                       break_long_words=True, break_on_hyphens=False))
    return lines


def render_table(report: Report, *, details: bool = True, state: AlertState | None = None,
                 width: int = DEFAULT_WIDTH, color: bool = False) -> str:
    """A header line, one row per finding (what was expected, what was seen), a summary line.

    With ``details`` each row is followed by the finding's full message.
    With ``state`` an ALERT column says which findings are new or ongoing,
    and the alerts that stopped are listed after the table.
    """
    lines = textwrap.wrap(f"model {report.model} · window {report.start} → {report.end} · {report.records:,} records",
                          max(width, 20), subsequent_indent="  ", break_on_hyphens=False)
    alerts = state.by_key() if state is not None else {}
    if report.findings:
        headers = ["SEVERITY", *(["ALERT"] if state is not None else []), "CHECK", "FEATURE", "EXPECTED", "SEEN"]
        rows, messages = [], []
        for finding in report.findings:
            alert = alerts.get((finding.check, finding.feature, finding.reference))
            status = [alert.status if alert else "-"] if state is not None else []
            rows.append([str(finding.severity), *status, finding.check, finding.feature or "-",
                         finding.baseline or "-", finding.observed or "-"])
            message = finding.message
            if alert is not None and alert.status == "ongoing":
                message += f" (alarming since {alert.since})"
            messages.append(message if details else None)
        fixed = {0, 1} if state is not None else {0}
        paint = {0: "severity", **({1: "alert"} if state is not None else {})}
        lines += _grid(headers, rows, width, fixed=fixed, paint=paint, color=color, details=messages)
        counts = {s: sum(1 for f in report.findings if str(f.severity) == s) for s in ("critical", "warning", "info")}
        lines.append(", ".join(f"{n} {s}" for s, n in counts.items() if n))
    else:
        lines.append("no findings")
    if state is not None and state.resolved:
        lines.append("resolved:")
        for alert in state.resolved:
            wrapped = textwrap.wrap(f"resolved {alert.severity} {alert.describe()}", max(width, 20),
                                    initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False)
            wrapped[0] = wrapped[0].replace("resolved", _paint("resolved", "resolved", color), 1)
            lines.extend(wrapped)
    return "\n".join(lines) + "\n"


def render_json(report: Report, state: AlertState | None = None) -> str:
    """The ``detect --format json`` object of DESIGN.md §3, one line.

    With ``state``, findings at or above ``--fail-on`` carry ``alert`` and
    ``since``, and ``resolved`` lists what stopped alarming in this window.
    """
    doc: dict[str, Any] = report.to_json()
    if state is not None:
        alerts = state.by_key()
        for finding in doc["findings"]:
            alert = alerts.get(alert_key(finding))
            if alert is not None:
                finding["alert"], finding["since"] = alert.status, alert.since
        doc["resolved"] = [alert.to_json() for alert in state.resolved]
    return orjson.dumps(doc).decode("utf-8")


def render_incidents(found: Sequence[Incident], *, width: int = DEFAULT_WIDTH, color: bool = False) -> str:
    """One row per incident, oldest first: status, what, worst severity, first and last window, windows."""
    if not found:
        return "no incidents\n"
    headers = ["STATUS", "MODEL", "CHECK", "FEATURE", "WORST", "FROM", "TO", "WINDOWS"]
    rows = [[i.status, i.model, i.check, i.feature or "-", i.worst_severity, _readable(i.first_window_start),
             _readable(i.last_window_end), str(i.windows)] for i in found]
    lines = _grid(headers, rows, width, fixed={0, 4, 7}, paint={0: "status", 4: "severity"}, color=color,
                  minimum={5: 10, 6: 10})
    still = sum(1 for i in found if i.status == "open")
    lines.append(f"{len(found)} incident{'s' if len(found) != 1 else ''}, {still} open")
    return "\n".join(lines) + "\n"


def _readable(moment: str) -> str:
    """``2026-11-20T02:00:00Z`` → ``2026-11-20 02:00:00Z``: a narrow terminal wraps it between date and time."""
    return moment.replace("T", " ", 1)


def render_incidents_json(found: Sequence[Incident]) -> str:
    """The ``featurewatch findings --format json`` list of DESIGN.md §3, one line."""
    return orjson.dumps([incident.to_json() for incident in found]).decode("utf-8")
