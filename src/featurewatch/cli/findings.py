"""``featurewatch findings``: the alert history. Parse, :func:`featurewatch.detect.job.list_incidents`, render."""

from __future__ import annotations

__all__ = ["command"]

import datetime as _dt
import shutil
from typing import Any

import click

from ..settings import load_settings
from ._common import es_options, es_overrides, handle_errors
from ._window import duration


@click.command("findings")
@click.option("--findings-file", type=click.Path(dir_okay=False), default=None, metavar="PATH",
              help="The findings file `detect --findings-file` writes.")
@es_options
@click.option("--model", default=None, help="Only incidents of this model.")
@click.option("--feature", default=None, help="Only incidents of this feature.")
@click.option("--since", type=duration, default=None, metavar="DURATION",
              help="Only incidents whose last window ended within this long before now (e.g. 7d).")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output on stdout.")
@handle_errors
def command(findings_file: str | None, model: str | None, feature: str | None, since: _dt.timedelta | None,
            output_format: str, **kwargs: Any) -> None:
    """List incidents: runs of consecutive alarming windows of one model, check and feature.

    Each incident shows its first and last window, how many windows alarmed,
    its worst severity and whether it is still open or resolved, as
    `featurewatch detect` recorded them in the findings file (--findings-file)
    or the Elasticsearch findings index (--es, or FEATUREWATCH_ES_URL).

    \b
    Examples:
      featurewatch findings --findings-file findings.jsonl --since 7d
      featurewatch findings --es https://es:9200 --model credit --feature income --format json
    """
    from ..detect.job import IncidentQuery, list_incidents
    from ..findings import render_incidents, render_incidents_json

    overrides = es_overrides(kwargs)
    if findings_file and overrides["es_url"]:
        raise click.UsageError("give either --findings-file PATH or --es URL, not both")
    settings = load_settings(overrides)
    if not findings_file and not settings.es.url:
        raise click.UsageError("give --findings-file PATH or --es URL (or set FEATUREWATCH_ES_URL)")
    found = list_incidents(IncidentQuery(findings_file=findings_file, model=model, feature=feature, since=since),
                           settings)
    if output_format == "json":
        click.echo(render_incidents_json(found))
    else:
        width = shutil.get_terminal_size((100, 24)).columns
        click.echo(render_incidents(found, width=width, color=True), nl=False)
