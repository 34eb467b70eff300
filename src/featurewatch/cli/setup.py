"""``featurewatch setup``: parse, :func:`featurewatch.es.setup.run_setup`, print what changed."""

from __future__ import annotations

__all__ = ["command"]

from typing import Any

import click

from ..settings import load_settings
from ._common import es_options, es_overrides, handle_errors


@click.command("setup")
@es_options
@click.option("--delete-older-than-days", type=click.IntRange(min=1), default=None,
              help="Also delete daily requests indices older than this many days (retention).")
@handle_errors
def command(delete_older_than_days: int | None, **kwargs: Any) -> None:
    """Install featurewatch's index templates and indices (safe to run again).

    Prints each template and index with what was done: created, updated or
    unchanged. Auth and TLS come from the flags or FEATUREWATCH_ES_* variables;
    the index prefix from FEATUREWATCH_ES_INDEX_PREFIX (default featurewatch).

    \b
    Example:
      featurewatch setup --es http://localhost:9200
      featurewatch setup --es https://es:9200 --es-ca-file ca.crt --delete-older-than-days 30
    """
    # Imported here so that starting any other command does not load the Elasticsearch client (~0.8 s).
    from ..es.setup import run_setup

    result = run_setup(load_settings(es_overrides(kwargs)).es, delete_older_than_days=delete_older_than_days)
    for change in result.changes:
        click.echo(str(change))
    for name in result.deleted:
        click.echo(f"deleted   index {name}")
