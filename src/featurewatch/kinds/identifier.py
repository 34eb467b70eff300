"""Identifiers (request ids, free-form labels, datetimes): only presence and nulls are watched.

Their values are neither read nor type-checked: every value of an ID is new
by design, so nothing about them but their absence is news.
"""

from __future__ import annotations

from ..baseline.model import IDENTIFIER
from . import common
from ._kind import Kind

__all__ = ["IdentifierKind", "KIND"]


class IdentifierKind(Kind):
    name = IDENTIFIER
    checks = common.CHECKS


KIND = IdentifierKind()
