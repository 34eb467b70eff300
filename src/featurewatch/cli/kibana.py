"""``featurewatch kibana build`` and ``featurewatch kibana import``."""

from __future__ import annotations

__all__ = ["command"]

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import BackendError
from ..kibana import importer
from ..outputs import check_output, first_json_line
from ..settings import load_settings
from ._common import handle_errors

F = TypeVar("F", bound=Callable[..., Any])


@click.group("kibana")
def command() -> None:
    """Generate Kibana dashboards for a model and import them into Kibana.

    \b
    Example:
      featurewatch kibana build --baseline baseline.json -o kibana/credit.ndjson
      featurewatch kibana import --kibana http://localhost:5601 kibana/credit.ndjson
    """


@command.command("build")
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="Baseline JSON file (from 'featurewatch baseline build') naming the model and its features.")
@click.option("--demo", is_flag=True, help="Build for the demo credit model instead of a baseline.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="NDJSON file to write (a file of saved objects is replaced; any other file is refused).")
@click.option("--index-prefix", default=None,
              help="Prefix of featurewatch's indices [env FEATUREWATCH_ES_INDEX_PREFIX; default featurewatch].")
@click.option("--force", is_flag=True, help="Replace the output file even if it is not a file of saved objects.")
@handle_errors
def build(baseline: str | None, demo: bool, output: str, index_prefix: str | None, force: bool) -> None:
    """Write the Kibana saved objects of one model to an NDJSON file.

    The file holds data views of the requests, findings and metrics indices,
    a Discover search of the raw requests, Lens charts and two dashboards
    (overview, input health). Ids are stable and the output byte-stable, so
    regenerating and re-importing replaces the objects instead of adding copies.

    \b
    Example:
      featurewatch kibana build --baseline baseline.json -o kibana/credit.ndjson
      featurewatch kibana build --demo -o kibana/credit.ndjson
    """
    from ..kibana.build import write_ndjson
    from ..kibana.spec import spec_from_baseline_file

    if bool(baseline) == demo:
        raise click.UsageError("give either --baseline FILE or --demo")
    check_output(output, _is_saved_objects, "file of Kibana saved objects", force=force)
    prefix = load_settings({"es_index_prefix": index_prefix}).es.index_prefix
    if demo:
        from ..demo.run import demo_spec

        spec = demo_spec()
    else:
        spec = spec_from_baseline_file(str(baseline))
    objects = write_ndjson(spec, output, prefix)
    click.echo(f"wrote {objects} saved objects for model {spec.model!r} to {Path(output)} "
               f"(dashboards: overview, input health)")


def _is_saved_objects(path: Path) -> bool:
    """Whether ``path`` starts with a saved object (what ``kibana build`` may replace)."""
    first = first_json_line(path)
    return isinstance(first, dict) and {"id", "type", "attributes"} <= first.keys()


def _kibana_options(func: F) -> F:
    options = [
        click.option("--kibana", "kibana_url", default=None, metavar="URL",
                     help="Kibana URL [env FEATUREWATCH_KIBANA_URL]."),
        click.option("--space", "kibana_space", default=None, metavar="NAME",
                     help="Kibana space to import into [env FEATUREWATCH_KIBANA_SPACE; default: the default space]."),
        click.option("--kibana-api-key", default=None, help="API key [env FEATUREWATCH_KIBANA_API_KEY]."),
        click.option("--kibana-username", default=None, help="User name [env FEATUREWATCH_KIBANA_USERNAME]."),
        click.option("--kibana-password", default=None, help="Password [env FEATUREWATCH_KIBANA_PASSWORD]."),
        click.option("--kibana-ca-file", default=None, type=click.Path(dir_okay=False),
                     help="CA certificate file for TLS [env FEATUREWATCH_KIBANA_CA_FILE]."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@command.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@_kibana_options
@click.option("--overwrite", is_flag=True, help="Replace objects that already exist (same id).")
@handle_errors
def import_(file: str, overwrite: bool, **kibana: str | None) -> None:
    """Import an NDJSON file of saved objects into Kibana.

    Credentials come from the flags or FEATUREWATCH_KIBANA_* variables: an
    API key, or a user name and password (not both). The file is checked
    first: exits 2 if it is not NDJSON saved objects, before contacting
    Kibana. Exits 1 if Kibana cannot be reached, refuses the credentials, or
    declines any object.

    \b
    Example:
      export FEATUREWATCH_KIBANA_USERNAME=elastic FEATUREWATCH_KIBANA_PASSWORD=...
      featurewatch kibana import --kibana http://localhost:5601 --overwrite kibana/credit.ndjson
    """
    settings = load_settings(dict(kibana)).kibana
    result = importer.import_file(file, settings, overwrite=overwrite)
    if result.success:
        click.echo(f"imported {result.success_count} of {result.total} saved objects into Kibana at "
                   f"{result.url} (space {result.space})")
        return
    for problem in result.problems:
        hint = " (rerun with --overwrite to replace it)" if problem.conflict else ""
        click.echo(f"  not imported: {problem}{hint}", err=True)
    conflicts = any(p.conflict for p in result.problems)
    hint = "; rerun with --overwrite to replace existing objects" if conflicts else ""
    raise BackendError(f"Kibana imported {result.success_count} of {result.total} saved objects, "
                       f"{len(result.problems)} failed{hint}")
