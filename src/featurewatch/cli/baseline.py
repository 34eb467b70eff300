"""``featurewatch baseline build`` and ``featurewatch baseline show``."""

from __future__ import annotations

__all__ = ["command"]

import collections
from collections.abc import Callable

import click
import orjson

from ..baseline import load_baseline, save_baseline
from ..baseline.describe import describe, render_description, render_features
from ..baseline.io import is_baseline_file
from ..baseline.model import BOOLEAN, CATEGORICAL, IDENTIFIER, NUMERIC, TEXT, Baseline
from ..outputs import check_output
from ..settings import load_settings
from ._common import F, handle_errors
from ._window import resolve_window


@click.group("baseline")
def command() -> None:
    """Build baselines: what the model's inputs looked like in training.

    \b
    Example:
      featurewatch baseline build training.csv --model credit --version 1.4.0 --prediction score -o baseline.json
      featurewatch baseline show baseline.json
    """


def _kind_option(kind: str, text: str) -> Callable[[F], F]:
    return click.option(f"--{kind}", f"{kind}_columns", multiple=True, metavar="COL",
                        help=f"Treat COL as {text} (repeatable).")


@command.command("build")
@click.argument("data", required=False, type=click.Path(dir_okay=False))
@click.option("--model", required=True, help="Model name, as given to the shim.")
@click.option("--version", "versions", multiple=True, metavar="V",
              help="Model version the windows should contain (repeatable; default: any).")
@_kind_option(TEXT, "free text")
@_kind_option(CATEGORICAL, "categorical")
@_kind_option(NUMERIC, "numeric (numbers written as text are read as numbers)")
@_kind_option(BOOLEAN, "boolean")
@_kind_option(IDENTIFIER, "an identifier (only presence and nulls are watched)")
@click.option("--exclude", "excluded", multiple=True, metavar="COL", help="Do not watch COL (repeatable).")
@click.option("--prediction", default=None, metavar="COL",
              help="Column holding the model's prediction, watched like a feature (with --from-logs: any value "
                   "watches the logged prediction).")
@click.option("--from-logs", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Build from logged requests in DIR instead of a data file (needs --start and --end).")
@click.option("--from-es", default=None, metavar="URL",
              help="Build from logged requests in Elasticsearch instead (needs --start and --end; auth from "
                   "FEATUREWATCH_ES_* variables; reads at most --limit records).")
@click.option("--limit", type=click.IntRange(min=1), default=200_000, show_default=True,
              help="With --from-es: most records read from the reference window.")
@click.option("--start", default=None, help="With --from-logs/--from-es: start of the reference window (ISO 8601).")
@click.option("--end", default=None, help="With --from-logs/--from-es: end of the reference window (ISO 8601).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Baseline file to write (an existing baseline is replaced; any other file is refused).")
@click.option("--force", is_flag=True, help="Replace the output file even if it is not a baseline.")
@handle_errors
def build(data: str | None, model: str, versions: tuple[str, ...], text_columns: tuple[str, ...],
          categorical_columns: tuple[str, ...], numeric_columns: tuple[str, ...], boolean_columns: tuple[str, ...],
          identifier_columns: tuple[str, ...], excluded: tuple[str, ...], prediction: str | None,
          from_logs: str | None, from_es: str | None, limit: int, start: str | None, end: str | None, output: str,
          force: bool) -> None:
    """Summarise training DATA (CSV, Parquet or JSONL) into a baseline file.

    Column kinds (numeric, categorical, boolean, text, identifier) are
    inferred; override them with --text, --categorical, --numeric, --boolean
    and --identifier. Ends with the summary `baseline show` prints: each
    feature's kind and why, and what looked wrong in the data.

    \b
    Examples:
      featurewatch baseline build training.csv --model credit --version 1.4.0 \\
          --text application_note --exclude applicant_id --prediction score -o baseline.json
      featurewatch baseline build training.csv --model credit --identifier job_title \\
          --boolean is_member --prediction score -o baseline.json
      featurewatch baseline build --from-logs logs --start 2026-11-01 --end 2026-11-08 \\
          --model credit -o baseline.json
      featurewatch baseline build --from-es https://es:9200 --start 2026-11-01 --end 2026-11-08 \\
          --model credit --text application_note -o baseline.json
    """
    # Imported here: `baseline show` (and --help) need neither pandas nor the builders.
    from ..baseline.build import BaselineOptions, kind_overrides
    from ..baseline.files import baseline_from_file
    from ..baseline.logs import baseline_from_logs

    kinds = kind_overrides({TEXT: text_columns, CATEGORICAL: categorical_columns, NUMERIC: numeric_columns,
                            BOOLEAN: boolean_columns, IDENTIFIER: identifier_columns}, excluded)
    options = BaselineOptions(model=model, versions=versions, kinds=kinds, exclude=frozenset(excluded),
                              prediction=prediction)
    if sum(x is not None for x in (data, from_logs, from_es)) > 1:
        raise click.UsageError("give one of DATA, --from-logs or --from-es")
    check_output(output, is_baseline_file, "featurewatch baseline", force=force)
    if from_es is not None:
        from ..es.client import build_client
        from ..es.reference import baseline_from_es

        settings = load_settings({"es_url": from_es})
        first, last = resolve_window(start, end, None, None)
        baseline = baseline_from_es(build_client(settings.es), settings.es.index_prefix, options, first, last,
                                    url=settings.es.url, limit=limit)
        origin = f"{baseline.rows:,} records in Elasticsearch"
    elif from_logs is not None:
        first, last = resolve_window(start, end, None, None)
        baseline = baseline_from_logs(from_logs, options, first, last)
        origin = f"{baseline.rows:,} logged records"
    else:
        if data is None:
            raise click.UsageError(
                "give the training DATA file (or --from-logs DIR / --from-es URL with --start/--end)")
        if start or end:
            raise click.UsageError("--start/--end go with --from-logs or --from-es")
        baseline = baseline_from_file(data, options)
        origin = f"{baseline.rows:,} rows of {data}"
    path = save_baseline(baseline, output)
    click.echo(f"baseline of model {model!r}: {_count_kinds(baseline)} from {origin} → {path}")
    click.echo(render_features(baseline), nl=False)


def _count_kinds(baseline: Baseline) -> str:
    kinds = collections.Counter(f.kind for f in baseline.features.values())
    parts = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    extra = " + prediction" if baseline.prediction is not None else ""
    return f"{len(baseline.features)} features ({parts}){extra}"


@command.command("show")
@click.argument("baseline", type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="A table for people, or one JSON object.")
@handle_errors
def show(baseline: str, output_format: str) -> None:
    """Show what BASELINE holds: per feature its kind and why, rates, values, warnings.

    Presence and null rates are of the training data; values are the numeric
    range, the top categories, or the size of the text vocabulary. Baselines
    written before featurewatch kept the reason say "unknown".

    \b
    Examples:
      featurewatch baseline show baseline.json
      featurewatch baseline show baseline.json --format json
    """
    loaded = load_baseline(baseline)
    if output_format == "json":
        click.echo(orjson.dumps(describe(loaded), option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(render_description(loaded), nl=False)
