"""``featurewatch replay``."""

from __future__ import annotations

__all__ = ["command"]

import sys
from pathlib import Path

import click

from ..datafiles import read_table
from ..outputs import OutputExists
from ..replay import ReplayColumns, content_digest, replay_frame
from ..shim import configure
from ._common import handle_errors, log_dir_option, version_option


@click.command("replay")
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--model", required=True, help="Model name to log the rows under.")
@version_option
@click.option("--timestamp-column", required=True,
              help="Column holding each row's time: ISO 8601, a date, or a number of seconds since the epoch "
                   "(UTC; not milliseconds).")
@click.option("--prediction-column", default=None, help="Column logged as the prediction.")
@click.option("--request-id-column", default=None,
              help="Column used as request id (default: derived from the model, the file's contents "
                   "and the row).")
@click.option("--version-column", default=None, help="Column holding each row's model version.")
@log_dir_option
@handle_errors
def command(data: str, model: str, model_version: str | None, timestamp_column: str,
            prediction_column: str | None, request_id_column: str | None, version_column: str | None,
            log_dir: str | None) -> None:
    """Log each row of DATA (CSV, Parquet or JSONL) as a request at its own timestamp.

    Use it to backfill history, to feed the demo, or to test detection on
    data you already have. Replaying the same file twice gives the same
    request ids, so the shipper does not index duplicates; different files
    get different ids even when they have the same name.

    \b
    Example:
      featurewatch replay traffic.parquet --model credit --version 1.4.0 \\
          --timestamp-column ts --prediction-column score --log-dir logs
    """
    columns = ReplayColumns(timestamp=timestamp_column, prediction=prediction_column,
                            request_id=request_id_column, version=version_column)
    frame = read_table(data)
    source = content_digest(data)
    shim = configure(log_dir=log_dir)
    folder = Path(shim.settings.log_dir)
    if folder.exists() and not folder.is_dir():
        # The shim would drop every row; replay only ever adds new files to a folder, never replaces one.
        raise OutputExists(f"{folder} is a file, not a log folder: give --log-dir a folder")
    label = f"replaying {Path(data).name}"
    with click.progressbar(length=len(frame), label=label, file=sys.stderr) as bar:
        count = replay_frame(frame, columns, model=model, version=model_version, source=source,
                             progress=bar.update)
    stats = shim.stats()
    click.echo(f"replayed {count} rows of {data} into {shim.settings.log_dir} "
               f"(written {stats['written']}, dropped {stats['dropped']})")
    if stats["dropped"]:
        raise SystemExit(1)
