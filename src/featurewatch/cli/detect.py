"""``featurewatch detect``: for cron."""

from __future__ import annotations

__all__ = ["command"]

import sys
from typing import Any

import click

from ..baseline import load_baseline
from ..detect import DetectConfig, run_detection
from ..errors import BackendError
from ..findings import (
    FindingsSink,
    JsonlFindingsFile,
    WebhookSink,
    render_json,
    render_table,
)
from ..profile import LocalSource, ProfileSource
from ..settings import load_settings
from ._common import es_options, es_overrides, handle_errors, webhook_url
from ._window import resolve_window

#: Exit code when something at or above --fail-on was found (DESIGN.md §3).
EXIT_FLAGGED = 3


@click.command("detect")
@click.option("--baseline", "baseline_path", required=True, type=click.Path(dir_okay=False),
              help="Baseline file from `featurewatch baseline build`.")
@click.option("--source", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Folder of the shim's log files [default: the configured log_dir, unless an "
                   "Elasticsearch URL is configured].")
@es_options
@click.option("--start", default=None, help="Window start (ISO 8601, inclusive).")
@click.option("--end", default=None, help="Window end (ISO 8601, exclusive).")
@click.option("--window", default=None, metavar="DURATION", help="Window length ending now (or --at): 30m, 1h, 1d.")
@click.option("--at", default=None, help="With --window: when the window ends (ISO 8601) [default: now].")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output on stdout.")
@click.option("--fail-on", type=click.Choice(["info", "warning", "critical", "never"]), default="warning",
              show_default=True, help="Exit 3 when a finding is at or above this severity.")
@click.option("--webhook", type=webhook_url, default=None, metavar="URL",
              help="POST a Slack-compatible summary here when something at or above --fail-on is found.")
@click.option("--findings-file", type=click.Path(dir_okay=False), default=None, metavar="PATH",
              help="Also write findings to this JSONL file (a rerun of a window replaces its findings).")
@handle_errors
def command(baseline_path: str, source: str | None, start: str | None, end: str | None, window: str | None,
            at: str | None, output_format: str, fail_on: str, webhook: str | None, findings_file: str | None,
            **kwargs: Any) -> None:
    """Compare a window of logged requests with the baseline and report findings.

    Counts come from the local log files (--source), or from Elasticsearch
    aggregations (--es, or FEATUREWATCH_ES_URL when no --source is given),
    where findings and per-feature metrics are also written to the findings
    and metrics indices; a rerun of the same window replaces its documents.

    Exit code 0 when nothing at or above --fail-on was found, 3 when
    something was, 2 for bad usage, configuration or baseline, 1 when
    detection could not run. Thresholds come from [detect] in featurewatch.toml.

    \b
    Examples:
      featurewatch detect --baseline baseline.json --source logs --window 1h
      featurewatch detect --baseline baseline.json --source logs \\
          --start 2026-11-20T10:00Z --end 2026-11-20T12:00Z --format json --fail-on critical
      featurewatch detect --baseline baseline.json --es https://es:9200 --window 1h
    """
    first, last = resolve_window(start, end, window, at)
    overrides = es_overrides(kwargs)
    if source and overrides["es_url"]:
        raise click.UsageError("give either --source DIR or --es URL, not both")
    settings = load_settings({"log_dir": source, **overrides})
    config = DetectConfig.from_table(settings.detect)
    baseline = load_baseline(baseline_path)
    sinks: list[FindingsSink] = []
    if settings.es.url and not source:
        # Imported here so a local cron run does not pay for loading the client.
        from ..es.client import build_client
        from ..es.sinks import ElasticsearchFindingsSink
        from ..es.source import ElasticsearchSource

        client = build_client(settings.es)
        window_source: ProfileSource = ElasticsearchSource(client, settings.es.index_prefix, url=settings.es.url)
        sinks.append(ElasticsearchFindingsSink(client, settings.es.index_prefix, url=settings.es.url))
    else:
        window_source = LocalSource(settings.log_dir)
    report = run_detection(baseline, window_source, first, last, config)
    for note in report.notes:
        click.echo(f"warning: {note}", err=True)
    click.echo(render_json(report) if output_format == "json" else render_table(report), nl=output_format == "json")
    if findings_file:
        sinks.append(JsonlFindingsFile(findings_file))
    for sink in sinks:
        sink.write(report)
    if webhook:
        try:
            WebhookSink(webhook, fail_on=fail_on).write(report)
        except BackendError as exc:
            click.echo(f"warning: {exc} (findings were still reported)", err=True)
    if report.flagged(fail_on):
        sys.exit(EXIT_FLAGGED)
