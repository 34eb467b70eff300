"""``featurewatch detect``: for cron. Parse the flags, run :func:`featurewatch.detect.job.run_detect_job`, render."""

from __future__ import annotations

__all__ = ["command", "EXIT_FLAGGED"]

import datetime as _dt
import json
import shutil
import sys
from typing import TYPE_CHECKING, Any

import click

from ..settings import load_settings
from ..window import format_bound
from ._common import es_options, es_overrides, handle_errors, webhook_url
from ._window import duration, window_from_options, window_options

if TYPE_CHECKING:
    from ..detect.job import AllModelsResult, DetectResult

#: Exit code when something at or above --fail-on was found (DESIGN.md §3).
EXIT_FLAGGED = 3


@click.command("detect")
@click.option("--baseline", "baseline_path", default=None, type=click.Path(dir_okay=False),
              help="Baseline file from `featurewatch baseline build`.")
@click.option("--model", default=None, metavar="NAME",
              help="Instead of --baseline: the model's latest baseline registered in the cluster "
                   "(`featurewatch setup --baseline`); needs --es.")
@click.option("--all-models", is_flag=True,
              help="Instead of --baseline: every model registered in the cluster, in one run with a handful of "
                   "requests whatever their number; one exit code, a summary per model. Needs --es.")
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
def command(baseline_path: str | None, model: str | None, all_models: bool, source: str | None, start: str | None,
            end: str | None, window: str | None, at: str | None, no_align: bool, output_format: str, fail_on: str,
            findings_file: str | None, metrics_file: str | None, webhook: str | None,
            remind_every: _dt.timedelta | None, reference_window: _dt.timedelta | None, min_records: int | None,
            max_lookback: _dt.timedelta | None, **kwargs: Any) -> None:
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

    With --es, the baseline may come from the cluster: --model NAME takes
    that model's latest registered baseline, --all-models checks every
    registered model in one run (a table per model and a summary; JSON: one
    object with "models", each the single-model object, and "failed").

    Exit code 0 when nothing at or above --fail-on was found, 3 when
    something was, 2 for bad usage, configuration or baseline, 1 when
    detection could not run (with --all-models: for any model; the others
    are still checked and reported). Thresholds come from [detect] in
    featurewatch.toml.

    \b
    Examples:
      featurewatch detect --baseline baseline.json --source logs --window 1h
      featurewatch detect --baseline baseline.json --source logs \\
          --start 2026-11-20T10:00Z --end 2026-11-20T12:00Z --format json --fail-on critical
      featurewatch detect --baseline baseline.json --es https://es:9200 --window 1h
      featurewatch detect --model credit --es https://es:9200 --window 1h
      featurewatch detect --all-models --es https://es:9200 --window 1h --format json
      featurewatch detect --baseline baseline.json --source logs --window 1h \\
          --findings-file findings.jsonl --metrics-file metrics.jsonl \\
          --webhook https://hooks.slack.com/services/... --remind-every 6h
      featurewatch detect --baseline baseline.json --source logs --window 1h \
          --reference-window 7d --min-records 500 --max-lookback 24h
    """
    from ..detect.job import DetectJob, run_all_models, run_detect_job

    span = window_from_options(start, end, window, at, no_align)
    overrides = es_overrides(kwargs)
    if source and overrides["es_url"]:
        raise click.UsageError("give either --source DIR or --es URL, not both")
    if sum([baseline_path is not None, model is not None, all_models]) != 1:
        raise click.UsageError("give one of --baseline FILE, --model NAME or --all-models")
    if source and not baseline_path:
        raise click.UsageError("--model and --all-models take the baselines registered in Elasticsearch: "
                               "give --es URL, not --source (or --baseline FILE)")
    if remind_every is not None and webhook is None:
        raise click.UsageError("--remind-every goes with --webhook")
    if (min_records is None) != (max_lookback is None):
        raise click.UsageError("--min-records and --max-lookback go together")
    job = DetectJob(baseline=baseline_path, window=span, log_dir=source, fail_on=fail_on,
                    findings_file=findings_file, metrics_file=metrics_file, webhook=webhook,
                    remind_every=remind_every, reference_window=reference_window, min_records=min_records,
                    max_lookback=max_lookback, model=model)
    settings = load_settings(overrides)
    if all_models:
        fleet = run_all_models(job, settings)
        _print_all(fleet, output_format)
        if fleet.failures:
            sys.exit(1)
        if fleet.flagged:
            sys.exit(EXIT_FLAGGED)
        return
    result = run_detect_job(job, settings)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    _print_one(result, output_format)
    if result.flagged:
        sys.exit(EXIT_FLAGGED)


def _print_one(result: DetectResult, output_format: str) -> None:
    from ..findings import render_json, render_table

    if output_format == "json":
        click.echo(render_json(result.report, result.state))
    else:
        # Colour codes are written; click.echo drops them when stdout is not a terminal.
        width = shutil.get_terminal_size((100, 24)).columns
        click.echo(render_table(result.report, state=result.state, width=width, color=True), nl=False)


def _print_all(fleet: AllModelsResult, output_format: str) -> None:
    """Every model's result, then (table) a summary line per model and a total, or (JSON) one object."""
    from ..findings import render_json

    for result in fleet.results:
        for warning in result.warnings:
            click.echo(f"warning: {result.report.model}: {warning}", err=True)
    for model, reason in sorted(fleet.failures.items()):
        click.echo(f"error: {model}: {reason}", err=True)
    if output_format == "json":
        doc = {"window": {"start": format_bound(fleet.window.start), "end": format_bound(fleet.window.end)},
               "models": [json.loads(render_json(r.report, r.state)) for r in fleet.results],
               "failed": [{"model": m, "error": e} for m, e in sorted(fleet.failures.items())]}
        click.echo(json.dumps(doc))
        return
    for result in fleet.results:
        _print_one(result, output_format)
        click.echo("")
    click.echo(f"{len(fleet.results) + len(fleet.failures)} models, window {fleet.window}:")
    rows = [(r.report.model, f"{r.report.records:,} records", _summary(r)) for r in fleet.results]
    rows += [(m, "-", "could not be checked (see the error above)") for m in sorted(fleet.failures)]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    for name, records, summary in sorted(rows):
        click.echo(f"  {name.ljust(widths[0])}  {records.rjust(widths[1])}  {summary}")
    click.echo(f"{len(fleet.flagged)} flagged, {len(fleet.results) - len(fleet.flagged)} without alerts, "
               f"{len(fleet.failures)} failed")


def _summary(result: DetectResult) -> str:
    flagged = result.flagged
    if not flagged:
        return "ok" + (f" ({len(result.state.resolved)} resolved)" if result.state.resolved else "")
    worst = max(flagged, key=lambda f: f.severity.rank).severity
    new = sum(1 for a in result.state.alerts if a.status == "new")
    parts = [f"{len(flagged)} at or above {result.fail_on} (worst {worst})"]
    if result.fail_on != "never" and result.state.alerts:
        parts.append(f"{new} new, {len(result.state.alerts) - new} ongoing")
    if result.state.resolved:
        parts.append(f"{len(result.state.resolved)} resolved")
    return ", ".join(parts)
