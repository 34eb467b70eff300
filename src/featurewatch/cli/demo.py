"""``featurewatch demo``."""

from __future__ import annotations

import shutil
from pathlib import Path

import sys

import click

from ..demo import data, run
from ._common import handle_errors


@click.command("demo")
@click.option("--workdir", type=click.Path(file_okay=False), default="featurewatch-demo", show_default=True,
              help="Folder for the demo's training data and logs (emptied first).")
@click.option("--per-hour", type=click.IntRange(10, 100000), default=2000, show_default=True,
              help="Requests per hour of demo traffic.")
@handle_errors
def command(workdir: str, per_hour: int) -> None:
    """Run the whole loop on local files: training data, a day of traffic, findings.

    \b
    Example:
      featurewatch demo --workdir /tmp/fw-demo
    """
    root = Path(workdir)
    logs = root / "logs"
    if logs.exists():
        shutil.rmtree(logs)
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
