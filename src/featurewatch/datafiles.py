"""Reading tabular data files (CSV, Parquet, JSON lines) into pandas, with clear errors.

A CSV file has no types: pandas makes a column numbers only when every cell
parses, so a column of numbers with a few ``unknown`` cells would become a
column of strings (and an identifier). Here a column is numbers when nearly
all of its cells parse (:data:`NUMERIC_MIN_SHARE`), and the cells that do not
stay strings, which a numeric feature counts as type violations: the values a
shim would have logged. The delimiter is found from the first lines (comma,
semicolon, tab or bar), and duplicated column names are refused instead of
being renamed ``a.1``.
"""

from __future__ import annotations

import collections
import csv
import io
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from .errors import DataError

__all__ = ["read_table", "csv_delimiter", "SUPPORTED_SUFFIXES", "NUMERIC_MIN_SHARE", "parse_numbers"]

SUPPORTED_SUFFIXES = (".csv", ".parquet", ".pq", ".jsonl", ".ndjson", ".json")
#: A CSV column is read as numbers when at least this share of its non-empty cells parse.
NUMERIC_MIN_SHARE = 0.98
_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 64 * 1024
_SNIFF_LINES = 50


def read_table(path: str | Path, columns: list[str] | None = None, *,
               numeric: Collection[str] = ()) -> pd.DataFrame:
    """Read a CSV, Parquet or JSON-lines file; the suffix decides the format.

    ``numeric`` names CSV columns whose cells are parsed as numbers however
    few of them parse (``baseline build --numeric``).
    """
    file = Path(path)
    if not file.exists():
        raise DataError(f"data file not found: {file}")
    suffix = file.suffix.lower()
    try:
        if suffix == ".csv":
            delimiter = csv_delimiter(file)
            _refuse_duplicates(file, _csv_header(file, delimiter))
            frame = pd.read_csv(file, usecols=columns, sep=delimiter, dtype=str)
            return frame.assign(**{str(c): _typed(frame[c], force=c in numeric) for c in frame.columns})
        if suffix in {".parquet", ".pq"}:
            import pyarrow.parquet as pq

            _refuse_duplicates(file, pq.read_schema(file).names)
            return pd.read_parquet(file, columns=columns)
        if suffix in {".jsonl", ".ndjson", ".json"}:
            frame = pd.read_json(file, lines=True, dtype=False, precise_float=True)
            return frame[columns] if columns else frame
    except (ValueError, OSError, KeyError, pd.errors.ParserError) as exc:
        raise DataError(f"cannot read {file}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    raise DataError(f"unsupported data file {file.name}: use one of {', '.join(SUPPORTED_SUFFIXES)}")


def _typed(column: pd.Series, force: bool) -> pd.Series:
    """A CSV column of strings as the values it stands for: booleans, numbers, or strings."""
    cells = column.dropna()
    if cells.empty:
        return column.astype(float)
    lowered = cells.str.lower()
    if not force and lowered.isin(["true", "false"]).all():
        return column.str.lower().map({"true": True, "false": False}).astype(object)
    return parse_numbers(column, force=force)


def parse_numbers(column: pd.Series, *, force: bool = False) -> pd.Series:
    """A column of strings as numbers when nearly all parse (or ``force``); cells that do not parse stay strings.

    A cell with a leading zero (``"00501"``) is a code, not a number: JSON has no such number either.
    """
    if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        return column
    cells = column.dropna()
    if cells.empty or not all(isinstance(v, str) for v in cells):
        return column
    parsed = pd.to_numeric(cells, errors="coerce")
    digits = cells.str.strip().str.lstrip("+-")
    parsed[digits.str.startswith("0") & digits.str.slice(1, 2).str.isdigit()] = float("nan")
    good = int(parsed.notna().sum())
    if good == 0 or (not force and good < NUMERIC_MIN_SHARE * len(cells)):
        return column
    if good == len(cells):
        return pd.to_numeric(column)
    out = column.astype(object).copy()
    out[parsed.index[parsed.notna()]] = parsed[parsed.notna()].astype(float).to_numpy(dtype=object)
    return out


def csv_delimiter(path: str | Path) -> str:
    """The delimiter of a CSV file: the one of :data:`_DELIMITERS` that cuts its first lines evenly.

    The comma wins when it cuts them evenly into more than one field; a file
    of one column has no delimiter to find (and gets the comma).
    """
    with open(path, "rb") as handle:
        sample = handle.read(_SNIFF_BYTES).decode("utf-8", "replace")
    lines = sample.splitlines()
    if len(sample) == _SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    lines = lines[:_SNIFF_LINES]
    best, widest = ",", 1
    for delimiter in _DELIMITERS:
        widths = {len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter) if row}
        if len(widths) == 1 and (width := widths.pop()) > widest:
            if delimiter == ",":
                return ","
            best, widest = delimiter, width
    return best


def _csv_header(path: Path, delimiter: str) -> list[str]:
    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        return next(csv.reader(handle, delimiter=delimiter), [])


def _refuse_duplicates(file: Path, names: list[str]) -> None:
    repeated = [name for name, count in collections.Counter(names).items() if count > 1]
    if repeated:
        raise DataError(f"{file}: column names appear more than once: {', '.join(map(repr, repeated))} "
                        f"(each column needs its own name)")
