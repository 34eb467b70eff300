"""``featurewatch detect``: for cron. Parse the flags, run :func:`featurewatch.detect.job.run_detect_job`, render."""

from __future__ import annotations

__all__ = ["command", "EXIT_FLAGGED"]

import datetime as _dt
import shutil
import sys
from typing import Any

import click

from ..settings import load_settings
from ._common import es_options, es_overrides, handle_errors, webhook_url
from ._window import duration, window_from_options, window_options

#: Exit code when something at or above --fail-on was found (DESIGN.md §3).
EXIT_FLAGGED = 3


@click.command("detect")
@click.option("--baseline", "baseline_path", required=True, type=click.Path(dir_okay=False),
              help="Baseline file from `featurewatch baseline build`.")
@click.option("--source", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Folder of the shim's log files [default: the configured log_dir, unless an "
                   "Elasticsearch URL is configured].")
@es_options
@window_options
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output on stdout.")
@click.option("--fail-on", type=click.Choice(["info", "warning", "critical", "never"]), default="warning",
              show_default=True, help="Exit 3 when a finding is at or above this severity.")
@click.option("--findings-file", type=click.Path(dir_okay=False), default=None, metavar="PATH",
              help="Also write findings to this JSONL file (a rerun of a window replaces its findings). Without "
                   "Elasticsearch it keeps the alert state: what is new, ongoing or resolved.")
@click.option("--metrics-file", type=click.Path(dir_okay=False), default=None, metavar="PATH",
              help="Also write the per-feature metrics of the window to this JSONL file, as in the "
                   "Elasticsearch metrics index (a rerun of a window replaces its lines).")
@click.option("--webhook", type=webhook_url, default=None, metavar="URL",
              help="POST a Slack-compatible message here when an alert is new or resolved (or a reminder is due).")
@click.option("--remind-every", type=duration, default=None, metavar="DURATION",
              help="With --webhook: post again while an alert stays ongoing, once per DURATION of windows "
                   "(e.g. 6h) [default: never].")
@click.option("--reference-window", type=duration, default=None, metavar="DURATION",
              help="Also compare the window with this span of traffic just before it (e.g. 7d): sudden changes, "
                   "labelled reference \"recent\".")
@click.option("--min-records", type=click.IntRange(min=1), default=None, metavar="N",
              help="With --max-lookback: widen a window holding fewer than N records back in time.")
@click.option("--max-lookback", type=duration, default=None, metavar="DURATION",
              help="With --min-records: how far back a quiet window may be widened (e.g. 24h).")
@handle_errors
def command(baseline_path: str, source: str | None, start: str | None, end: str | None, window: str | None,
            at: str | None, no_align: bool, output_format: str, fail_on: str, findings_file: str | None,
            metrics_file: str | None, webhook: str | None, remind_every: _dt.timedelta | None,
            reference_window: _dt.timedelta | None, min_records: int | None, max_lookback: _dt.timedelta | None,
            **kwargs: Any) -> None:
    """Compare a window of logged requests with the baseline and report findings.

    Counts come from the local log files (--source), or from Elasticsearch
    aggregations (--es, or FEATUREWATCH_ES_URL when no --source is given),
    where findings and per-feature metrics are also written to the findings
    and metrics indices; a rerun of the same window replaces its documents.

    --window is aligned to the clock: run at 10:07 (or again at 10:40),
    `--window 1h` checks 09:00-10:00. Window bounds are whole seconds.

    Findings at or above --fail-on are alerts: new (not alarming in the
    model's previous window in the store: the findings index, else
    --findings-file) or ongoing (since the start of the first alarming
    window); what stopped alarming is listed as resolved. --webhook posts
    only when something is new or resolved, or --remind-every is due.

    Exit code 0 when nothing at or above --fail-on was found, 3 when
    something was, 2 for bad usage, configuration or baseline, 1 when
    detection could not run. Thresholds come from [detect] in featurewatch.toml.

    \b
    Examples:
      featurewatch detect --baseline baseline.json --source logs --window 1h
      featurewatch detect --baseline baseline.json --source logs \\
          --start 2026-11-20T10:00Z --end 2026-11-20T12:00Z --format json --fail-on critical
      featurewatch detect --baseline baseline.json --es https://es:9200 --window 1h
      featurewatch detect --baseline baseline.json --source logs --window 1h \\
          --findings-file findings.jsonl --metrics-file metrics.jsonl \\
          --webhook https://hooks.slack.com/services/... --remind-every 6h
      featurewatch detect --baseline baseline.json --source logs --window 1h \
          --reference-window 7d --min-records 500 --max-lookback 24h
    """
    from ..detect.job import DetectJob, run_detect_job
    from ..findings import render_json, render_table

    span = window_from_options(start, end, window, at, no_align)
    overrides = es_overrides(kwargs)
    if source and overrides["es_url"]:
        raise click.UsageError("give either --source DIR or --es URL, not both")
    if remind_every is not None and webhook is None:
        raise click.UsageError("--remind-every goes with --webhook")
    if (min_records is None) != (max_lookback is None):
        raise click.UsageError("--min-records and --max-lookback go together")
    job = DetectJob(baseline=baseline_path, window=span, log_dir=source, fail_on=fail_on,
                    findings_file=findings_file, metrics_file=metrics_file, webhook=webhook,
                    remind_every=remind_every, reference_window=reference_window, min_records=min_records,
                    max_lookback=max_lookback)
    result = run_detect_job(job, load_settings(overrides))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output_format == "json":
        click.echo(render_json(result.report, result.state))
    else:
        # Colour codes are written; click.echo drops them when stdout is not a terminal.
        width = shutil.get_terminal_size((100, 24)).columns
        click.echo(render_table(result.report, state=result.state, width=width, color=True), nl=False)
    if result.flagged:
        sys.exit(EXIT_FLAGGED)
