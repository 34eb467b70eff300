"""Benchmark: local ``featurewatch detect`` vs Evidently's data-drift report (DESIGN.md §8).

1,000,000 logged records × 20 features (10 numeric, 8 categorical, 2 short
text), written by the shim as JSON-lines files over 24 hours, against a
baseline built from 200,000 training rows drawn from the same distribution
(so nothing has changed: every flagged feature is a false alarm).

Measured in the same run, each in its own subprocess:

* ``featurewatch detect --format json`` over the whole day: wall time and peak
  memory (the summed RSS of the process and its workers, sampled every 100 ms).
* Evidently's ``DataDriftPreset`` report on the same records, read from the
  same files (pyarrow's JSON reader, the fastest way to get them into pandas),
  with the training data as reference: wall time and peak memory.

Evidently 0.7 does not import with pandas 3, which featurewatch uses, so it
runs from its own virtualenv (``--evidently-python``, created by ``make bench``
at ``.venv/evidently``). Usage::

    python benchmarks/detect.py [--records 1000000] [--baseline-rows 200000] [--workdir /tmp/fw-bench]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

START = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
NUMERIC = [f"num_{i}" for i in range(10)]
CATEGORICAL = [f"cat_{i}" for i in range(8)]
TEXT = ["text_0", "text_1"]
CARDINALITY = [3, 5, 8, 12, 20, 50, 200, 1000]
WORDS = [f"w{i}" for i in range(3000)]


def _zipf_choice(rng: np.random.Generator, n: int, size: int, a: float = 1.1) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** a
    return rng.choice(n, size=size, p=weights / weights.sum())


def generate(n: int, seed: int) -> pd.DataFrame:
    """``n`` rows of the benchmark's distribution (the same for training and traffic)."""
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {}
    makers = [
        lambda: rng.normal(50, 10, n), lambda: rng.lognormal(3, 0.8, n), lambda: rng.uniform(0, 1, n),
        lambda: rng.poisson(4, n).astype(float), lambda: rng.beta(2, 5, n), lambda: rng.exponential(2.0, n),
        lambda: rng.normal(0, 1, n).round(2), lambda: rng.gamma(2.0, 3.0, n),
        lambda: rng.integers(18, 90, n).astype(float), lambda: rng.standard_t(5, n),
    ]
    for name, make in zip(NUMERIC, makers):
        columns[name] = make()
    for name, k in zip(CATEGORICAL, CARDINALITY):
        labels = np.array([f"{name}_v{i}" for i in range(k)], dtype=object)
        columns[name] = labels[_zipf_choice(rng, k, n)]
    vocabulary = np.array(WORDS, dtype=object)
    for name, size in zip(TEXT, (3000, 600)):
        counts = rng.integers(2, 7, n)
        words = vocabulary[_zipf_choice(rng, size, int(counts.sum()))]
        ends = np.cumsum(counts)
        columns[name] = [" ".join(words[e - c:e]) for c, e in zip(counts, ends)]
    return pd.DataFrame(columns)


def log_traffic(frame: pd.DataFrame, log_dir: Path) -> None:
    """Log ``frame`` through the shim (replay) over 24 hours from START."""
    from featurewatch import shim as _state
    from featurewatch.replay import ReplayColumns, replay_frame

    _state.configure(log_dir=str(log_dir))
    offsets = np.sort(np.random.default_rng(5).uniform(0, 24 * 3600, len(frame)))
    stamped = frame.assign(ts=pd.to_datetime(START) + pd.to_timedelta(offsets, unit="s"))
    replay_frame(stamped, ReplayColumns(timestamp="ts"), model="bench", version="1.0", source="bench")
    _state.flush()


def _memory(process: psutil.Process) -> int:
    """Proportional set size: shared pages (libraries, fork-shared memory) split between processes."""
    try:
        return process.memory_full_info().pss
    except (psutil.AccessDenied, AttributeError):
        return process.memory_info().rss


def measure(command: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run ``command``; return wall seconds, peak summed PSS (MB) of it and its children, the result.

    PSS, not RSS: summing the RSS of forked workers would count the pages they
    share with their parent (Python, numpy, pyarrow) once per process.
    """
    began = time.perf_counter()
    process = psutil.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    out_parts: list[str] = []
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            peak = max(peak, sum(_memory(p) for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.1)
    stdout, stderr = process.communicate()
    out_parts.append(stdout)
    wall = time.perf_counter() - began
    return wall, peak / 2**20, subprocess.CompletedProcess(command, process.returncode, "".join(out_parts), stderr)


EVIDENTLY_SCRIPT = textwrap.dedent("""
    import glob, json, sys
    import pandas as pd, pyarrow as pa, pyarrow.json as pj
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    log_dir, training, numeric, categorical, text = sys.argv[1], sys.argv[2], *[a.split(",") for a in sys.argv[3:6]]
    tables = [pj.read_json(p) for p in sorted(glob.glob(log_dir + "/**/featurewatch-*.jsonl", recursive=True))]
    table = pa.concat_tables(tables, promote_options="default")
    current = pd.DataFrame({name: table.column("features").combine_chunks().field(name).to_pandas()
                            for name in numeric + categorical + text})
    reference = pd.read_parquet(training)
    definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical, text_columns=text)
    report = Report([DataDriftPreset()])
    result = report.run(Dataset.from_pandas(current, data_definition=definition),
                        Dataset.from_pandas(reference, data_definition=definition))
    drifted, reported = [], None
    for metric in result.dict()["metrics"]:
        config = metric.get("config", {})
        if config.get("type", "").endswith("DriftedColumnsCount"):
            reported = metric["value"]["count"]
        if not config.get("type", "").endswith("ValueDrift"):
            continue
        value, threshold, method = metric["value"], config.get("threshold"), str(config.get("method", ""))
        # Evidently's rule: a p-value below the threshold, or a distance at or above it, is drift.
        if threshold is not None and ((value < threshold) if "p_value" in method else (value >= threshold)):
            drifted.append(config["column"])
    assert reported is None or int(reported) == len(drifted), (reported, drifted)
    print(json.dumps({"records": len(current), "drifted": sorted(set(drifted))}))
""")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=200_000)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--repeat", type=int, default=3, help="Runs of detect (the median is reported).")
    parser.add_argument("--evidently-python", default=str(Path(".venv/evidently/bin/python")),
                        help="Python of a virtualenv with evidently (and pandas<3) installed.")
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="fw-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    logs, training, baseline = workdir / "logs", workdir / "training.parquet", workdir / "baseline.json"
    marker = workdir / f"data-{args.records}-{args.baseline_rows}.done"
    if not marker.exists():
        began = time.perf_counter()
        generate(args.baseline_rows, seed=1).to_parquet(training)
        traffic = generate(args.records, seed=2)
        log_traffic(traffic, logs)
        del traffic
        marker.touch()
        print(f"generated {args.baseline_rows:,} training rows and logged {args.records:,} records "
              f"in {time.perf_counter() - began:.1f} s ({workdir})")
    size = sum(p.stat().st_size for p in logs.rglob("*.jsonl")) / 2**20
    files = len(list(logs.rglob("*.jsonl")))
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    bin_dir = Path(sys.executable).parent
    fw = [str(bin_dir / "featurewatch")]

    wall_b, peak_b, result = measure(fw + ["baseline", "build", str(training), "--model", "bench", "--version", "1.0",
                                            "-o", str(baseline)])
    if result.returncode:
        print(result.stderr)
        return 1
    print(f"baseline build: {wall_b:.1f} s, peak {peak_b:.0f} MB")

    end = START + dt.timedelta(hours=24)
    runs = []
    for _ in range(args.repeat):
        wall, peak, result = measure(fw + ["detect", "--baseline", str(baseline), "--source", str(logs),
                                           "--start", START.isoformat(), "--end", end.isoformat(),
                                           "--format", "json", "--fail-on", "never"])
        if result.returncode:
            print(result.stderr)
            return 1
        runs.append((wall, peak))
        print(f"  detect run: {wall:.1f} s, peak {peak:.0f} MB (load average {os.getloadavg()[0]:.1f})")
    wall_d = statistics.median(w for w, _ in runs)
    peak_d = max(p for _, p in runs)
    report = json.loads(result.stdout)
    alarms = [f for f in report["findings"] if f["severity"] in ("warning", "critical")]
    flagged_fw = sorted({f["feature"] for f in alarms})
    print(f"featurewatch detect: {report['records']:,} records in {files} files ({size:.0f} MB) "
          f"in {wall_d:.1f} s (median of {len(runs)}, best {min(w for w, _ in runs):.1f} s), "
          f"peak {peak_d:.0f} MB; features flagged at warning+: {len(flagged_fw)} {flagged_fw}")

    evidently = Path(args.evidently_python)
    if not evidently.exists():
        print(f"evidently: not run ({evidently} not found; `make bench` creates it)")
        return 0
    script = workdir / "evidently_drift.py"
    script.write_text(EVIDENTLY_SCRIPT)
    wall_e, peak_e, result = measure([str(evidently), str(script), str(logs), str(training), ",".join(NUMERIC),
                                      ",".join(CATEGORICAL), ",".join(TEXT)])
    if result.returncode:
        print(f"evidently: failed after {wall_e:.1f} s: {result.stderr.strip().splitlines()[-1:]}")
        return 0
    ev = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"evidently data drift: {ev['records']:,} records in {wall_e:.1f} s, peak {peak_e:.0f} MB; "
          f"features flagged: {len(ev['drifted'])} {ev['drifted']}")
    print(f"ratio: featurewatch is {wall_e / wall_d:.1f}x faster, uses {peak_e / max(peak_d, 1):.1f}x less memory")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end "
          f"(other work on the machine slows both tools)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
