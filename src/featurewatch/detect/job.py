"""The ``detect`` job as one call: everything ``featurewatch detect`` does, for Python callers too.

:func:`run_detect_job` chooses the window source from the job and the
settings (a local log folder, or Elasticsearch aggregations when an
Elasticsearch URL is configured and no folder is given), runs detection,
writes the findings where they go (the Elasticsearch findings and metrics
indices, the findings file) and posts the webhook. It returns the report with
the source's notes and any failed post as warnings; deciding the exit code
and printing are the caller's.

Elasticsearch and the local reader are imported only by the path that uses
them: a local cron run does not load the Elasticsearch client.
"""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING, Any

from ..errors import BackendError
from ..settings import Settings, load_settings
from ..window import Window, format_bound

if TYPE_CHECKING:
    from ..baseline.model import Baseline
    from ..findings.sinks import FindingsSink
    from ..profile import ProfileSource
    from .config import DetectConfig
    from .report import Finding, Report

__all__ = ["DetectJob", "DetectResult", "run_detect_job"]


@dataclasses.dataclass(frozen=True)
class DetectJob:
    """One detection run: which baseline and window, what counts as alarming, and where results go.

    ``log_dir`` forces the local files; without it the settings decide (an
    Elasticsearch URL means the cluster, otherwise ``settings.log_dir``).
    ``config`` defaults to the ``[detect]`` table of the settings.
    """

    baseline: Baseline | str | os.PathLike[str]
    window: Window
    log_dir: str | os.PathLike[str] | None = None
    fail_on: str = "warning"
    findings_file: str | os.PathLike[str] | None = None
    webhook: str | None = None
    config: DetectConfig | None = None


@dataclasses.dataclass
class DetectResult:
    """What a run found, where its counts came from, and what went wrong on the way without stopping it."""

    report: Report
    fail_on: str
    #: Where the counts came from, for people ("local files in logs", "Elasticsearch at https://es:9200").
    source: str
    #: The source's notes about the window and failed webhook posts, one sentence each.
    warnings: list[str] = dataclasses.field(default_factory=list)

    @property
    def flagged(self) -> list[Finding]:
        """Findings at or above ``fail_on`` (none for ``never``)."""
        return self.report.flagged(self.fail_on)


def run_detect_job(job: DetectJob, settings: Settings | None = None) -> DetectResult:
    """Run ``job``: profile its window, detect, write findings and metrics, post the webhook.

    Raises BaselineError/ConfigError (exit 2) for a bad baseline or
    configuration and BackendError (exit 1) when the source cannot be read or
    a findings store cannot be written. A failed webhook post is a warning.
    """
    from ..baseline import Baseline, load_baseline
    from .config import DetectConfig
    from .run import run_detection

    settings = settings or load_settings()
    config = job.config or DetectConfig.from_table(settings.detect)
    baseline = job.baseline if isinstance(job.baseline, Baseline) else load_baseline(job.baseline)
    source, sinks, where = _open(job, settings)
    report = run_detection(baseline, source, job.window.start, job.window.end, config)
    _stamp(report, job.window)
    result = DetectResult(report=report, fail_on=job.fail_on, source=where, warnings=list(report.notes))
    if job.findings_file is not None:
        from ..findings.sinks import JsonlFindingsFile

        sinks.append(JsonlFindingsFile(job.findings_file))
    for sink in sinks:
        sink.write(report)
    if job.webhook:
        from ..findings.webhook import WebhookSink

        try:
            WebhookSink(job.webhook, fail_on=job.fail_on).write(report)
        except BackendError as exc:
            result.warnings.append(f"{exc} (findings were still reported)")
    return result


def _open(job: DetectJob, settings: Settings) -> tuple[ProfileSource, list[FindingsSink], str]:
    """The window source, the sinks that go with it, and a description of it."""
    if settings.es.url and job.log_dir is None:
        from ..es.client import build_client, safe_url
        from ..es.sinks import ElasticsearchFindingsSink
        from ..es.source import ElasticsearchSource

        client = build_client(settings.es)
        prefix = settings.es.index_prefix
        return (ElasticsearchSource(client, prefix, url=settings.es.url),
                [ElasticsearchFindingsSink(client, prefix, url=settings.es.url)],
                f"Elasticsearch at {safe_url(settings.es.url)}")
    from ..profile import LocalSource

    folder = job.log_dir if job.log_dir is not None else settings.log_dir
    return LocalSource(folder), [], f"local files in {folder}"


def _stamp(report: Report, window: Window) -> None:
    """Write the window's bounds as :func:`featurewatch.window.format_bound` does, in the report and its metrics.

    The sources hand back the bounds in the record's timestamp format (with
    microseconds); findings, metrics and output carry them without a fraction.
    """
    old = {report.start: format_bound(window.start), report.end: format_bound(window.end)}
    report.start, report.end = format_bound(window.start), format_bound(window.end)
    for metric in report.metrics:
        for key in ("@timestamp", "window.start", "window.end"):
            value: Any = metric.get(key)
            if isinstance(value, str) and value in old:
                metric[key] = old[value]
