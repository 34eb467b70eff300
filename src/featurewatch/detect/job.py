"""The ``detect`` and ``findings`` jobs as one call each, for Python callers as for the CLI.

:func:`run_detect_job` chooses the window source from the job and the
settings (a local log folder, or Elasticsearch aggregations when an
Elasticsearch URL is configured and no folder is given), runs detection,
works out the alert state against the previous window in the store (the
findings index in Elasticsearch, else the findings file), writes the
window's documents (findings and metrics indices, findings file, metrics
file) and posts the webhook when something is new or resolved or a reminder
is due. It returns the report, the alert state and the warnings; printing
and the exit code are the caller's.

:func:`list_incidents` reads the alert history back from the same stores.

Elasticsearch and the local reader are imported only by the path that uses
them: a local cron run does not load the Elasticsearch client.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from typing import TYPE_CHECKING, Any

from .. import record as R
from ..errors import BackendError, ConfigError
from ..settings import Settings, load_settings
from ..window import Window, format_bound

if TYPE_CHECKING:
    from ..baseline.model import Baseline
    from ..findings.alerts import AlertState
    from ..findings.history import Incident
    from ..findings.store import FindingsStore
    from ..findings.webhook import Webhook
    from ..profile import ProfileSource
    from .config import DetectConfig
    from .report import Finding, Report

__all__ = ["DetectJob", "DetectResult", "run_detect_job", "IncidentQuery", "list_incidents"]


@dataclasses.dataclass(frozen=True)
class DetectJob:
    """One detection run: which baseline and window, what counts as alarming, and where results go.

    ``log_dir`` forces the local files; without it the settings decide (an
    Elasticsearch URL means the cluster, otherwise ``settings.log_dir``).
    ``config`` defaults to the ``[detect]`` table of the settings.
    ``remind_every`` re-posts an ongoing alert after that much window time
    (None: never). ``reference_window`` also compares the window with that
    span of recent traffic just before it (sudden changes).
    ``min_records``/``max_lookback`` widen a quiet window back in time.
    """

    baseline: Baseline | str | os.PathLike[str]
    window: Window
    log_dir: str | os.PathLike[str] | None = None
    fail_on: str = "warning"
    findings_file: str | os.PathLike[str] | None = None
    metrics_file: str | os.PathLike[str] | None = None
    webhook: str | None = None
    remind_every: _dt.timedelta | None = None
    config: DetectConfig | None = None
    reference_window: _dt.timedelta | None = None
    min_records: int | None = None
    max_lookback: _dt.timedelta | None = None


@dataclasses.dataclass
class DetectResult:
    """What a run found, its alert state, where its counts came from, and what went wrong without stopping it."""

    report: Report
    fail_on: str
    state: AlertState
    #: Where the counts came from, for people ("local files in logs", "Elasticsearch at https://es:9200").
    source: str
    #: Whether a webhook post was made (or attempted, when it failed: see ``warnings``).
    notified: bool = False
    #: The source's notes about the window and failed webhook posts, one sentence each.
    warnings: list[str] = dataclasses.field(default_factory=list)

    @property
    def flagged(self) -> list[Finding]:
        """Findings at or above ``fail_on`` (none for ``never``)."""
        return self.report.flagged(self.fail_on)


def run_detect_job(job: DetectJob, settings: Settings | None = None) -> DetectResult:
    """Run ``job``: profile its window, detect, work out the alerts, write the documents, notify.

    Raises BaselineError/ConfigError (exit 2) for a bad baseline or
    configuration and BackendError (exit 1) when the source cannot be read or
    a store cannot be read or written. A failed webhook post is a warning.
    """
    from ..baseline import Baseline, load_baseline
    from ..findings.alerts import AlertState, alert_state
    from ..findings.documents import window_documents
    from ..findings.store import JsonlMetricsFile
    from .config import DetectConfig
    from .run import run_detection

    settings = settings or load_settings()
    webhook = _webhook(job)
    config = job.config or DetectConfig.from_table(settings.detect)
    baseline = job.baseline if isinstance(job.baseline, Baseline) else load_baseline(job.baseline)
    source, stores, where = _open(job, settings)
    report = run_detection(baseline, source, job.window.start, job.window.end, config,
                           reference_window=job.reference_window, min_records=job.min_records,
                           max_lookback=job.max_lookback)
    _stamp(report, job.window)
    state = AlertState([], [])
    if job.fail_on != "never":
        flagged = {(f.check, f.feature) for f in report.flagged(job.fail_on)}
        current = [doc for doc in report.finding_documents() if (doc["check"], doc["feature"]) in flagged]
        memory = stores[0] if stores else None
        previous = memory.previous_window(report.model, report.start) if memory else []
        recorded = memory.window(report.model, report.start, report.end) if memory else []
        state = alert_state(previous, current, report.start, report.end, job.remind_every, recorded)
    documents = window_documents(report, state.by_key(), state.resolved)
    for store in stores:
        store.write_window(documents)
    if job.metrics_file is not None:
        JsonlMetricsFile(job.metrics_file).write_window(documents)
    result = DetectResult(report=report, fail_on=job.fail_on, state=state, source=where,
                          warnings=list(report.notes))
    if webhook is not None:
        result.notified = state.notify
        try:
            webhook.notify(report, state)
        except BackendError as exc:
            result.warnings.append(f"{exc} (findings were still reported)")
    return result


def _webhook(job: DetectJob) -> Webhook | None:
    """The job's webhook, checked before any work (a bad URL is a ConfigError)."""
    if job.remind_every is not None and not job.webhook:
        raise ConfigError("a reminder interval needs a webhook to remind")
    if not job.webhook:
        return None
    from ..findings.webhook import Webhook

    return Webhook(job.webhook)


def _open(job: DetectJob, settings: Settings) -> tuple[ProfileSource, list[FindingsStore], str]:
    """The window source, the stores that go with it (the first one holds the alert state), and a description."""
    from ..findings.store import JsonlFindingsFile

    files: list[FindingsStore] = [JsonlFindingsFile(job.findings_file)] if job.findings_file is not None else []
    if settings.es.url and job.log_dir is None:
        from ..es.client import build_client, safe_url
        from ..es.sinks import ElasticsearchFindingsStore
        from ..es.source import ElasticsearchSource

        client = build_client(settings.es)
        prefix = settings.es.index_prefix
        return (ElasticsearchSource(client, prefix, url=settings.es.url),
                [ElasticsearchFindingsStore(client, prefix, url=settings.es.url), *files],
                f"Elasticsearch at {safe_url(settings.es.url)}")
    from ..profile import LocalSource

    folder = job.log_dir if job.log_dir is not None else settings.log_dir
    return LocalSource(folder), files, f"local files in {folder}"


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


@dataclasses.dataclass(frozen=True)
class IncidentQuery:
    """Which incidents to list: from the findings file, or else the Elasticsearch findings index.

    ``since`` keeps incidents whose last window ended at most that long before ``now``.
    """

    findings_file: str | os.PathLike[str] | None = None
    model: str | None = None
    feature: str | None = None
    since: _dt.timedelta | None = None
    now: _dt.datetime | None = None


def list_incidents(query: IncidentQuery, settings: Settings | None = None) -> list[Incident]:
    """The incidents of ``query``, oldest first (``featurewatch findings``).

    Raises DataError (exit 2) for a findings file that does not exist,
    MissingSetting when neither a file nor an Elasticsearch URL is given, and
    BackendError (exit 1) when the store cannot be read.
    """
    from ..findings.history import incidents
    from ..findings.store import JsonlFindingsFile
    from ..settings import MissingSetting

    settings = settings or load_settings()
    bound = None
    if query.since is not None:
        bound = (query.now or _dt.datetime.now(_dt.UTC)) - query.since
    store: FindingsStore
    if query.findings_file is not None:
        file = JsonlFindingsFile(query.findings_file)
        file.require()
        store = file
    elif settings.es.url:
        from ..es.client import build_client
        from ..es.sinks import ElasticsearchFindingsStore

        store = ElasticsearchFindingsStore(build_client(settings.es), settings.es.index_prefix, url=settings.es.url)
    else:
        raise MissingSetting("no findings file and no Elasticsearch URL", "es.url")
    # Whole incidents: a window before the bound may still belong to one that ends after it.
    found = incidents(store.alert_documents(model=query.model, feature=query.feature))
    return [i for i in found if bound is None or R.parse_timestamp(i.last_window_end) >= bound]
