"""``featurewatch demo``: the whole loop on local files, no cluster, no network."""

from __future__ import annotations

import collections
from collections.abc import Callable
from pathlib import Path

from .. import logfiles
from ..shim import _state
from . import data

__all__ = ["write_training_data", "log_traffic", "summarise_logs"]


def write_training_data(workdir: Path) -> Path:
    """Write the demo model's training data as CSV and return its path."""
    path = workdir / "training.csv"
    data.training_frame().to_csv(path, index=False)
    return path


def log_traffic(log_dir: Path, per_hour: int = 2000, progress: Callable[[int], None] | None = None) -> int:
    """Log a day of demo traffic through the shim (``fw.log_request``) into ``log_dir``."""
    from ..shim.api import log_request

    _state.configure(log_dir=str(log_dir))
    count = 0
    try:
        for timestamp, features, prediction in data.traffic(per_hour=per_hour):
            log_request(model=data.MODEL, version=data.VERSION, features=features,
                        prediction=prediction, timestamp=timestamp)
            count += 1
            if progress is not None and count % 1000 == 0:
                progress(1000)
    finally:
        _state.flush()
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
