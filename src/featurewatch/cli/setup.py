"""``featurewatch setup``: parse, :func:`featurewatch.es.setup.run_setup` (or ``list_baselines``), print."""

from __future__ import annotations

__all__ = ["command"]

import json
from typing import Any

import click

from ..settings import load_settings
from ._common import es_options, es_overrides, handle_errors


@click.command("setup")
@es_options
@click.option("--baseline", "baselines", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Register this baseline in the cluster (<prefix>-baselines) as its model's latest; repeat "
                   "for several models. Shippers and `detect --es --model/--all-models` use it.")
@click.option("--delete-older-than-days", type=click.IntRange(min=1), default=None,
              help="Also delete daily requests indices older than this many days (retention).")
@click.option("--list", "list_only", is_flag=True,
              help="Only list the registered baselines (every version, latest first); changes nothing.")
@click.option("--model", default=None, help="With --list: only this model's versions.")
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="With --list: output on stdout.")
@handle_errors
def command(baselines: tuple[str, ...], delete_older_than_days: int | None, list_only: bool, model: str | None,
            output_format: str, **kwargs: Any) -> None:
    """Install featurewatch's index templates and indices (safe to run again).

    Prints each template and index with what was done: created, updated or
    unchanged. With --baseline, each baseline is registered in the cluster
    (<prefix>-baselines) as its model's latest, earlier versions kept: then
    shippers index what detection needs for that model, and `detect --es
    --model NAME` or `--all-models` need no baseline file. Registering the
    same baseline again changes nothing; registering an earlier one again
    makes it the latest (a rollback). --list shows every registered version.
    Auth and TLS come from the flags or FEATUREWATCH_ES_* variables; the
    index prefix from FEATUREWATCH_ES_INDEX_PREFIX (default featurewatch).

    \b
    Example:
      featurewatch setup --es http://localhost:9200
      featurewatch setup --es https://es:9200 --baseline credit.json --baseline fraud.json
      featurewatch setup --es https://es:9200 --list
      featurewatch setup --es https://es:9200 --es-ca-file ca.crt --delete-older-than-days 30
    """
    # Imported here so that starting any other command does not load the Elasticsearch client (~0.8 s).
    from ..es.setup import list_baselines, run_setup

    settings = load_settings(es_overrides(kwargs)).es
    if list_only:
        if baselines or delete_older_than_days is not None:
            raise click.UsageError("--list only lists: give --baseline and --delete-older-than-days without it")
        _print_registrations(list_baselines(settings, model), output_format)
        return
    if model is not None or output_format != "table":
        raise click.UsageError("--model and --format go with --list")
    result = run_setup(settings, baselines=baselines, delete_older_than_days=delete_older_than_days)
    for change in result.changes:
        click.echo(str(change))
    for registration in result.registered:
        click.echo(f"{registration.action:9} baseline {registration.model} revision {registration.revision} "
                   f"(sha256 {registration.content_hash[:12]}, {registration.features} features)")
    for name in result.deleted:
        click.echo(f"deleted   index {name}")


def _print_registrations(registrations: list[Any], output_format: str) -> None:
    if output_format == "json":
        click.echo(json.dumps([r.to_dict() for r in registrations], sort_keys=True))
        return
    if not registrations:
        click.echo("no baselines registered: add one with `featurewatch setup --es URL --baseline FILE`")
        return
    rows = [("MODEL", "REVISION", "REGISTERED", "SHA256", "VERSIONS", "FEATURES", "TEXT", "")]
    for r in registrations:
        rows.append((r.model, str(r.revision), r.registered_at, r.content_hash[:12], ",".join(r.versions) or "any",
                     str(r.features), ",".join(r.text_features) or "-", "latest" if r.latest else ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
