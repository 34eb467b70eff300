"""Many records as JSON lines, built column by column (a DataFrame's rows).

Why not one dict per row: filling and serialising a dict per row costs about
as much as a single record, most of it in Python, not JSON. Here each column
is serialised by one ``orjson.dumps`` and cut at its value boundaries, and
each line is one ``bytes %`` of a template. The template is the record itself,
serialised with placeholders (:data:`SLOT`) where values differ by row, so the
record's layout still comes from the same event dict as every other record.

A line here must equal what :func:`featurewatch.record.dumps` writes for the
same event; ``tests/shim/test_lines.py`` checks that on generated frames.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import orjson
import pandas as pd

from .. import record as R
from . import _records

__all__ = ["SLOT", "CHUNK_ROWS", "encode_values", "frame_lines"]

#: Marks a field of the template event whose value comes from a per-row sequence.
#: orjson writes the NULs as ``\u0000``; a constant field holding the same text is
#: noticed (the template then has too many slots) and the caller takes the dict path.
SLOT = "\x00featurewatch:slot\x00"
_SLOT_JSON = orjson.dumps(SLOT)
_NUMBERS = frozenset({int, float, bool, type(None)})
_NONE = type(None)
_STRINGS_AND_NONE = frozenset({str, _NONE})
_VALUE_OPTIONS = R.DUMPS_OPTIONS & ~orjson.OPT_APPEND_NEWLINE


def _encode_one(value: Any, limit: int | None) -> bytes:
    """One value's JSON text, as :func:`featurewatch.record.dumps` writes it inside a record.

    The ``b"%b" %`` copy is deliberate: measured here, keeping thousands of
    orjson's own results alive costs about 2 µs per value (its allocations
    are not reused), the copy and a free about 0.1 µs.
    """
    default = R.fallback(limit)
    try:
        return b"%b" % orjson.dumps(value, default=default, option=_VALUE_OPTIONS)
    except R.REFUSED:
        return b"%b" % orjson.dumps(R.encode_refused(value, limit), default=default, option=_VALUE_OPTIONS)


def encode_values(values: list[Any], limit: int | None = None) -> list[bytes]:
    """Each value's JSON text, from one ``orjson.dumps`` of the list when it can be cut safely.

    A number's JSON holds no comma, so a list of numbers is cut at every comma;
    a list of strings is cut at ``","`` (see :func:`_strings`). Anything else
    (nested values, dates, mixed types) is encoded value by value, the strings
    the encoder makes (``str(obj)``, bytes) cut to ``limit``.
    """
    kinds = set(map(type, values))
    encoded: list[bytes] | None = None
    if kinds <= _NUMBERS:
        try:
            encoded = orjson.dumps(values, option=_VALUE_OPTIONS)[1:-1].split(b",")
        except orjson.JSONEncodeError:  # an integer beyond 64 bits: value by value below
            encoded = None
    elif kinds <= _STRINGS_AND_NONE:
        missing = [index for index, value in enumerate(values) if value is None] if _NONE in kinds else []
        encoded = _strings(values, missing)
    if encoded is None or len(encoded) != len(values):
        return [_encode_one(value, limit) for value in values]
    return encoded


def _strings(values: list[str | None], missing: list[int]) -> list[bytes] | None:
    """JSON text of strings, None at the ``missing`` positions; None when the list cannot be cut safely.

    Between two strings the JSON holds ``","``. The same bytes occur inside
    the list only where a string ends with a comma (its opening or an escaped
    quote, the comma, its closing quote), and such a string puts ``,",``
    or a final ``,"`` in the JSON: then the caller encodes value by value,
    as it does when orjson refuses a string (a lone surrogate).
    """
    if missing:
        values = values.copy()
        for index in missing:
            values[index] = ""
    try:
        inner = orjson.dumps(values, option=_VALUE_OPTIONS)[1:-1]
    except orjson.JSONEncodeError:
        return None
    if b',",' in inner or inner.endswith(b',"'):
        return None
    # A raw newline never occurs in orjson's output (it is escaped), so it can mark the cuts.
    encoded = inner.replace(b'","', b'"\n"').split(b"\n")
    if len(encoded) != len(values):
        return None
    for index in missing:
        encoded[index] = b"null"
    return encoded


def _column(series: Any, limit: int, count: int) -> tuple[Any, Any]:
    """A DataFrame column ready to encode in slices, and its null mask (None when it has no null).

    Plain numeric columns stay arrays (orjson writes them without a Python
    value per row). Categorical columns, and string columns with few distinct
    values, become codes into their distinct values' JSON texts, encoded once.
    Everything else is prepared as for the dict path.
    """
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.isnative and (dtype.kind in "biu" or dtype == np.float64):
        array = np.ascontiguousarray(series.to_numpy())
        mask = ~np.isfinite(array) if dtype.kind == "f" else None  # NaN and ±inf are written as null
        return array, (mask if mask is not None and mask.any() else None)
    if isinstance(dtype, pd.CategoricalDtype):
        return _coded(series.cat.codes.to_numpy(), series.cat.categories.tolist(), limit)
    if isinstance(dtype, pd.StringDtype):
        coded = _dictionary_coded(_records.arrow_array(series), limit, count)
        if coded is not None:
            return coded
        values, mask = _records.column_values(series, limit)
        return _Texts(values, mask), mask  # strings, None where masked
    values, mask = _records.column_values(series, limit)
    return values, mask


#: Rows of a string column sampled to guess whether coding it pays (few distinct values).
_SAMPLE_ROWS = 200


def _dictionary_coded(arrow: Any, limit: int, count: int) -> tuple[_Coded, Any] | None:
    """An Arrow string column as codes, when at most half as many distinct values as rows."""
    if arrow is None:
        return None
    try:
        if count > 2 * _SAMPLE_ROWS and 2 * len(arrow.slice(0, _SAMPLE_ROWS).unique()) > _SAMPLE_ROWS:
            return None  # mostly distinct values: coding would cost more than it saves
        encoded = arrow.dictionary_encode()
        encoded = encoded.combine_chunks() if hasattr(encoded, "combine_chunks") else encoded
    except Exception:
        return None
    if 2 * len(encoded.dictionary) > count:
        return None
    indices = encoded.indices
    codes = (indices.fill_null(-1) if indices.null_count else indices).to_numpy(zero_copy_only=False)
    return _coded(codes, encoded.dictionary.to_pylist(), limit)


class _Texts:
    """A string column's values (None where missing) with its null mask, sliced together."""

    __slots__ = ("mask", "values")

    def __init__(self, values: list[str | None], mask: Any) -> None:
        self.values = values
        self.mask = mask

    def __getitem__(self, window: slice) -> _Texts:
        return _Texts(self.values[window], None if self.mask is None else self.mask[window])


def _coded(codes: Any, distinct: list[Any], limit: int) -> tuple[_Coded, Any]:
    """Codes (-1 for missing) into ``distinct`` values: their JSON texts, and the null mask."""
    texts = encode_values([R.truncate(v, limit) if type(v) is str else v for v in distinct], limit)
    texts.append(b"null")  # code -1 is the last text
    mask = codes < 0
    return _Coded(codes, texts), (mask if mask.any() else None)


class _Coded:
    """A column as codes into the JSON texts of its distinct values, sliced by rows."""

    __slots__ = ("codes", "texts")

    def __init__(self, codes: Any, texts: list[bytes]) -> None:
        self.codes = codes
        self.texts = texts

    def __getitem__(self, window: slice) -> _Coded:
        return _Coded(self.codes[window], self.texts)


def _encode_prepared(values: Any, limit: int) -> list[bytes]:
    """JSON texts of a slice of a prepared column (see :func:`_column`)."""
    if isinstance(values, np.ndarray):
        encoded = orjson.dumps(values, option=_VALUE_OPTIONS)[1:-1].split(b",")
        if len(encoded) == len(values):
            return encoded
        return encode_values(values.tolist(), limit)
    if isinstance(values, _Coded):
        return list(map(values.texts.__getitem__, values.codes.tolist()))
    if isinstance(values, _Texts):
        missing = [] if values.mask is None else np.flatnonzero(values.mask).tolist()
        texts = _strings(values.values, missing)
        return encode_values(values.values, limit) if texts is None else texts
    return encode_values(values, limit)


def _sequences(event: dict[str, Any], per_row: dict[str, list[bytes]],
               features: list[list[bytes]]) -> list[list[bytes]]:
    """The per-row sequences in the order their slots appear in ``event``."""
    sequences: list[list[bytes]] = []
    for key, value in event.items():
        if value is SLOT:
            sequences.append(per_row[key])
        elif key == R.FEATURES and isinstance(value, dict):
            sequences.extend(features)
    return sequences


def _template(event: dict[str, Any], slots: int, limit: int) -> bytes | None:
    """``event``'s JSON line with ``%b`` at each slot; None unless exactly ``slots`` slots are found
    (or when orjson refuses a constant, such as an integer beyond 64 bits: the dict path encodes it)."""
    try:
        pieces = orjson.dumps(event, default=R.fallback(limit), option=R.DUMPS_OPTIONS).split(_SLOT_JSON)
    except orjson.JSONEncodeError:
        return None
    if len(pieces) != slots + 1:
        return None
    return b"%b".join(piece.replace(b"%", b"%%") for piece in pieces)


#: Rows encoded and filled together: few enough that their values (small objects) and their
#: lines stay in memory the allocator reuses; a whole frame at once costs page faults per call.
CHUNK_ROWS = 256


def frame_lines(template: dict[str, Any], frame: Any, predictions: list[Any], limit: int, *,
                per_row: dict[str, list[Any]] | None = None,
                row_numbers: bool = True) -> Iterator[tuple[bytes, int, int]] | None:
    """A DataFrame's records as blocks ``(JSON lines, first row, end row)``, or None when only the
    dict path can write them.

    ``template`` is the event shared by the rows; each row fills in its
    features, null list and prediction, its number (with ``row_numbers``), and
    the fields of ``per_row`` (one value per row: a replay's timestamps and
    request ids). Frames whose column names repeat take the dict path (a JSON
    object cannot hold a key twice).
    """
    columns = [str(column) for column in frame.columns]
    count = len(frame)
    if not columns or len(set(columns)) != len(columns):
        return None
    varying = dict(per_row or {})
    varying[R.PREDICTION] = predictions
    event = {**template, R.FEATURES: dict.fromkeys(columns, SLOT), R.FEATURES_PRESENT: columns,
             R.FEATURES_NULL: SLOT, **dict.fromkeys(varying, SLOT)}
    if row_numbers:
        event[R.ROW] = SLOT
    line = _template(event, len(columns) + len(varying) + 1 + row_numbers, limit)
    if line is None:
        return None
    prepared, masks = _records.prepare_columns(frame, lambda series: _column(series, limit, count))
    distinct, index = _records.null_patterns(columns, masks, count)
    null_json = [orjson.dumps(names) for names in distinct]
    return _blocks(line, event, prepared, null_json, index, varying, row_numbers, count, limit)


def _blocks(line: bytes, event: dict[str, Any], prepared: list[Any], null_json: list[bytes], index: list[int],
            varying: dict[str, list[Any]], row_numbers: bool, count: int,
            limit: int) -> Iterator[tuple[bytes, int, int]]:
    """Fill the line template for ``CHUNK_ROWS`` rows at a time."""
    fill_line = line.__mod__
    for start in range(0, count, CHUNK_ROWS):
        end = min(start + CHUNK_ROWS, count)
        per_row = {field: encode_values(values[start:end], limit) for field, values in varying.items()}
        per_row[R.FEATURES_NULL] = list(map(null_json.__getitem__, index[start:end]))
        if row_numbers:
            per_row[R.ROW] = orjson.dumps(list(range(start, end)))[1:-1].split(b",")
        features = [_encode_prepared(values[start:end], limit) for values in prepared]
        yield b"".join(map(fill_line, zip(*_sequences(event, per_row, features)))), start, end
