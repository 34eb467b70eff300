"""``featurewatch baseline build``."""

from __future__ import annotations

__all__ = ["command"]

import collections
from pathlib import Path

import click

from ..baseline import (
    BaselineOptions,
    baseline_from_logs,
    build_baseline,
    save_baseline,
)
from ..baseline.model import CATEGORICAL, NUMERIC, TEXT, Baseline
from ..datafiles import read_table
from ..settings import load_settings
from ._common import handle_errors
from ._window import resolve_window


@click.group("baseline")
def command() -> None:
    """Build baselines: what the model's inputs looked like in training.

    \b
    Example:
      featurewatch baseline build training.csv --model credit --version 1.4.0 -o baseline.json
    """


@command.command("build")
@click.argument("data", required=False, type=click.Path(dir_okay=False))
@click.option("--model", required=True, help="Model name, as given to the shim.")
@click.option("--version", "versions", multiple=True, metavar="V",
              help="Model version the windows should contain (repeatable; default: any).")
@click.option("--text", "text_columns", multiple=True, metavar="COL", help="Treat COL as free text (repeatable).")
@click.option("--categorical", "categorical_columns", multiple=True, metavar="COL",
              help="Treat COL as categorical (repeatable).")
@click.option("--numeric", "numeric_columns", multiple=True, metavar="COL", help="Treat COL as numeric (repeatable).")
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
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Baseline file to write.")
@handle_errors
def build(data: str | None, model: str, versions: tuple[str, ...], text_columns: tuple[str, ...],
          categorical_columns: tuple[str, ...], numeric_columns: tuple[str, ...], excluded: tuple[str, ...],
          prediction: str | None, from_logs: str | None, from_es: str | None, limit: int, start: str | None,
          end: str | None, output: str) -> None:
    """Summarise training DATA (CSV, Parquet or JSONL) into a baseline file.

    Column kinds (numeric, categorical, boolean, text, identifier) are
    inferred; override them with --text, --categorical and --numeric.

    \b
    Examples:
      featurewatch baseline build training.csv --model credit --version 1.4.0 \\
          --text application_note --exclude applicant_id --prediction score -o baseline.json
      featurewatch baseline build --from-logs logs --start 2026-11-01 --end 2026-11-08 \\
          --model credit -o baseline.json
      featurewatch baseline build --from-es https://es:9200 --start 2026-11-01 --end 2026-11-08 \\
          --model credit --text application_note -o baseline.json
    """
    kinds = {c: TEXT for c in text_columns}
    kinds.update({c: CATEGORICAL for c in categorical_columns})
    kinds.update({c: NUMERIC for c in numeric_columns})
    options = BaselineOptions(model=model, versions=versions, kinds=kinds, exclude=frozenset(excluded),
                              prediction=prediction)
    if sum(x is not None for x in (data, from_logs, from_es)) > 1:
        raise click.UsageError("give one of DATA, --from-logs or --from-es")
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
            raise click.UsageError("give the training DATA file (or --from-logs DIR / --from-es URL with --start/--end)")
        if start or end:
            raise click.UsageError("--start/--end go with --from-logs or --from-es")
        frame = read_table(data)
        baseline = build_baseline(frame, options, source={"path": Path(data).name})
        origin = f"{baseline.rows:,} rows of {data}"
    path = save_baseline(baseline, output)
    click.echo(f"baseline of model {model!r}: {_describe(baseline)} from {origin} → {path}")


def _describe(baseline: Baseline) -> str:
    kinds = collections.Counter(f.kind for f in baseline.features.values())
    parts = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    extra = " + prediction" if baseline.prediction is not None else ""
    return f"{len(baseline.features)} features ({parts}){extra}"
