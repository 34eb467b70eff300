"""The ``report`` job as one call: everything ``featurewatch report`` does, for Python callers too.

:func:`write_report` profiles the window once (local files, or
Elasticsearch aggregations when an Elasticsearch URL is configured and no
folder is given, as ``detect`` does), runs detection on that profile, reads
the metrics history, and writes one HTML file. The profile is the expensive
part and is shared by the detection and the charts, so a report costs one
``detect`` plus the drawing (milliseconds per feature).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BackendError
from ..settings import Settings, load_settings
from ..window import Window, format_bound
from .history import History, history_from_documents, read_documents

if TYPE_CHECKING:
    from ..baseline.model import Baseline
    from ..detect.config import DetectConfig
    from ..detect.report import Report
    from ..profile import ProfileSource
    from .model import ReportData

__all__ = ["ReportJob", "ReportResult", "write_report", "save_html", "DEFAULT_HISTORY"]

#: How far back the "over time" charts reach by default: a week of windows before the report's end.
DEFAULT_HISTORY = _dt.timedelta(days=7)


@dataclasses.dataclass(frozen=True)
class ReportJob:
    """One report: which baseline and window, where the history comes from, and where the file goes.

    ``log_dir`` forces the local files; without it the settings decide (an
    Elasticsearch URL means the cluster, otherwise ``settings.log_dir``).
    The history is ``history`` when given (documents already in hand, as in
    the demo); otherwise metrics from ``metrics_file`` and alarms from
    ``findings_file``, each falling back to the cluster's metrics and
    findings indices when the counts come from Elasticsearch.
    """

    baseline: Baseline | str | os.PathLike[str]
    window: Window
    output: str | os.PathLike[str]
    log_dir: str | os.PathLike[str] | None = None
    metrics_file: str | os.PathLike[str] | None = None
    findings_file: str | os.PathLike[str] | None = None
    history_span: _dt.timedelta = DEFAULT_HISTORY
    history: History | None = None
    config: DetectConfig | None = None


@dataclasses.dataclass
class ReportResult:
    """What was written, and what detection found on the way."""

    path: Path
    #: Size of the file written, in bytes.
    size: int
    data: ReportData
    report: Report
    #: Where the counts came from, for people.
    source: str
    #: The source's notes about the window.
    warnings: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class _Opened:
    source: ProfileSource
    where: str
    #: ``(client, prefix, url)`` when the counts come from Elasticsearch.
    cluster: tuple[Any, str, str] | None = None


def write_report(job: ReportJob, settings: Settings | None = None) -> ReportResult:
    """Profile ``job.window``, detect, read the history, write the HTML file.

    Raises BaselineError/ConfigError/DataError (exit 2) for a bad baseline,
    configuration or history file, BackendError (exit 1) when the source
    cannot be read or the file cannot be written.
    """
    from ..baseline import Baseline, load_baseline
    from ..detect.config import DetectConfig
    from ..detect.run import detect_profile
    from .assemble import assemble
    from .html import render_html

    settings = settings or load_settings()
    config = job.config or DetectConfig.from_table(settings.detect)
    baseline = job.baseline if isinstance(job.baseline, Baseline) else load_baseline(job.baseline)
    opened = _open(job, settings)
    history = job.history if job.history is not None else _history(job, opened, baseline.model)
    profile = opened.source.profile(baseline, job.window.start, job.window.end)
    report = detect_profile(baseline, profile, config)
    report.notes = list(getattr(opened.source, "notes", []))
    data = assemble(baseline, profile, report, window=(job.window.start, job.window.end), history=history,
                    source=opened.where, generated=format_bound(_dt.datetime.now(_dt.UTC)))
    path = Path(job.output)
    size = save_html(render_html(data), path)
    return ReportResult(path=path, size=size, data=data, report=report, source=opened.where,
                        warnings=list(report.notes))


def _open(job: ReportJob, settings: Settings) -> _Opened:
    """The window source (as ``detect`` chooses it) and, for Elasticsearch, the client for the history."""
    if settings.es.url and job.log_dir is None:
        from ..es.client import build_client, safe_url
        from ..es.source import ElasticsearchSource

        client = build_client(settings.es)
        prefix = settings.es.index_prefix
        return _Opened(ElasticsearchSource(client, prefix, url=settings.es.url),
                       f"Elasticsearch at {safe_url(settings.es.url)}", (client, prefix, settings.es.url))
    from ..profile import LocalSource

    folder = job.log_dir if job.log_dir is not None else settings.log_dir
    return _Opened(LocalSource(folder), f"local files in {folder}")


def _history(job: ReportJob, opened: _Opened, model: str) -> History:
    """Metrics and findings documents of the windows ending in the span before the report's end."""
    metrics: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    if job.metrics_file is not None:
        metrics = read_documents(job.metrics_file, "metrics file")
    if job.findings_file is not None:
        findings = read_documents(job.findings_file, "findings file")
    since = job.window.end - job.history_span
    if opened.cluster is not None and (job.metrics_file is None or job.findings_file is None):
        from ..es.history import search_history

        client, prefix, url = opened.cluster
        from_cluster = search_history(client, prefix, model, since, job.window.end, url=url)
        metrics = metrics if job.metrics_file is not None else from_cluster[0]
        findings = findings if job.findings_file is not None else from_cluster[1]
    return history_from_documents(metrics, findings, model=model, since=since, until=job.window.end)


def save_html(text: str, path: str | os.PathLike[str]) -> int:
    """Write ``text`` to ``path`` atomically (a temporary file, then a rename); return the bytes written."""
    target = Path(path)
    data = text.encode("utf-8")
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
    except OSError as exc:
        raise BackendError(f"cannot write the report {target}: {exc.strerror or exc}") from None
    try:
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise BackendError(f"cannot write the report {target}: {exc.strerror or exc}") from None
    return len(data)
