"""The one tokeniser, shared by baselines, the local window source and the shipper.

A text value becomes tokens by :func:`tokenize`: lowercase it with
``str.lower`` and take every maximal run of Unicode word characters (Python's
``\\w``: letters, digits and underscore of any script).

Counting rule, used everywhere an unseen-token rate is computed (baseline,
local files, Elasticsearch): **each distinct token of a record counts once**.
A record whose note is "pay pay the bill" contributes three tokens ("pay",
"the", "bill"), and if "bill" is not in the vocabulary, one unseen token. So
the Elasticsearch path can index :func:`distinct_tokens` of each record as a
keyword array and count with aggregations (``value_count`` is the token
count), and get exactly the numbers the local path gets.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

__all__ = ["tokenize", "distinct_tokens", "count_tokens", "text_counts"]

# A word longer than 256 characters is cut into pieces of 256: every token then fits a keyword field
# (ignore_above 1024 UTF-16 units), so Elasticsearch counts the tokens the local source counts.
_WORD = re.compile(r"\w{1,256}")
_findall = _WORD.findall


def tokenize(text: str) -> list[str]:
    """The tokens of ``text`` in order, repeats kept (lowercase Unicode words)."""
    return _findall(text.lower())


def distinct_tokens(text: str) -> list[str]:
    """The distinct tokens of ``text``, sorted: what one record contributes to the counts."""
    return sorted(set(_findall(text.lower())))


def count_tokens(texts: Iterable[str], vocabulary: Collection[str]) -> tuple[int, int, dict[str, int]]:
    """Count ``texts`` by the distinct-tokens-per-record rule.

    Returns ``(tokens, unseen_tokens, unseen)`` where ``unseen`` maps each token
    not in ``vocabulary`` (a set, or a dict keyed by token: both are looked up,
    never iterated) to the number of records it appeared in.
    """
    tokens, unseen_total, unseen, _, _, _ = text_counts(texts, vocabulary, frozenset())
    return tokens, unseen_total, unseen


def text_counts(texts: Iterable[str], vocabulary: Collection[str],
                mix: frozenset[str]) -> tuple[int, int, dict[str, int], list[int], list[int], dict[str, int]]:
    """Everything a window counts of texts, in one pass (one tokenisation per text).

    Returns ``(tokens, unseen_tokens, unseen, lengths, chars, mixed)``: the
    counts of :func:`count_tokens`, then each text's number of tokens (repeats
    included) and of characters, and how many texts contain each token of
    ``mix``.
    """
    tokens = 0
    unseen_total = 0
    unseen: dict[str, int] = {}
    lengths: list[int] = []
    chars: list[int] = []
    mixed: dict[str, int] = {}
    findall = _findall
    for text in texts:
        words = findall(text.lower())
        lengths.append(len(words))
        chars.append(len(text))
        found = set(words)
        tokens += len(found)
        new = found.difference(vocabulary)
        if new:
            unseen_total += len(new)
            for token in new:
                unseen[token] = unseen.get(token, 0) + 1
        for token in found.intersection(mix):
            mixed[token] = mixed.get(token, 0) + 1
    return tokens, unseen_total, unseen, lengths, chars, mixed
