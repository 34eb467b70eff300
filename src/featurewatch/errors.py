"""Exceptions raised by featurewatch.

The library raises these; the CLI turns them into one line on stderr and the
exit code from DESIGN.md (2 for usage/config/baseline problems, 1 for runtime
failures such as an unreachable cluster).
"""

from __future__ import annotations

__all__ = [
    "FeaturewatchError",
    "ConfigError",
    "DataError",
    "BaselineError",
    "BackendError",
]


class FeaturewatchError(Exception):
    """Base class for every error featurewatch raises on purpose."""

    #: Exit code the CLI uses for this error.
    exit_code = 1


class ConfigError(FeaturewatchError):
    """A setting, flag or configuration file is invalid."""

    exit_code = 2


class DataError(FeaturewatchError):
    """An input data file cannot be read or lacks what the command needs."""

    exit_code = 2


class BaselineError(FeaturewatchError):
    """A baseline file is missing, corrupt, or of a schema we cannot read."""

    exit_code = 2


class BackendError(FeaturewatchError):
    """A runtime failure talking to storage (Elasticsearch, the file system)."""

    exit_code = 1
