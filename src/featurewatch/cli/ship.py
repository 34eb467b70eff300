"""``featurewatch ship``."""

from __future__ import annotations

__all__ = ["command"]

import dataclasses
import json
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import BackendError, ConfigError
from ..settings import load_settings
from ._common import es_options, es_overrides, handle_errors

if TYPE_CHECKING:
    from ..ship import Enricher, Progress, RetryPolicy
    from ..ship.registered import RegisteredEnricher


@click.command("ship")
@click.option("--source", required=True, type=click.Path(file_okay=False, exists=True),
              help="Folder of the shim's JSON-lines files (searched recursively).")
@es_options
@click.option("--once", is_flag=True, help="Ship what is there now, then exit.")
@click.option("--follow", is_flag=True, help="Keep tailing the files until SIGTERM/SIGINT.")
@click.option("--checkpoint-dir", type=click.Path(file_okay=False), default=None,
              help="Folder for the checkpoint [default: SOURCE/.featurewatch-ship].")
@click.option("--dead-letter", type=click.Path(dir_okay=False), default=None,
              help="JSONL file for records Elasticsearch rejects [default: CHECKPOINT_DIR/dead-letter.jsonl].")
@click.option("--stats", "print_stats", is_flag=True, help="Print JSON counters on stdout at exit.")
@click.option("--delete-after-hours", type=click.FloatRange(min=0), default=None,
              help="Delete files fully shipped and unmodified for this many hours.")
@click.option("--batch-docs", type=click.IntRange(1, 100000), default=5000, show_default=True,
              help="Most documents per bulk request.")
@click.option("--batch-mb", type=click.FloatRange(0.01, 100), default=5.0, show_default=True,
              help="Most megabytes per bulk request.")
@click.option("--max-tries", type=click.IntRange(1, 1000), default=8, show_default=True,
              help="With --once: tries per batch before giving up (exit 1). --follow retries forever.")
@click.option("--poll-interval", type=click.FloatRange(0.01, 60), default=1.0, show_default=True,
              help="With --follow: seconds between looks for new lines.")
@click.option("--baseline", "baselines", multiple=True, type=click.Path(dir_okay=False),
              help="Baseline file(s) to index what detection needs by (the tokens of text features) instead of "
                   "the baselines registered in the cluster. Repeat for several models.")
@click.option("--quiet", is_flag=True, help="No progress lines on stderr.")
@handle_errors
def command(source: str, once: bool, follow: bool, checkpoint_dir: str | None, dead_letter: str | None,
            print_stats: bool, delete_after_hours: float | None, batch_docs: int, batch_mb: float,
            max_tries: int, poll_interval: float, baselines: tuple[str, ...], quiet: bool, **kwargs: Any) -> None:
    """Tail the shim's files in SOURCE and bulk-index every record into Elasticsearch.

    Each record goes to the daily index of its own date under its
    deterministic id, with `create`: re-sending never duplicates. The
    checkpoint moves only after Elasticsearch acknowledged the records, so
    the shipper can be killed at any moment. Records Elasticsearch rejects go
    to the dead-letter file with the reason and their file and offset.
    Auth and TLS come from the flags or FEATUREWATCH_ES_* variables.

    What detection needs beyond the record (the distinct tokens of text
    features) is indexed for every model registered with `featurewatch setup
    --baseline`: the registered baselines are read at start and looked for
    again every five minutes while following. --baseline FILE uses those
    files instead. If the registered baselines cannot be read at start,
    --once exits 1 and --follow waits and tries again (records are not
    shipped without what detection needs).

    One shipper runs per source folder and cluster (a lock in
    SOURCE/.featurewatch-ship, whatever the checkpoint folder). Files that
    cannot be read are named on stderr (warnings show even with --quiet) and
    make --once exit 1; named pipes and other non-regular files are skipped.

    \b
    Example:
      featurewatch ship --source /var/log/featurewatch --es https://es:9200 --follow
      featurewatch ship --source logs --es https://es:9200 --once --baseline credit-baseline.json
      FEATUREWATCH_ES_API_KEY=... featurewatch ship --source logs --es https://es:9200 --once --stats
    """
    if once == follow:
        raise click.UsageError("give either --once or --follow")
    stop = threading.Event()
    # Handlers first: a SIGTERM while the client and the baselines load must end in the same clean
    # exit (exit 0, checkpoint as it was) as one while shipping, not kill the process.
    with _stopped_by(stop):
        # Imported here so that starting any other command does not load the Elasticsearch client (~0.8 s).
        from ..es.client import backend_errors, build_client
        from ..ship import RetryPolicy, ShipConfig, Shipper, bulk_sender, default_checkpoint_path, lock_path

        settings = load_settings(es_overrides(kwargs))
        es = settings.es
        if not es.url:
            raise ConfigError("no Elasticsearch URL: pass --es URL or set FEATUREWATCH_ES_URL")
        checkpoint = default_checkpoint_path(source, es.url, es.index_prefix, checkpoint_dir)
        config = ShipConfig(
            source=Path(source),
            checkpoint=checkpoint,
            dead_letter=Path(dead_letter) if dead_letter else checkpoint.parent / "dead-letter.jsonl",
            prefix=es.index_prefix,
            follow=follow,
            max_docs=batch_docs,
            max_bytes=int(batch_mb * 1024 * 1024),
            retry=RetryPolicy(max_tries=None if follow else max_tries),
            poll_interval=poll_interval,
            delete_after_hours=delete_after_hours,
            enrich=_token_enricher(baselines) if baselines else None,
            lock=lock_path(source, es.url, es.index_prefix),
        )
        client = build_client(es)
        # The client logs every failed attempt; our own retry lines say it once, without noise.
        logging.getLogger("elastic_transport").setLevel(logging.ERROR)
        if not baselines:
            registered = _registered_enricher(client, es.url, es.index_prefix, config.retry, stop, quiet)
            if registered is None:
                return  # stopped while waiting for the registered baselines
            config = dataclasses.replace(config, enrich=registered)
        shipper = Shipper(config, bulk_sender(client, es.url),
                          on_progress=None if quiet else _print_progress,
                          on_retry=None if quiet else _print_retry,
                          on_warning=_print_warning, stop=stop)
        try:
            with backend_errors(es.url):
                stats = shipper.run()
        finally:
            if print_stats:
                click.echo(json.dumps(shipper.stats.as_dict(), sort_keys=True))
    if not quiet:
        summary = stats.as_dict()
        click.echo(f"shipped {summary['indexed']} new, {summary['duplicates']} already present, "
                   f"{summary['dead_lettered']} dead-lettered in {summary['seconds']} s"
                   + (f" (dead letters in {config.dead_letter})" if summary["dead_lettered"] else ""),
                   err=True)
    if stats.files_unreadable and not follow:
        # Everything readable was shipped, but records wait: a cron job must not see success.
        raise BackendError(f"{stats.files_unreadable} source file(s) or folder(s) could not be read (named above); "
                           "their records are not shipped: fix their permissions and run again")


@contextmanager
def _stopped_by(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` inside the block; the previous handlers come back after it."""
    signals = (signal.SIGTERM, signal.SIGINT)
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _registered_enricher(client: Any, url: str, prefix: str, retry: RetryPolicy, stop: threading.Event,
                         quiet: bool) -> RegisteredEnricher | None:
    """The enrichment hook of the registered baselines, read once now (None: stopped while waiting).

    An unavailable cluster is tried again as a batch would be (``retry``:
    bounded with --once, forever with --follow); any other failure (refused
    credentials, a damaged baseline) is the command's error (exit 1).
    Records are never shipped without what detection needs from them.
    """
    import random

    from ..es.baselines import BaselineRegistry
    from ..es.client import Unavailable, backend_errors
    from ..ship.registered import RegisteredEnricher

    registry = BaselineRegistry(client, prefix, url=url)
    enricher = RegisteredEnricher(registry, warn=_print_warning)
    rng = random.Random()
    attempt = 0
    while True:
        try:
            with backend_errors(url):
                enricher.load()
            break
        except Unavailable as exc:
            attempt += 1
            if retry.max_tries is not None and attempt >= retry.max_tries:
                raise BackendError(f"giving up after {attempt} tries: {exc}") from None
            delay = retry.delay(attempt, rng)
            if not quiet:
                _print_retry(f"reading the registered baselines: {exc}", delay)
            if stop.wait(delay):
                return None
        except BackendError as exc:
            raise BackendError(f"cannot read the registered baselines ({exc}); give --baseline FILE to ship "
                               f"by baseline files instead") from None
    if not quiet:
        models = ", ".join(enricher.models) if enricher.models else "none"
        click.echo(f"registered baselines in {registry.index}: {models}", err=True)
    return enricher


def _token_enricher(paths: tuple[str, ...]) -> Enricher:
    """The enrichment hook for the baselines' text features (imported only when baselines are given:
    it brings the baseline reader with it)."""
    from ..baseline import load_baseline
    from ..ship.enrich import TokenEnricher

    return TokenEnricher([load_baseline(path) for path in paths])


def _print_progress(progress: Progress) -> None:
    click.echo(f"progress: {progress.records} records shipped, {progress.records_per_second:,.0f} records/s, "
               f"{progress.bytes_behind / 1e6:,.1f} MB behind in {progress.files} file(s)", err=True)


def _print_retry(reason: str, delay: float) -> None:
    click.echo(f"retrying in {delay:.1f} s: {reason}", err=True)
    sys.stderr.flush()


def _print_warning(message: str) -> None:
    """Skipped files and cut lines are said even with --quiet: they are records not shipped as they are."""
    click.echo(f"warning: {message}", err=True)
    sys.stderr.flush()
