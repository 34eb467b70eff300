"""The ``featurewatch`` command: a thin layer over the Python API.

Each command lives in its own module and is imported only when it runs (or
shows its own ``--help``): cron starts ``featurewatch detect`` many times a
day, and ``featurewatch --help`` should not pay for pandas, pyarrow or the
Elasticsearch client. The group's own help lists the commands from
:data:`COMMANDS`, whose short texts a test keeps equal to the commands'.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType

import click

from .. import __version__

__all__ = ["main", "COMMANDS"]

#: Command name → (module under ``featurewatch.cli``, the first line of its help).
COMMANDS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "baseline": ("baseline", "Build baselines: what the model's inputs looked like in training."),
    "demo": ("demo", "Run the whole loop on local files: training data, a day of traffic, findings."),
    "detect": ("detect", "Compare a window of logged requests with the baseline and report findings."),
    "findings": ("findings", "List incidents: runs of consecutive alarming windows of one model, check and feature."),
    "kibana": ("kibana", "Generate Kibana dashboards for a model and import them into Kibana."),
    "replay": ("replay", "Log each row of DATA (CSV, Parquet or JSONL) as a request at its own timestamp."),
    "report": ("report", "Write one self-contained HTML report of a window against the baseline."),
    "setup": ("setup", "Install featurewatch's index templates and indices (safe to run again)."),
    "ship": ("ship", "Tail the shim's files in SOURCE and bulk-index every record into Elasticsearch."),
})


class _LazyGroup(click.Group):
    """A group whose commands are imported when they are looked up, not when the program starts."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module = importlib.import_module(f"{__name__}.{COMMANDS[cmd_name][0]}")
            self.add_command(module.command, cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from :data:`COMMANDS`, without importing any command."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = []
        for name in names:
            if name in COMMANDS:
                text = _shorten(COMMANDS[name][1], limit)
            else:
                text = self.commands[name].get_short_help_str(limit)
            rows.append((name, text))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, as click shortens help texts."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 3, 1)].rsplit(" ", 1)[0] + "..."


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="featurewatch")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
def main(debug: bool) -> None:
    """Watch a production model's inputs against its training data.

    \b
    Example:
      featurewatch demo
      featurewatch replay traffic.csv --model credit --timestamp-column ts
      featurewatch baseline build training.csv --model credit -o baseline.json
      featurewatch detect --baseline baseline.json --source logs --window 1h --findings-file findings.jsonl
      featurewatch findings --findings-file findings.jsonl --since 7d
    """
