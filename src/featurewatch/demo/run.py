"""``featurewatch demo``: the whole loop on local files, no cluster, no network.

:func:`run_demo` is the whole job (training data, traffic, baseline,
detection over every window, and the score: incidents found, clean windows
quiet); the other functions are its steps, which tests call one by one.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as _dt
import shlex
from collections.abc import Callable, Iterable
from pathlib import Path

from .. import logfiles
from .. import shim as _shim
from ..baseline import Baseline, BaselineOptions, build_baseline, save_baseline
from ..datafiles import read_table
from ..detect import DetectConfig, Report, run_detection
from ..kibana.spec import ModelSpec, spec_from_baseline
from ..profile import LocalSource
from ..settings import Settings, load_settings
from . import data
from .report import write_demo_report
from .workdir import DemoFolder

__all__ = ["run_demo", "claim_workdir", "DemoRun", "write_training_data", "log_traffic", "summarise_logs",
           "build_demo_baseline", "demo_windows", "detect_windows", "DemoWindow", "demo_spec", "DEMO_OPTIONS",
           "detect_command", "TRAINING_FILE", "BASELINE_FILE", "REPORT_FILE"]


#: What the demo writes in its folder besides ``logs/``.
TRAINING_FILE = "training.csv"
BASELINE_FILE = "baseline.json"
REPORT_FILE = "report.html"


def write_training_data(workdir: Path) -> Path:
    """Write the demo model's training data as CSV and return its path."""
    path = workdir / TRAINING_FILE
    data.training_frame().to_csv(path, index=False)
    return path


def log_traffic(log_dir: Path, per_hour: int = 2000, progress: Callable[[int], None] | None = None) -> int:
    """Log a day of demo traffic through the shim (``fw.log_request``) into ``log_dir``."""
    from ..shim.api import log_request

    _shim.configure(log_dir=str(log_dir))
    count = 0
    try:
        for timestamp, features, prediction in data.traffic(per_hour=per_hour):
            log_request(model=data.MODEL, version=data.VERSION, features=features,
                        prediction=prediction, timestamp=timestamp)
            count += 1
            if progress is not None and count % 1000 == 0:
                progress(1000)
    finally:
        _shim.flush()
    return count


def summarise_logs(files: Iterable[Path]) -> list[tuple[str, int]]:
    """``(file hour, records)`` per hour of the demo's log files, for its printout."""
    per_hour: collections.Counter[str] = collections.Counter()
    for path in files:
        hour = logfiles.hour_of(path)
        assert hour is not None
        with path.open("rb") as handle:
            per_hour[hour.strftime("%Y-%m-%d %H:00")] += sum(1 for _ in handle)
    return sorted(per_hour.items())


#: How the demo builds its baseline: kinds inferred, the score watched as the prediction.
DEMO_OPTIONS = BaselineOptions(model=data.MODEL, versions=(data.VERSION,), prediction="score")


def build_demo_baseline(training: Path, output: Path) -> Baseline:
    """The demo model's baseline from its training CSV (what ``baseline build`` does), saved to ``output``."""
    baseline = build_baseline(read_table(training), DEMO_OPTIONS, source={"path": training.name})
    save_baseline(baseline, output)
    return baseline


@dataclasses.dataclass(frozen=True)
class DemoWindow:
    """A window the demo checks: clean (expect nothing at warning+) or an incident (expect its check)."""

    start: _dt.datetime
    end: _dt.datetime
    incident: data.Incident | None


def demo_windows(hours: int = 2) -> list[DemoWindow]:
    """Every incident window, and the clean periods cut into ``hours``-long windows, in time order."""
    windows = [DemoWindow(i.start, i.end, i) for i in data.INCIDENTS]
    step = _dt.timedelta(hours=hours)
    for start, end in data.CLEAN_WINDOWS:
        moment = start
        while moment < end:
            windows.append(DemoWindow(moment, min(moment + step, end), None))
            moment += step
    return sorted(windows, key=lambda w: w.start)


def detect_windows(baseline: Baseline, log_dir: Path, config: DetectConfig | None = None,
                   hours: int = 2) -> list[tuple[DemoWindow, Report]]:
    """Run detection over each demo window on the local files."""
    source = LocalSource(log_dir, workers=1)
    return [(window, run_detection(baseline, source, window.start, window.end, config))
            for window in demo_windows(hours)]


def demo_spec() -> ModelSpec:
    """The demo credit model for Kibana, with the kinds its baseline infers from the demo training data."""
    return spec_from_baseline(build_baseline(data.training_frame(), DEMO_OPTIONS))


@dataclasses.dataclass
class DemoRun:
    """Everything one run of the demo made and found, in the order it happened."""

    training: Path
    training_rows: int
    logs: Path
    logged: int
    #: ``(file hour, records)`` per hour of traffic.
    hours: list[tuple[str, int]]
    baseline_path: Path
    baseline: Baseline
    results: list[tuple[DemoWindow, Report]]
    #: The HTML report of the whole day (:mod:`featurewatch.demo.report`).
    report: Path

    @property
    def incidents_found(self) -> int:
        """Incident windows whose injected check and feature were flagged at warning or above."""
        return sum(1 for window, report in self.results if window.incident is not None and any(
            f.check == window.incident.check and f.feature == window.incident.feature
            for f in report.flagged("warning")))

    @property
    def clean_windows(self) -> int:
        return sum(1 for window, _ in self.results if window.incident is None)

    @property
    def clean_quiet(self) -> int:
        """Clean windows with nothing at warning or above (the demo's false-alarm score)."""
        return sum(1 for window, report in self.results if window.incident is None and not report.flagged("warning"))


def claim_workdir(workdir: str | Path) -> DemoFolder:
    """Take ``workdir`` for the demo, or refuse it (exit 2) before anything is written: see :func:`run_demo`."""
    return DemoFolder.claim(workdir, replaces=(TRAINING_FILE, BASELINE_FILE, REPORT_FILE))


def run_demo(workdir: str | Path | DemoFolder, *, per_hour: int = 2000, settings: Settings | None = None,
             progress: Callable[[int], None] | None = None) -> DemoRun:
    """The whole demo in ``workdir``: training data, a day of traffic in ``workdir/logs``, baseline, detection,
    and the day's HTML report (``workdir/report.html``).

    ``workdir`` must be new, empty, or a folder an earlier demo made
    (:class:`featurewatch.demo.workdir.DemoFolder`, or one :func:`claim_workdir`
    took): only the demo's own files there are replaced, and anything else is
    refused (exit 2) before a file is touched. ``progress`` is called with the number of requests logged
    since its last call. Thresholds come from the settings' ``[detect]`` table.
    """
    folder = workdir if isinstance(workdir, DemoFolder) else claim_workdir(workdir)
    root = folder.root
    folder.replace(TRAINING_FILE)
    training = write_training_data(root)
    folder.record([training])
    with training.open("rb") as handle:
        rows = sum(1 for _ in handle) - 1
    logs = root / "logs"
    folder.remove_own("logs")
    theirs = set(logfiles.log_files(logs)) if logs.exists() else set()
    try:
        logged = log_traffic(logs, per_hour=per_hour, progress=progress)
    finally:
        ours = [path for path in logfiles.log_files(logs) if path not in theirs]
        folder.record(ours)
    baseline_path = folder.replace(BASELINE_FILE)
    baseline = build_demo_baseline(training, baseline_path)
    folder.record([baseline_path])
    settings = settings or load_settings()
    config = DetectConfig.from_table(settings.detect)
    results = detect_windows(baseline, logs, config)
    report_path = folder.replace(REPORT_FILE)
    report = write_demo_report(baseline, logs, [r for _, r in results], report_path, config, settings)
    folder.record([report.path])
    return DemoRun(training=training, training_rows=rows, logs=logs, logged=logged, hours=summarise_logs(ours),
                   baseline_path=baseline_path, baseline=baseline, results=results, report=report.path)


def detect_command(run: DemoRun, window: DemoWindow) -> str:
    """The ``featurewatch detect`` command line that reproduces one of the demo's windows by hand."""
    start, end = (moment.strftime("%Y-%m-%dT%H:%M:%SZ") for moment in (window.start, window.end))
    return (f"featurewatch detect --baseline {shlex.quote(str(run.baseline_path))} "
            f"--source {shlex.quote(str(run.logs))} --start {start} --end {end}")
