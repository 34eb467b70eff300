"""``featurewatch demo``: the whole loop on local files, no cluster, no network."""

from __future__ import annotations

import collections
import dataclasses
import datetime as _dt
from collections.abc import Callable
from pathlib import Path

from .. import logfiles
from .. import shim as _shim
from ..baseline import Baseline, BaselineOptions, build_baseline, save_baseline
from ..datafiles import read_table
from ..detect import DetectConfig, Report, run_detection
from ..profile import LocalSource
from . import data

__all__ = ["write_training_data", "log_traffic", "summarise_logs", "build_demo_baseline", "demo_windows",
           "detect_windows", "DemoWindow"]


def write_training_data(workdir: Path) -> Path:
    """Write the demo model's training data as CSV and return its path."""
    path = workdir / "training.csv"
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


def summarise_logs(log_dir: Path) -> list[tuple[str, int]]:
    """``(file hour, records)`` per hour of log files, for the demo's printout."""
    per_hour: collections.Counter[str] = collections.Counter()
    for path in logfiles.log_files(log_dir):
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
