"""Benchmark: ``featurewatch report`` against ``featurewatch detect`` on the same 1M-record window, and sizes.

The data are the detect benchmark's (``benchmarks/detect.py``: 1,000,000
logged records × 20 features, 10 numeric, 8 categorical, 2 short text, over
24 hours; a baseline of 200,000 training rows), made once per ``--workdir``.
Measured in the same run, each in its own subprocess and interleaved:

* ``featurewatch detect --format json`` over the whole day;
* ``featurewatch report -o report.html`` over the same day;

each by wall time and by CPU time (user + system, its worker processes
included), which a busy machine disturbs less. Their difference is what the
report costs beyond ``detect``; the report's own steps (assembling the
content, drawing, writing) are also timed in process. File sizes: that report, the same with a week of hourly history
(168 windows), the demo's report (``featurewatch demo``), and a model of 100
features without and with a week of hourly history. Usage::

    python benchmarks/report.py [--records 1000000] [--workdir /tmp/fw-bench] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))

from detect import START, generate, log_traffic, measure

DAY = dt.timedelta(hours=24)


def cpu_seconds() -> float:
    """User + system CPU of every finished child process so far (workers included once reaped)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def history_documents(report, windows: int, end: dt.datetime) -> tuple[list[dict], list[dict]]:
    """``windows`` hourly copies of ``report``'s metrics before ``end``, every 24th window alarming."""
    metrics, findings = [], []
    for i in range(windows):
        start = end - dt.timedelta(hours=windows - i)
        bounds = {"window.start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "window.end": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}
        metrics += [{**m, **bounds} for m in report.metrics]
        if i % 24 == 23:
            findings += [{"model": report.model, "window": {"start": bounds["window.start"],
                                                            "end": bounds["window.end"]},
                          "feature": m["feature"], "severity": "warning"} for m in report.metrics[::5]]
    return metrics, findings


def render_sizes(baseline, profile, window, history_windows: int) -> tuple[int, int, float]:
    """Report sizes (bytes) without and with ``history_windows`` of history, and the render time (s)."""
    from featurewatch.detect import detect_profile
    from featurewatch.report import assemble, history_from_documents, render_html

    report = detect_profile(baseline, profile)
    plain = render_html(assemble(baseline, profile, report, window=window))
    metrics, findings = history_documents(report, history_windows, window[1])
    began = time.perf_counter()
    history = history_from_documents(metrics, findings, model=baseline.model)
    full = render_html(assemble(baseline, profile, report, window=window, history=history))
    return len(plain.encode()), len(full.encode()), time.perf_counter() - began


def hundred_features(rows: int = 20_000):
    """A baseline of 100 features (50 numeric, 40 categorical, 10 text) and a window of ``rows`` rows."""
    from featurewatch.baseline import BaselineOptions, build_baseline
    from featurewatch.profile.frame import profile_frame

    def frame(n: int, seed: int) -> pd.DataFrame:
        parts = [generate(n, seed * 10 + k).add_suffix(f"_{k}") for k in range(5)]
        return pd.concat(parts, axis=1)

    training = frame(rows, 1)
    baseline = build_baseline(training, BaselineOptions(model="wide", versions=("1.0",),
                                                        kinds={c: "text" for c in training if c.startswith("text")}))
    window = (START, START + DAY)
    profile = profile_frame(baseline, frame(rows, 2), start=window[0].isoformat(), end=window[1].isoformat(),
                            versions={"1.0": rows})
    return baseline, profile, window


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=200_000)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each command (medians are reported).")
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="fw-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    logs, training, baseline_path = workdir / "logs", workdir / "training.parquet", workdir / "baseline.json"
    marker = workdir / f"data-{args.records}-{args.baseline_rows}.done"
    if not marker.exists():
        began = time.perf_counter()
        generate(args.baseline_rows, seed=1).to_parquet(training)
        log_traffic(generate(args.records, seed=2), logs)
        marker.touch()
        print(f"generated {args.baseline_rows:,} training rows and logged {args.records:,} records "
              f"in {time.perf_counter() - began:.1f} s ({workdir})")
    fw = [str(Path(sys.executable).parent / "featurewatch")]
    if not baseline_path.exists():
        wall, _, result = measure(fw + ["baseline", "build", str(training), "--model", "bench", "--version", "1.0",
                                        "-o", str(baseline_path)])
        if result.returncode:
            print(result.stderr)
            return 1
        print(f"baseline build: {wall:.1f} s")
    print(f"load average before: {os.getloadavg()[0]:.1f}")

    span = ["--start", START.isoformat(), "--end", (START + DAY).isoformat()]
    output = workdir / "report.html"
    detect_cmd = fw + ["detect", "--baseline", str(baseline_path), "--source", str(logs), *span, "--format", "json",
                       "--fail-on", "never"]
    report_cmd = fw + ["report", "--baseline", str(baseline_path), "--source", str(logs), *span, "-o", str(output)]
    # CPU time as well as wall time: on a shared machine the wall time of one run swings by seconds.
    walls: dict[str, list[float]] = {"detect": [], "report": []}
    cpus: dict[str, list[float]] = {"detect": [], "report": []}
    for _ in range(args.repeat):
        for name, command in (("detect", detect_cmd), ("report", report_cmd)):
            before = cpu_seconds()
            wall, _, result = measure(command)
            if result.returncode:
                print(result.stderr)
                return 1
            walls[name].append(wall)
            cpus[name].append(cpu_seconds() - before)
            print(f"  {name}: {wall:.2f} s wall, {cpus[name][-1]:.2f} s CPU (load average {os.getloadavg()[0]:.1f})")
    wall_d, wall_r = statistics.median(walls["detect"]), statistics.median(walls["report"])
    cpu_d, cpu_r = statistics.median(cpus["detect"]), statistics.median(cpus["report"])
    print(f"1M records, 20 features (medians of {args.repeat}): detect {wall_d:.2f} s wall / {cpu_d:.2f} s CPU, "
          f"report {wall_r:.2f} s wall / {cpu_r:.2f} s CPU; the report costs {wall_r - wall_d:+.2f} s wall, "
          f"{cpu_r - cpu_d:+.2f} s CPU beyond detect; {output.stat().st_size / 1024:.0f} KB")

    # In process: the report's own steps once the profile and the detection are done.
    from featurewatch.baseline import load_baseline
    from featurewatch.detect import detect_profile
    from featurewatch.profile import LocalSource
    from featurewatch.report import assemble, render_html, save_html

    baseline = load_baseline(baseline_path)
    began = time.perf_counter()
    profile = LocalSource(logs).profile(baseline, START, START + DAY)
    profiled = time.perf_counter()
    detection = detect_profile(baseline, profile)
    detected = time.perf_counter()
    save_html(render_html(assemble(baseline, profile, detection, window=(START, START + DAY))), output)
    written = time.perf_counter()
    print(f"in process: profile {profiled - began:.2f} s, checks {detected - profiled:.3f} s, "
          f"assemble + draw + write {1000 * (written - detected):.0f} ms")
    plain, full, seconds = render_sizes(baseline, profile, (START, START + DAY), 168)
    print(f"20 features: {plain / 1024:.0f} KB; with 168 hourly windows of history {full / 1024:.0f} KB "
          f"(drawn in {1000 * seconds:.0f} ms)")

    wide = hundred_features()
    plain, full, seconds = render_sizes(*wide, 168)
    print(f"100 features: {plain / 1024:.0f} KB; with 168 hourly windows of history {full / 1024:.0f} KB "
          f"(drawn in {1000 * seconds:.0f} ms)")

    from featurewatch.demo.run import run_demo
    from featurewatch.settings import load_settings

    demo = run_demo(workdir / "demo", settings=load_settings(environ={}))
    print(f"demo report ({len(demo.baseline.monitored())} features, 12 windows of history): "
          f"{demo.report.stat().st_size / 1024:.0f} KB")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
