"""The one rule for the prefix of featurewatch's Elasticsearch indices.

Pure (it imports only the error types): the settings check the prefix when they are
built (so every command refuses a bad one with exit 2 before doing anything),
and the index names of :mod:`featurewatch.es.layout`, the shipper's actions
and the Kibana data views are all built on a prefix that passed this check.

The rule is stricter than Elasticsearch's own: besides being a valid start of
an index name, the prefix is used in index patterns (``<prefix>-requests-*``),
in Kibana titles and in checkpoint file names, so it is kept to lowercase
ASCII letters, digits and ``- _ . +``.
"""

from __future__ import annotations

from .errors import ConfigError

__all__ = ["DEFAULT_PREFIX", "check_prefix"]

DEFAULT_PREFIX = "featurewatch"

_ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.+")
#: Index names are at most 255 bytes; the longest name we add is ``-requests-YYYY.MM.DD``.
_MAX_PREFIX_BYTES = 255 - len("-requests-2026.01.01")


def check_prefix(prefix: str) -> str:
    """Return ``prefix`` if every index name built on it is valid, else raise ConfigError naming each problem.

    A prefix is lowercase ASCII letters, digits, ``-``, ``_``, ``.`` and
    ``+``, does not start with ``-``, ``_``, ``+`` or ``.`` (hidden and
    system indices start with a dot), and leaves room for the longest index
    name built on it.
    """
    problems = []
    if not prefix:
        problems.append("may not be empty")
    if prefix != prefix.lower():
        problems.append("must be lowercase")
    forbidden = list(dict.fromkeys(char for char in prefix.lower() if char not in _ALLOWED))
    if forbidden:
        problems.append("may not contain " + ", ".join(repr(char) for char in forbidden))
    if prefix[:1] in {"-", "_", "+", "."}:
        problems.append("may not start with '-', '_', '+' or '.'")
    if len(prefix.encode("utf-8")) > _MAX_PREFIX_BYTES:
        problems.append(f"may be at most {_MAX_PREFIX_BYTES} bytes (index names are at most 255)")
    if problems:
        raise ConfigError(f"invalid index prefix {prefix!r}: {'; '.join(problems)}")
    return prefix
