"""Metrics history: per feature, the metrics of recent windows and which of them alarmed.

``detect`` leaves one metrics document per window and feature (the metrics
file of ``--metrics-file``, or the Elasticsearch metrics index) and one
document per finding (the findings file or index). The report's "over time"
charts need both: the metrics draw the lines, the findings mark the windows
that alarmed (a finding at ``warning`` or above; a document saying an alert
``resolved`` is not an alarm). Documents are read in either shape the stores
use — ``"window": {"start", "end"}`` or flat ``"window.start"``/``"window.end"``
(the in-memory :attr:`featurewatch.detect.Report.metrics`) — so a caller with
reports in hand (the demo) passes their documents directly.

Pure except :func:`read_documents`, the one reader of a JSON-lines file.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from .. import record as R
from ..detect.report import severity_rank
from ..errors import BackendError, DataError

__all__ = ["Point", "History", "history_from_documents", "read_documents", "ALARM_RANK"]

#: A window alarmed for a feature when it had a finding of at least this rank (1: warning).
ALARM_RANK = 1


@dataclasses.dataclass(frozen=True)
class Point:
    """One window of one feature: its bounds, its metrics, and the worst alarming severity (None: quiet)."""

    start: _dt.datetime
    end: _dt.datetime
    metrics: Mapping[str, float | None]
    alarm: str | None = None


@dataclasses.dataclass(frozen=True)
class History:
    """Points per feature, oldest first; empty when no history was given."""

    points: Mapping[str, list[Point]] = dataclasses.field(default_factory=dict)

    def of(self, feature: str) -> list[Point]:
        return list(self.points.get(feature, []))

    @property
    def windows(self) -> int:
        """Distinct windows in the history (over every feature)."""
        return len({(p.start, p.end) for points in self.points.values() for p in points})


def _bounds(doc: Mapping[str, Any]) -> tuple[_dt.datetime, _dt.datetime] | None:
    window = doc.get("window")
    start, end = (window.get("start"), window.get("end")) if isinstance(window, dict) else (
        doc.get("window.start"), doc.get("window.end"))
    try:
        return R.parse_timestamp(str(start)), R.parse_timestamp(str(end))
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def history_from_documents(metrics: Iterable[Mapping[str, Any]], findings: Iterable[Mapping[str, Any]] = (), *,
                           model: str, since: _dt.datetime | None = None,
                           until: _dt.datetime | None = None) -> History:
    """The history of ``model``'s windows that end in ``(since, until]`` (unbounded where None).

    A window seen twice (an old line a rerun did not replace) keeps the last
    document read.
    """
    def wanted(doc: Mapping[str, Any]) -> tuple[_dt.datetime, _dt.datetime] | None:
        bounds = _bounds(doc) if doc.get("model") == model else None
        if bounds is None or (since is not None and bounds[1] <= since) or (until is not None and bounds[1] > until):
            return None
        return bounds

    alarms: dict[tuple[str, _dt.datetime, _dt.datetime], str] = {}
    for doc in findings:
        bounds = wanted(doc)
        severity = str(doc.get("severity"))
        if bounds is None or doc.get("alert") == "resolved" or severity_rank(severity) < ALARM_RANK:
            continue
        key = (str(doc.get("feature")), *bounds)
        if key not in alarms or severity_rank(severity) > severity_rank(alarms[key]):
            alarms[key] = severity
    found: dict[str, dict[tuple[_dt.datetime, _dt.datetime], Point]] = {}
    for doc in metrics:
        bounds = wanted(doc)
        feature = doc.get("feature")
        if bounds is None or not isinstance(feature, str):
            continue
        values = {k: _number(v) for k, v in doc.items() if k not in _NOT_METRICS}
        found.setdefault(feature, {})[bounds] = Point(*bounds, values, alarms.get((feature, *bounds)))
    return History({name: [by[key] for key in sorted(by)] for name, by in found.items()})


#: Keys of a metrics document that are not metrics.
_NOT_METRICS = frozenset({"id", "@timestamp", "model", "feature", "window", "window.start", "window.end", "records"})


def read_documents(path: str | os.PathLike[str], what: str) -> list[dict[str, Any]]:
    """Every JSON object in the JSON-lines file ``path`` (lines that are not are skipped).

    ``what`` names the file in messages ("metrics file"). A missing file is a
    DataError (exit 2: a wrong path is a usage mistake), an unreadable one a
    BackendError.
    """
    file = Path(path)
    if not file.is_file():
        raise DataError(f"{what} not found: {file}")
    try:
        lines = file.read_bytes().splitlines()
    except OSError as exc:
        raise BackendError(f"cannot read {what} {file}: {exc.strerror or exc}") from None
    docs = []
    for line in lines:
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(doc, dict):
            docs.append(doc)
    return docs
