"""The demo's report: the whole day of traffic against the baseline, its 2-hour windows as the history."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from ..baseline import Baseline
from ..detect import DetectConfig, Report
from ..report import ReportJob, ReportResult, history_from_documents, write_report
from ..settings import Settings
from ..window import Window
from . import data

__all__ = ["write_demo_report"]


def write_demo_report(baseline: Baseline, logs: Path, reports: list[Report], output: Path,
                      config: DetectConfig | None = None, settings: Settings | None = None) -> ReportResult:
    """Write ``output``: the day in ``logs``, with ``reports`` (the demo's windows) drawn over time.

    The windows' own metrics and findings are the history, as a metrics
    file and a findings file would give them to ``featurewatch report``.
    """
    history = history_from_documents([m for r in reports for m in r.metrics],
                                     [d for r in reports for d in r.finding_documents()], model=baseline.model)
    day = Window(data.TRAFFIC_START, data.TRAFFIC_START + _dt.timedelta(days=1))
    return write_report(ReportJob(baseline=baseline, window=day, output=output, log_dir=logs, history=history,
                                  config=config), settings)
