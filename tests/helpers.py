"""Test helpers: datasets (synthetic and a real one shipped with scikit-learn), log folders, profiles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from featurewatch import record as R
from featurewatch import shim as _state
from featurewatch.baseline import BaselineOptions, build_baseline
from featurewatch.baseline.model import Baseline
from featurewatch.profile.frame import profile_frame as frame_profile
from featurewatch.profile.model import WindowProfile

START = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=2)
VOCABULARY = np.array([f"word{i}" for i in range(400)], dtype=object)


# --- datasets -----------------------------------------------------------------------------------

def synthetic_frame(n: int, seed: int) -> pd.DataFrame:
    """``n`` rows of a synthetic model's inputs: every kind, a closed and a long-tailed category."""
    rng = np.random.default_rng(seed)
    tail = 1.0 / np.arange(1, 301) ** 1.2
    counts = rng.integers(3, 8, n)
    words = VOCABULARY[rng.choice(400, size=int(counts.sum()), p=(w := 1.0 / np.arange(1, 401)) / w.sum())]
    ends = np.cumsum(counts)
    frame = pd.DataFrame({
        "amount": rng.lognormal(5, 0.6, n).round(2),
        "age": rng.integers(18, 80, n),
        "ratio": rng.beta(2, 5, n),
        "colour": rng.choice(np.array(["red", "green", "blue", "black"], dtype=object), n, p=[0.4, 0.3, 0.2, 0.1]),
        "merchant": np.array([f"m{i}" for i in range(300)], dtype=object)[rng.choice(300, n, p=tail / tail.sum())],
        "member": rng.random(n) < 0.3,
        "note": [" ".join(words[e - c:e]) for c, e in zip(counts, ends)],
        "user_id": [f"u{v}" for v in rng.integers(0, 10**9, n)],
    })
    frame.loc[rng.random(n) < 0.02, "ratio"] = np.nan
    frame["score"] = np.round(1 / (1 + np.exp(-(frame["age"] - 50) / 10)), 4)
    return frame


def synthetic_baseline(rows: int = 20000) -> Baseline:
    options = BaselineOptions(model="synth", versions=("1.0",), prediction="score")
    return build_baseline(synthetic_frame(rows, seed=1), options)


def diabetes_frame() -> pd.DataFrame:
    """scikit-learn's bundled diabetes data (442 patients; no download), raw units, sex as a label."""
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True, scaled=False).frame
    frame["sex"] = frame["sex"].map({1.0: "female", 2.0: "male"})
    return frame


def diabetes_baseline() -> Baseline:
    options = BaselineOptions(model="diabetes", versions=("2.0",), prediction="target")
    return build_baseline(diabetes_frame(), options)


# --- profiles straight from a DataFrame (large windows without writing files) -----------------

def profile_frame(baseline: Baseline, frame: pd.DataFrame, *, prediction: str | None = None,
                  versions: dict[str, int] | None = None) -> WindowProfile:
    """The window profile of ``frame``'s rows over the test window (the library's DataFrame source).

    Versions default to every row being of the baseline's first version.
    """
    return frame_profile(baseline, frame, prediction=prediction, start=R.format_timestamp(START),
                         end=R.format_timestamp(END),
                         versions=versions if versions is not None else {baseline.versions[0]: len(frame)})


# --- log folders written by the shim ----------------------------------------------------------

def write_logs(log_dir: Path, frame: pd.DataFrame, *, model: str, version: str = "1.0",
               prediction: str | None = None, start: dt.datetime = START, end: dt.datetime = END,
               seed: int = 3) -> Path:
    """Log ``frame``'s rows through the shim at times spread over ``[start, end)``."""
    from featurewatch.replay import ReplayColumns, replay_frame

    _state.configure(log_dir=str(log_dir))
    span = (end - start).total_seconds()
    offsets = np.sort(np.random.default_rng(seed).uniform(0, span, len(frame)))
    stamped = frame.assign(_ts=pd.Timestamp(start) + pd.to_timedelta(offsets, unit="s"))
    replay_frame(stamped, ReplayColumns(timestamp="_ts", prediction=prediction), model=model, version=version,
                 source=f"test-{seed}")
    _state.flush()
    return log_dir


def write_records(log_dir: Path, records: list[dict[str, Any]], hour: dt.datetime = START) -> Path:
    """Write raw record dicts (any content) into one log file of ``hour``, bypassing the shim."""
    import orjson

    from featurewatch import logfiles

    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / logfiles.file_name(logfiles.hour_key(hour), "test-0-raw")
    with path.open("ab") as handle:
        for item in records:
            handle.write(orjson.dumps(item) + b"\n")
    return path


def raw_record(features: dict[str, Any], *, model: str = "synth", version: str = "1.0",
               at: dt.datetime = START + dt.timedelta(minutes=5), prediction: Any = 0.5,
               row: int = 0) -> dict[str, Any]:
    """One record in the record format, with ``features_present``/``features_null`` filled in."""
    return {R.SCHEMA: 1, R.TIMESTAMP: R.format_timestamp(at), R.MODEL: model, R.MODEL_VERSION: version,
            R.REQUEST_ID: f"r{row}", R.ROW: 0, R.FEATURES: features, R.FEATURES_PRESENT: list(features),
            R.FEATURES_NULL: [k for k, v in features.items() if v is None], R.PREDICTION: prediction}
