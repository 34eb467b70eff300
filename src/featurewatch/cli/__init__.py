"""The ``featurewatch`` command: a thin layer over the Python API.

Each command lives in its own module and is registered here.
"""

from __future__ import annotations

import click

from .. import __version__

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="featurewatch")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
def main(debug: bool) -> None:
    """Watch a production model's inputs against its training data.

    \b
    Example:
      featurewatch demo
      featurewatch replay traffic.csv --model credit --timestamp-column ts
      featurewatch baseline build training.csv --model credit -o baseline.json
      featurewatch detect --baseline baseline.json --source logs --window 1h
    """


def _register() -> None:
    from . import baseline, demo, detect, replay, setup, ship

    for module in (replay, baseline, detect, demo, setup, ship):
        main.add_command(module.command)


_register()
