"""The ``detect`` and ``findings`` jobs as one call each, for Python callers as for the CLI.

:func:`run_detect_job` chooses the window source from the job and the
settings (a local log folder, or Elasticsearch aggregations when an
Elasticsearch URL is configured and no folder is given), takes the baseline
(a file, an object, or with ``model`` the one registered in the cluster),
runs detection, works out the alert state against the previous window in
the store (the findings index in Elasticsearch, else the findings file),
writes the window's documents (findings and metrics indices, findings file,
metrics file) and posts the webhook when something is new or resolved or a
reminder is due. It returns the report, the alert state and the warnings;
printing and the exit code are the caller's.

:func:`run_all_models` does the same for every model registered in the
cluster, in one process and a fixed number of requests whatever the number
of models: the latest baselines (one search), the field mappings (one
look-up), every model's profile searches (one ``_msearch``), the alert
memory (two ``_msearch``) and every model's documents (one bulk request);
``reference_window`` adds one ``_msearch``, and widening quiet windows one
per step back.

:func:`list_incidents` reads the alert history back from the same stores.

Elasticsearch and the local reader are imported only by the path that uses
them: a local cron run does not load the Elasticsearch client.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .. import record as R
from ..errors import BackendError, ConfigError
from ..settings import Settings, load_settings
from ..window import Window, format_bound

if TYPE_CHECKING:
    from ..baseline.model import Baseline
    from ..es.baselines import BaselineRegistry
    from ..es.sinks import ElasticsearchFindingsStore
    from ..es.source import ElasticsearchSource
    from ..findings.alerts import AlertState
    from ..findings.documents import WindowDocuments
    from ..findings.history import Incident
    from ..findings.store import FindingsStore
    from ..findings.webhook import Webhook
    from ..profile import ProfileSource
    from ..profile.model import WindowProfile
    from .config import DetectConfig
    from .report import Finding, Report

__all__ = ["DetectJob", "DetectResult", "run_detect_job", "AllModelsResult", "run_all_models", "IncidentQuery",
           "list_incidents"]


@dataclasses.dataclass(frozen=True)
class DetectJob:
    """One detection run: which baseline and window, what counts as alarming, and where results go.

    ``baseline`` is a :class:`Baseline` or a baseline file; None with
    ``model`` takes that model's latest baseline registered in the cluster
    (``setup --baseline``), and None without it is for :func:`run_all_models`.
    ``log_dir`` forces the local files; without it the settings decide (an
    Elasticsearch URL means the cluster, otherwise ``settings.log_dir``).
    ``config`` defaults to the ``[detect]`` table of the settings.
    ``remind_every`` re-posts an ongoing alert after that much window time
    (None: never). ``reference_window`` also compares the window with that
    span of recent traffic just before it (sudden changes).
    ``min_records``/``max_lookback`` widen a quiet window back in time.
    """

    baseline: Baseline | str | os.PathLike[str] | None
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
    #: With ``baseline`` None: the model whose registered baseline to take.
    model: str | None = None


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
    from .config import DetectConfig
    from .run import run_detection

    settings = settings or load_settings()
    webhook = _webhook(job)
    config = job.config or DetectConfig.from_table(settings.detect)
    if job.baseline is None and job.model is None:
        raise ConfigError("no baseline: give a baseline file, or the model whose registered baseline to take")
    loaded = _load(job.baseline)
    if loaded is not None and job.model is not None and loaded.model != job.model:
        raise ConfigError(f"the baseline is of model {loaded.model!r}, not {job.model!r}")
    opened = _open(job, settings)
    baseline = loaded if loaded is not None else opened.registered(str(job.model))
    report = run_detection(baseline, opened.source, job.window.start, job.window.end, config,
                           reference_window=job.reference_window, min_records=job.min_records,
                           max_lookback=job.max_lookback)
    _stamp(report, job.window)
    memory = opened.stores[0] if opened.stores else None
    previous: list[dict[str, Any]] = []
    recorded: list[dict[str, Any]] = []
    if job.fail_on != "never" and memory is not None:
        previous = memory.previous_window(report.model, report.start)
        recorded = memory.window(report.model, report.start, report.end)
    result, documents = _conclude(job, report, previous, recorded, opened.where)
    for store in opened.stores:
        store.write_window(documents)
    _deliver(job, result, documents, webhook)
    return result


@dataclasses.dataclass
class AllModelsResult:
    """What :func:`run_all_models` found: a result per model that ran, and why the others could not."""

    window: Window
    results: list[DetectResult]
    #: Model name → the one-line reason it could not be checked (its searches failed, its mappings...).
    failures: dict[str, str]
    #: Where the counts came from ("Elasticsearch at https://es:9200").
    source: str

    @property
    def flagged(self) -> list[str]:
        """The models with a finding at or above ``fail_on``."""
        return [r.report.model for r in self.results if r.flagged]


def run_all_models(job: DetectJob, settings: Settings | None = None) -> AllModelsResult:
    """Run ``job``'s window for every model registered in the cluster: one process, a fixed number of requests.

    ``job.baseline`` and ``job.model`` must be None; everything else applies
    to every model (findings file, metrics file and webhook included). A
    model that cannot be checked is listed in ``failures`` and the others
    still run; BackendError (exit 1) when the cluster cannot be read at all,
    BaselineError (exit 2) when no baseline is registered.
    """
    from ..errors import BaselineError
    from ..findings.store import JsonlFindingsFile
    from .config import DetectConfig
    from .run import detect_profile

    if job.baseline is not None or job.model is not None:
        raise ConfigError("every registered model is checked: give no baseline and no model")
    settings = settings or load_settings()
    webhook = _webhook(job)
    config = job.config or DetectConfig.from_table(settings.detect)
    if not settings.es.url or job.log_dir is not None:
        from ..settings import MissingSetting

        raise MissingSetting("checking every registered model needs the cluster they are registered in", "es.url")
    cluster = _cluster(settings)
    with cluster.errors():
        baselines = cluster.registry.latest_all()
    if not baselines:
        raise BaselineError(f"no baselines registered in {cluster.registry.index}: register them with "
                            f"`featurewatch setup --es URL --baseline FILE`")
    start, end = job.window.start, job.window.end
    failures: dict[str, str] = {}
    with cluster.errors():
        source = _Spans(cluster.source, cluster.source.layout_info())
    profiles, notes = _profiles(source, list(baselines.values()), start, end, failures)
    if job.min_records and job.max_lookback:
        _widen_all(source, baselines, profiles, notes, failures, job)
    references: dict[str, WindowProfile] = {}
    if job.reference_window is not None and profiles:
        references, later = _profiles(source, [baselines[m] for m in profiles], start - job.reference_window,
                                      start, failures)
        for model, extra in later.items():
            notes[model] += [n for n in extra if n not in notes[model]]
    reports = []
    for model, profile in profiles.items():
        if model in failures:
            continue
        report = detect_profile(baselines[model], profile, config, reference=references.get(model))
        report.notes = notes[model] + report.notes
        _stamp(report, job.window)
        reports.append(report)
    memories = cluster.store.alert_memories([(r.model, r.start, r.end) for r in reports])
    files = [JsonlFindingsFile(job.findings_file)] if job.findings_file is not None else []
    concluded = []
    for report in reports:
        previous, recorded = memories[report.model]
        if job.fail_on == "never":
            previous, recorded = [], []
        concluded.append(_conclude(job, report, previous, recorded, cluster.where))
    cluster.store.write_windows([documents for _, documents in concluded],
                                {model: recorded for model, (_, recorded) in memories.items()})
    for result, documents in concluded:
        for file in files:
            file.write_window(documents)
        _deliver(job, result, documents, webhook)
    return AllModelsResult(job.window, [result for result, _ in concluded], failures, cluster.where)


@dataclasses.dataclass(frozen=True)
class _Spans:
    """The Elasticsearch source with the field mappings looked up once for every span a run profiles."""

    source: ElasticsearchSource
    layout_info: Mapping[str, Any]


def _profiles(spans: _Spans, baselines: list[Baseline], start: _dt.datetime, end: _dt.datetime,
              failures: dict[str, str]) -> tuple[dict[str, WindowProfile], dict[str, list[str]]]:
    """Every model's profile of ``[start, end)`` (one ``_msearch``) and notes; what failed goes to ``failures``."""
    profiles: dict[str, WindowProfile] = {}
    notes: dict[str, list[str]] = {}
    for outcome in spans.source.profiles(baselines, start, end, layout_info=spans.layout_info):
        if outcome.error is not None or outcome.profile is None:
            failures[outcome.model] = str(outcome.error)
            continue
        profiles[outcome.model], notes[outcome.model] = outcome.profile, list(outcome.notes)
    return profiles, notes


def _widen_all(source: _Spans, baselines: dict[str, Baseline], profiles: dict[str, WindowProfile],
               notes: dict[str, list[str]], failures: dict[str, str], job: DetectJob) -> None:
    """:func:`featurewatch.detect.run.run_detection`'s widening of quiet windows, for every model at once.

    Each step back is one ``_msearch`` for the models still quiet; a model
    leaves as soon as it holds ``min_records`` (the same rule, step and note
    as one model's run).
    """
    min_records, max_lookback = int(job.min_records or 0), job.max_lookback or _dt.timedelta(0)
    start, end = job.window.start, job.window.end
    step, reach = end - start, start
    quiet = [m for m, p in profiles.items() if p.records < min_records]
    reached = dict.fromkeys(quiet, start)
    while quiet and start - (reach - step) <= max_lookback:
        reach -= step
        wider, _ = _profiles(source, [baselines[m] for m in quiet], reach, end, failures)
        for model, profile in wider.items():
            profiles[model], reached[model] = profile, reach
        quiet = [m for m in quiet if m in wider and wider[m].records < min_records]
    for model, back in reached.items():
        if model in failures:
            continue
        profile = profiles[model]
        if back != start:
            profiles[model] = dataclasses.replace(profile, start=R.format_timestamp(start))
        notes[model].append(f"the window held fewer than {min_records:,} records: counted {profile.records:,} "
                            f"records from {R.format_timestamp(back)} to its end (up to {max_lookback} back)")


def _load(baseline: Baseline | str | os.PathLike[str] | None) -> Baseline | None:
    from ..baseline import Baseline, load_baseline

    if baseline is None or isinstance(baseline, Baseline):
        return baseline
    return load_baseline(baseline)


def _conclude(job: DetectJob, report: Report, previous: list[dict[str, Any]], recorded: list[dict[str, Any]],
              where: str) -> tuple[DetectResult, WindowDocuments]:
    """The alert state of ``report`` against the previous window and what this window recorded, and its documents."""
    from ..findings.alerts import AlertState, alert_state
    from ..findings.documents import alert_key, window_documents

    state = AlertState([], [])
    if job.fail_on != "never":
        flagged = {(f.check, f.feature, f.reference) for f in report.flagged(job.fail_on)}
        current = [doc for doc in report.finding_documents() if alert_key(doc) in flagged]
        state = alert_state(previous, current, report.start, report.end, job.remind_every, recorded)
    documents = window_documents(report, state.by_key(), state.resolved)
    result = DetectResult(report=report, fail_on=job.fail_on, state=state, source=where, warnings=list(report.notes))
    return result, documents


def _deliver(job: DetectJob, result: DetectResult, documents: WindowDocuments, webhook: Webhook | None) -> None:
    """The metrics file and the webhook post (a failed post is a warning)."""
    from ..findings.store import JsonlMetricsFile

    if job.metrics_file is not None:
        JsonlMetricsFile(job.metrics_file).write_window(documents)
    if webhook is not None:
        result.notified = result.state.notify
        try:
            webhook.notify(result.report, result.state)
        except BackendError as exc:
            result.warnings.append(f"{exc} (findings were still reported)")


def _webhook(job: DetectJob) -> Webhook | None:
    """The job's webhook, checked before any work (a bad URL is a ConfigError)."""
    if job.remind_every is not None and not job.webhook:
        raise ConfigError("a reminder interval needs a webhook to remind")
    if not job.webhook:
        return None
    from ..findings.webhook import Webhook

    return Webhook(job.webhook)


@dataclasses.dataclass
class _Opened:
    """The window source, the stores that go with it (the first one holds the alert state), a description,
    and the cluster when the source is Elasticsearch."""

    source: ProfileSource
    stores: list[FindingsStore]
    where: str
    cluster: _Cluster | None = None

    def registered(self, model: str) -> Baseline:
        """``model``'s latest baseline registered in the cluster (only with an Elasticsearch source)."""
        if self.cluster is None:
            raise ConfigError(f"the baseline of model {model!r} is taken from the cluster it is registered in: "
                              f"give --es URL (or a baseline file)")
        with self.cluster.errors():
            return self.cluster.registry.latest(model)


@dataclasses.dataclass
class _Cluster:
    """One client and everything detection uses on it."""

    url: str
    source: ElasticsearchSource
    store: ElasticsearchFindingsStore
    registry: BaselineRegistry
    where: str

    def errors(self) -> Any:
        from ..es.client import backend_errors

        return backend_errors(self.url)


def _cluster(settings: Settings) -> _Cluster:
    from ..es.baselines import BaselineRegistry
    from ..es.client import build_client, safe_url
    from ..es.sinks import ElasticsearchFindingsStore
    from ..es.source import ElasticsearchSource

    url, prefix = str(settings.es.url), settings.es.index_prefix
    client = build_client(settings.es)
    return _Cluster(url, ElasticsearchSource(client, prefix, url=url),
                    ElasticsearchFindingsStore(client, prefix, url=url), BaselineRegistry(client, prefix, url=url),
                    f"Elasticsearch at {safe_url(url)}")


def _open(job: DetectJob, settings: Settings) -> _Opened:
    """Where the job's counts come from and its documents go."""
    from ..findings.store import JsonlFindingsFile

    files: list[FindingsStore] = [JsonlFindingsFile(job.findings_file)] if job.findings_file is not None else []
    if settings.es.url and job.log_dir is None:
        cluster = _cluster(settings)
        return _Opened(cluster.source, [cluster.store, *files], cluster.where, cluster)
    from ..profile import LocalSource

    folder = job.log_dir if job.log_dir is not None else settings.log_dir
    return _Opened(LocalSource(folder), files, f"local files in {folder}")


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
