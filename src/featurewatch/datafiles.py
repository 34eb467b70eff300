"""Reading tabular data files (CSV, Parquet, JSON lines) into pandas, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import DataError

__all__ = ["read_table", "SUPPORTED_SUFFIXES"]

SUPPORTED_SUFFIXES = (".csv", ".parquet", ".pq", ".jsonl", ".ndjson", ".json")


def read_table(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a CSV, Parquet or JSON-lines file; the suffix decides the format."""
    file = Path(path)
    if not file.exists():
        raise DataError(f"data file not found: {file}")
    suffix = file.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(file, usecols=columns)
        if suffix in {".parquet", ".pq"}:
            return pd.read_parquet(file, columns=columns)
        if suffix in {".jsonl", ".ndjson", ".json"}:
            frame = pd.read_json(file, lines=True, dtype=False, precise_float=True)
            return frame[columns] if columns else frame
    except (ValueError, OSError, KeyError, pd.errors.ParserError) as exc:
        raise DataError(f"cannot read {file}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    raise DataError(f"unsupported data file {file.name}: use one of {', '.join(SUPPORTED_SUFFIXES)}")
