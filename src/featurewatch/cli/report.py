"""``featurewatch report``: parse the flags, run :func:`featurewatch.report.write_report`, say what was written."""

from __future__ import annotations

__all__ = ["command"]

from typing import Any

import click

from ..settings import load_settings
from ._common import es_options, es_overrides, handle_errors
from ._window import window_from_options, window_options


@click.command("report")
@click.option("--baseline", "baseline_path", required=True, type=click.Path(dir_okay=False),
              help="Baseline file from `featurewatch baseline build`.")
@click.option("--source", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Folder of the shim's log files [default: the configured log_dir, unless an "
                   "Elasticsearch URL is configured].")
@es_options
@window_options
@click.option("--metrics-file", type=click.Path(dir_okay=False), default=None, metavar="PATH",
              help="Metrics history from `detect --metrics-file`, drawn over time [default with --es: the "
                   "metrics index].")
@click.option("--findings-file", type=click.Path(dir_okay=False), default=None, metavar="PATH",
              help="Findings history from `detect --findings-file`: marks the windows that alarmed [default "
                   "with --es: the findings index].")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), metavar="PATH",
              help="The HTML file to write (replaced if it exists).")
@handle_errors
def command(baseline_path: str, source: str | None, start: str | None, end: str | None, window: str | None,
            at: str | None, no_align: bool, metrics_file: str | None, findings_file: str | None, output: str,
            **kwargs: Any) -> None:
    """Write one self-contained HTML report of a window against the baseline.

    The report shows the window's findings worst first, then one section
    per feature: training vs window on the baseline's own bins, category
    bars with new values named, unseen tokens, presence, nulls and type
    violations, and, given a metrics history, the last week of windows with
    the alarmed ones marked. The file needs no network: send it by mail or
    attach it to a ticket.

    Counts come from the local log files (--source) or from Elasticsearch
    (--es), as for `featurewatch detect`; thresholds from [detect] in
    featurewatch.toml. Exit code 0 when the report was written (whatever it
    found), 2 for bad usage, configuration, baseline or history file, 1 when
    the counts could not be read or the file not written.

    \b
    Examples:
      featurewatch report --baseline baseline.json --source logs --window 1d -o report.html
      featurewatch report --baseline baseline.json --source logs --window 1d \\
          --metrics-file metrics.jsonl --findings-file findings.jsonl -o report.html
      featurewatch report --baseline baseline.json --es https://es:9200 \\
          --start 2026-11-20T00:00Z --end 2026-11-21T00:00Z -o report.html
    """
    from ..report import ReportJob, write_report

    span = window_from_options(start, end, window, at, no_align)
    overrides = es_overrides(kwargs)
    if source and overrides["es_url"]:
        raise click.UsageError("give either --source DIR or --es URL, not both")
    job = ReportJob(baseline=baseline_path, window=span, output=output, log_dir=source, metrics_file=metrics_file,
                    findings_file=findings_file)
    result = write_report(job, load_settings(overrides))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    found = result.report.findings
    alarming = sum(1 for f in found if f.severity.rank >= 1)
    click.echo(f"wrote {result.path} ({result.size / 1024:,.0f} KB): model {result.data.model}, window {span}, "
               f"{result.data.records:,} records, {len(found)} findings ({alarming} at warning or above)")
