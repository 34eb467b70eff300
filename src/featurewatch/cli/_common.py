"""What every command shares: error handling, and options spelled once."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..errors import ConfigError, FeaturewatchError
from ..findings.webhook import check_webhook_url
from ..settings import MissingSetting, environment_variable

__all__ = ["handle_errors", "message", "log_dir_option", "version_option", "es_options", "es_overrides",
           "WebhookUrl", "webhook_url"]

F = TypeVar("F", bound=Callable[..., Any])

#: How to give a setting on the command line, for the advice added to a MissingSetting.
_FLAGS = {
    "es.url": "--es URL",
    "es.password": "--es-password",
    "kibana.url": "--kibana URL",
    "kibana.password": "--kibana-password",
}


def message(exc: FeaturewatchError) -> str:
    """The one line shown for ``exc``: the library's words, plus how to fix it on the command line."""
    text = str(exc)
    if isinstance(exc, MissingSetting):
        try:
            variable = environment_variable(exc.setting)
        except ValueError:
            return text
        flag = _FLAGS.get(exc.setting)
        text += f": pass {flag} or set {variable}" if flag else f": set {variable}"
    return text


def handle_errors(func: F) -> F:
    """Turn FeaturewatchError into one line on stderr and its exit code.

    Unexpected exceptions also become one line (exit 1) unless the group's
    ``--debug`` is given (``featurewatch --debug <command>``), in which case
    the traceback is shown.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except FeaturewatchError as exc:
            if debug:
                raise
            click.echo(f"error: {message(exc)}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            if debug:
                raise
            click.echo(f"error: {type(exc).__name__}: {exc} "
                       f"(run `featurewatch --debug {_command_name(ctx)} ...` for the traceback)", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _command_name(ctx: click.Context) -> str:
    """The command's words after the program name, e.g. ``kibana import``."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


def log_dir_option(func: F) -> F:
    """``--log-dir``; None when not given, so the settings fall back to FEATUREWATCH_LOG_DIR and the TOML file."""
    # No click envvar: settings.py is the only reader of the environment (STYLE.md).
    return click.option(
        "--log-dir", type=click.Path(file_okay=False), default=None,
        help="Folder of the shim's JSON-lines files [env FEATUREWATCH_LOG_DIR; default ./featurewatch-logs].",
    )(func)


def version_option(func: F) -> F:
    """``--version V`` (stored as ``model_version``: click's own ``--version`` is the program's)."""
    return click.option("--version", "model_version", default=None, help="Model version.")(func)


def es_options(func: F) -> F:
    """``--es`` and its auth/TLS options; values also come from FEATUREWATCH_ES_* variables."""
    options = [
        click.option("--es", "es_url", default=None, metavar="URL",
                     help="Elasticsearch URL [env FEATUREWATCH_ES_URL]."),
        click.option("--es-api-key", default=None, help="API key [env FEATUREWATCH_ES_API_KEY]."),
        click.option("--es-username", default=None, help="User name [env FEATUREWATCH_ES_USERNAME]."),
        click.option("--es-password", default=None, help="Password [env FEATUREWATCH_ES_PASSWORD]."),
        click.option("--es-ca-file", default=None, type=click.Path(dir_okay=False),
                     help="CA certificate file for TLS [env FEATUREWATCH_ES_CA_FILE]."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def es_overrides(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Pop the ``es_*`` options from a command's kwargs into settings overrides."""
    keys = ["es_url", "es_api_key", "es_username", "es_password", "es_ca_file"]
    return {key: kwargs.pop(key, None) for key in keys}


class WebhookUrl(click.ParamType):
    """An http(s) URL with a host, checked when the command line is parsed.

    A bad value is a usage error (exit 2) whose message does not repeat the
    value: a webhook URL's path is its secret.
    """

    name = "url"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return check_webhook_url(str(value))
        except ConfigError as exc:
            self.fail(str(exc), param, ctx)


#: Use as ``click.option("--webhook", type=webhook_url, ...)``.
webhook_url = WebhookUrl()
