"""The report: one self-contained HTML file of a window against its baseline, with history.

Python API::

    from featurewatch.report import ReportJob, write_report
    from featurewatch.window import aligned_window, parse_duration

    result = write_report(ReportJob(baseline="baseline.json", window=aligned_window(parse_duration("1d")),
                                    output="report.html", log_dir="logs", metrics_file="metrics.jsonl"))
    result.path, result.size, result.report.findings

Layers, each usable alone: :mod:`.history` (metrics and findings documents →
per-feature points), :mod:`.assemble` (baseline + profile + detection report →
:class:`ReportData`, plain data), :mod:`.html` and :mod:`.svg` (drawing),
:mod:`.job` (choosing the source, reading the history, writing the file).
"""

from __future__ import annotations

from .assemble import assemble
from .history import History, Point, history_from_documents, read_documents
from .html import render_html
from .job import DEFAULT_HISTORY, ReportJob, ReportResult, save_html, write_report
from .model import ReportData

__all__ = ["ReportJob", "ReportResult", "write_report", "save_html", "DEFAULT_HISTORY", "assemble", "render_html",
           "ReportData", "History", "Point", "history_from_documents", "read_documents"]
