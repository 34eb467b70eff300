"""``featurewatch demo``."""

from __future__ import annotations

__all__ = ["command"]

import sys
from pathlib import Path

import click

from ..demo import data, run
from ..detect import DetectConfig
from ..findings import render_table
from ..logfiles import log_files
from ..settings import load_settings
from ._common import handle_errors


@click.command("demo")
@click.option("--workdir", type=click.Path(file_okay=False), default="featurewatch-demo", show_default=True,
              help="Folder for the demo's training data, baseline and logs (WORKDIR/logs; featurewatch "
                   "log files of an earlier run there are deleted, other files are left alone).")
@click.option("--per-hour", type=click.IntRange(10, 100000), default=2000, show_default=True,
              help="Requests per hour of demo traffic.")
@handle_errors
def command(workdir: str, per_hour: int) -> None:
    """Run the whole loop on local files: training data, a day of traffic, findings.

    Builds the baseline from the demo's training data, logs a day of traffic
    with incidents at known times, then runs detection over every 2-hour
    window: incident windows show their findings, clean windows none.

    \b
    Example:
      featurewatch demo --workdir /tmp/fw-demo
    """
    root = Path(workdir)
    logs = root / "logs"
    # Only our own files: WORKDIR may be a folder whose logs/ holds the user's files.
    for stale in log_files(logs):
        stale.unlink()
    root.mkdir(parents=True, exist_ok=True)
    training = run.write_training_data(root)
    click.echo(f"training data: {training} ({sum(1 for _ in training.open()) - 1} rows)")
    with click.progressbar(length=per_hour * 24, label="logging demo traffic", file=sys.stderr) as bar:
        count = run.log_traffic(logs, per_hour=per_hour, progress=bar.update)
    click.echo(f"logged {count} requests of model {data.MODEL!r} {data.VERSION} into {logs}")
    for hour, records in run.summarise_logs(logs):
        click.echo(f"  {hour}  {records:6d} records")
    click.echo("injected incidents:")
    for incident in data.INCIDENTS:
        click.echo(f"  {incident.start:%H:%M}-{incident.end:%H:%M}  {incident.check:<17} "
                   f"{incident.feature:<17} {incident.description}")
    baseline_path = root / "baseline.json"
    baseline = run.build_demo_baseline(training, baseline_path)
    click.echo(f"baseline: {baseline_path} ({len(baseline.features)} features + prediction)")
    config = DetectConfig.from_table(load_settings().detect)
    matched = clean_ok = 0
    results = run.detect_windows(baseline, logs, config)
    for window, report in results:
        flagged = report.flagged("warning")
        label = f"incident: {window.incident.check} on {window.incident.feature}" if window.incident else "clean"
        click.echo(f"\n=== {window.start:%H:%M}-{window.end:%H:%M} ({label}) ===")
        click.echo(render_table(report, details=bool(flagged)), nl=False)
        if window.incident is None:
            clean_ok += not flagged
        elif any(f.check == window.incident.check and f.feature == window.incident.feature for f in flagged):
            matched += 1
    clean = sum(1 for w, _ in results if w.incident is None)
    click.echo(f"\nincidents found: {matched} of {len(data.INCIDENTS)}; "
               f"clean windows with nothing at warning or above: {clean_ok} of {clean}")
