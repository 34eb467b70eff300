"""``featurewatch demo``: parse, :func:`featurewatch.demo.run.run_demo`, print the windows and the score."""

from __future__ import annotations

__all__ = ["command"]

import shutil
import sys

import click

from ._common import handle_errors


@click.command("demo")
@click.option("--workdir", type=click.Path(file_okay=False), default="featurewatch-demo", show_default=True,
              help="Folder for the demo's training data, baseline and logs (WORKDIR/logs). It must be new, "
                   "empty, or made by an earlier demo, whose files are replaced; nothing else is touched.")
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
    from ..demo import data
    from ..demo.run import claim_workdir, detect_command, run_demo
    from ..findings import render_table

    folder = claim_workdir(workdir)  # a folder that is not the demo's is refused before the progress bar shows
    with click.progressbar(length=per_hour * 24, label="logging demo traffic", file=sys.stderr) as bar:
        run = run_demo(folder, per_hour=per_hour, progress=bar.update)
    click.echo(f"training data: {run.training} ({run.training_rows} rows)")
    click.echo(f"logged {run.logged} requests of model {data.MODEL!r} {data.VERSION} into {run.logs}")
    for hour, records in run.hours:
        click.echo(f"  {hour}  {records:6d} records")
    click.echo("injected incidents:")
    for incident in data.INCIDENTS:
        click.echo(f"  {incident.start:%H:%M}-{incident.end:%H:%M}  {incident.check:<17} "
                   f"{incident.feature:<17} {incident.description}")
    click.echo(f"baseline: {run.baseline_path} ({len(run.baseline.features)} features + prediction)")
    width = shutil.get_terminal_size((100, 24)).columns
    for window, report in run.results:
        flagged = report.flagged("warning")
        label = f"incident: {window.incident.check} on {window.incident.feature}" if window.incident else "clean"
        click.echo(f"\n=== {window.start:%H:%M}-{window.end:%H:%M} ({label}) ===")
        # Colour codes are written; click.echo drops them when stdout is not a terminal.
        click.echo(render_table(report, details=bool(flagged), width=width, color=True), nl=False)
    example, incident = next((window, window.incident) for window, _ in run.results if window.incident is not None)
    click.echo(f"\nreproduce one window by hand ({incident.check} on {incident.feature}):\n"
               f"  {detect_command(run, example)}")
    click.echo(f"\nreport: {run.report}")
    click.echo(f"incidents found: {run.incidents_found} of {len(data.INCIDENTS)}; "
               f"clean windows with nothing at warning or above: {run.clean_quiet} of {run.clean_windows}")
