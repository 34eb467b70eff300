"""The local window source: a :class:`WindowProfile` from the shim's JSON-lines files.

Only files whose hour overlaps the window are opened
(:func:`featurewatch.logfiles.files_for_window`). Each file is read in chunks
of about ``chunk_bytes`` cut at line ends; a chunk is parsed by pyarrow's JSON
reader against an explicit schema derived from the baseline (numbers as
float64, categories as string, float64 or bool depending on the baseline's
keys, text as string), filtered by model and time, and counted. When Arrow
refuses a chunk — a value of the wrong JSON type, a torn line — that chunk is
parsed line by line instead, which counts mistyped values as type violations
and skips unparseable lines. Memory is bounded by the chunk size, not the
window size. Files are cut into line-aligned byte ranges of ``piece_bytes``,
read by up to ``workers`` processes in parallel.

Timestamps are compared as strings: the record format writes fixed-width UTC
``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (:func:`featurewatch.record.format_timestamp`).
"""

from __future__ import annotations

import concurrent.futures
import datetime as _dt
import io
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from .. import logfiles
from .. import record as R
from ..baseline.infer import is_number
from ..baseline.model import BOOLEAN, CATEGORICAL, NUMERIC, PREDICTION, TEXT, Baseline
from ..errors import BackendError, ConfigError
from ..keys import category_key
from .counting import (
    FeatureSpec,
    compile_specs,
    count_keys,
    count_numbers,
    count_texts,
    empty_profile,
)
from .model import FeatureProfile, WindowProfile

__all__ = ["LocalSource", "profile_file", "NO_VERSION"]

#: Version key for records without a model version.
NO_VERSION = "(none)"
DEFAULT_CHUNK_BYTES = 8 << 20
#: Files are cut into ranges of this size, read in parallel.
DEFAULT_PIECE_BYTES = 32 << 20


class LocalSource:
    """Window profiles from a folder of the shim's log files.

    ``workers`` processes read byte ranges of ``piece_bytes`` in parallel
    (default: up to 2, never more than the CPUs); ``chunk_bytes`` bounds what
    each holds at once.
    """

    def __init__(self, log_dir: str | os.PathLike[str], *, workers: int | None = None,
                 chunk_bytes: int = DEFAULT_CHUNK_BYTES, piece_bytes: int = DEFAULT_PIECE_BYTES) -> None:
        self.log_dir = Path(log_dir)
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self.chunk_bytes = chunk_bytes
        self.piece_bytes = piece_bytes

    def profile(self, baseline: Baseline, start: _dt.datetime, end: _dt.datetime) -> WindowProfile:
        """The profile of ``baseline.model``'s records in ``[start, end)``."""
        if not self.log_dir.is_dir():
            raise ConfigError(f"log folder not found: {self.log_dir} (give --source DIR or set FEATUREWATCH_LOG_DIR)")
        low, high = R.format_timestamp(start), R.format_timestamp(end)
        pieces = _pieces(logfiles.files_for_window(self.log_dir, start, end), self.piece_bytes)
        result = empty_profile(baseline, low, high)
        if self.workers > 1 and len(pieces) > 1:
            with concurrent.futures.ProcessPoolExecutor(max_workers=min(self.workers, len(pieces))) as pool:
                jobs = [pool.submit(profile_file, path, baseline, low, high, self.chunk_bytes, begin, stop)
                        for path, begin, stop in pieces]
                for job in jobs:
                    result = result.merge(job.result())
        else:
            for path, begin, stop in pieces:
                result = result.merge(profile_file(path, baseline, low, high, self.chunk_bytes, begin, stop))
        return result


def _pieces(files: Iterable[Path], size: int) -> list[tuple[Path, int, int]]:
    """Cut files into byte ranges of about ``size`` (one task each, so one big file still uses every worker)."""
    pieces: list[tuple[Path, int, int]] = []
    for path in files:
        try:
            length = path.stat().st_size
        except OSError as exc:
            raise BackendError(f"cannot read {path}: {exc.strerror or exc}") from None
        pieces.extend((path, begin, min(begin + size, length)) for begin in range(0, max(length, 1), size))
    return pieces


def _chunks(path: Path, size: int, begin: int = 0, stop: int | None = None) -> Iterator[bytes]:
    """The lines *starting* in ``[begin, stop)`` of the file, in pieces of about ``size`` bytes.

    A line that straddles ``begin`` belongs to the range before; one that
    straddles ``stop`` is read to its end. So consecutive ranges read every
    line exactly once.
    """
    with path.open("rb") as handle:
        if begin > 0:
            handle.seek(begin - 1)
            if handle.read(1) != b"\n":
                handle.readline()
        offset = handle.tell()  # file offset of buffer[0]
        buffer = b""
        while stop is None or offset < stop:
            block = handle.read(size)
            if not block:
                if buffer.strip():
                    yield buffer  # a last line without newline (a file still being written)
                return
            buffer += block
            cut = buffer.rfind(b"\n")
            if cut < 0:
                continue
            complete, buffer = buffer[:cut + 1], buffer[cut + 1:]
            if stop is not None and offset + len(complete) >= stop:
                end = complete.find(b"\n", max(0, stop - offset - 1))
                yield complete[:end + 1]
                return
            yield complete
            offset += len(complete)


def profile_file(path: Path, baseline: Baseline, low: str, high: str, chunk_bytes: int = DEFAULT_CHUNK_BYTES,
                 begin: int = 0, stop: int | None = None) -> WindowProfile:
    """The profile of one log file's records in ``[low, high)`` (ISO strings), or of its lines starting
    in the byte range ``[begin, stop)``."""
    specs = compile_specs(baseline)
    schema = _arrow_schema(specs)
    profile = empty_profile(baseline, low, high)
    try:
        for chunk in _chunks(path, chunk_bytes, begin, stop):
            count_chunk(profile, chunk, baseline.model, specs, schema, low, high)
    except OSError as exc:
        raise BackendError(f"cannot read {path}: {exc.strerror or exc}") from None
    return profile


def count_chunk(profile: WindowProfile, chunk: bytes, model: str, specs: dict[str, FeatureSpec],
                schema: pa.Schema, low: str, high: str) -> None:
    """Count one chunk of JSON lines into ``profile``: Arrow first, line by line if Arrow refuses."""
    try:
        table = pj.read_json(io.BytesIO(chunk), read_options=pj.ReadOptions(block_size=len(chunk) + 1),
                             parse_options=pj.ParseOptions(explicit_schema=schema,
                                                           unexpected_field_behavior="ignore"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # Arrow refuses a chunk with a mistyped value or a torn line: count it line by line,
        # where the mistyped value becomes a type violation and the torn line is skipped.
        _count_lines(profile, chunk, model, specs, low, high)
        return
    _count_table(profile, table, model, specs, low, high)


# --- Arrow path ---------------------------------------------------------------------------------

def _value_type(spec: FeatureSpec) -> pa.DataType:
    if spec.kind == NUMERIC:
        return pa.float64()
    if spec.kind in (CATEGORICAL, BOOLEAN):
        if spec.boolean_keys:
            return pa.bool_()
        if spec.numeric_keys:
            return pa.float64()
    return pa.string()


def _arrow_schema(specs: dict[str, FeatureSpec]) -> pa.Schema:
    fields = [pa.field(name, _value_type(spec)) for name, spec in specs.items()
              if name != PREDICTION and spec.kind in (NUMERIC, CATEGORICAL, BOOLEAN, TEXT)]
    top = [pa.field(R.TIMESTAMP, pa.string()), pa.field(R.MODEL, pa.string()),
           pa.field(R.MODEL_VERSION, pa.string()),
           pa.field(R.FEATURES_PRESENT, pa.list_(pa.string())), pa.field(R.FEATURES_NULL, pa.list_(pa.string())),
           pa.field(R.FEATURES, pa.struct(fields))]
    if PREDICTION in specs:
        top.append(pa.field(R.PREDICTION, _value_type(specs[PREDICTION])))
    return pa.schema(top)


def _list_counts(column: pa.ChunkedArray) -> dict[str, int]:
    flat = pc.list_flatten(column)
    if len(flat) == 0:
        return {}
    counts = pc.value_counts(flat)
    return {k: int(c) for k, c in zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist())
            if k is not None}


def _count_table(profile: WindowProfile, table: pa.Table, model: str, specs: dict[str, FeatureSpec],
                 low: str, high: str) -> None:
    stamps = table.column(R.TIMESTAMP)
    mask = pc.and_(pc.equal(table.column(R.MODEL), model),
                   pc.and_(pc.greater_equal(stamps, low), pc.less(stamps, high)))
    table = table.filter(pc.fill_null(mask, False))
    rows = table.num_rows
    if rows == 0:
        return
    profile.records += rows
    versions = pc.value_counts(table.column(R.MODEL_VERSION))
    for key, count in zip(versions.field("values").to_pylist(), versions.field("counts").to_pylist()):
        key = NO_VERSION if key is None else key
        profile.versions[key] = profile.versions.get(key, 0) + int(count)
    present = _list_counts(table.column(R.FEATURES_PRESENT))
    nulls = _list_counts(table.column(R.FEATURES_NULL))
    features = table.column(R.FEATURES).combine_chunks()
    for name, spec in specs.items():
        target = profile.features[name]
        if name == PREDICTION:
            column = table.column(R.PREDICTION).combine_chunks()
            target.present += rows
            target.nulls += column.null_count
        else:
            target.present += present.get(name, 0)
            target.nulls += nulls.get(name, 0)
            if spec.kind == "identifier":
                continue
            column = pc.struct_field(features, [features.type.get_field_index(name)])
        _count_arrow_values(target, spec, column)


def _count_arrow_values(target: FeatureProfile, spec: FeatureSpec, column: pa.Array) -> None:
    values = column.drop_null()
    if len(values) == 0:
        return
    if spec.kind == NUMERIC:
        count_numbers(target, spec, values.to_numpy(zero_copy_only=False).astype(float, copy=False))
    elif spec.kind in (CATEGORICAL, BOOLEAN):
        counts = pc.value_counts(values)
        keys: dict[str, int] = {}
        for value, count in zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()):
            key = category_key(value)
            if key is not None:
                keys[key] = keys.get(key, 0) + int(count)
        count_keys(target, spec, keys)
    elif spec.kind == TEXT:
        count_texts(target, spec, values.to_pylist())


# --- line-by-line path (a chunk Arrow refused) -------------------------------------------------

def _count_lines(profile: WindowProfile, chunk: bytes, model: str, specs: dict[str, FeatureSpec],
                 low: str, high: str) -> None:
    numbers: dict[str, list[float]] = {n: [] for n, s in specs.items() if s.kind == NUMERIC}
    keys: dict[str, dict[str, int]] = {n: {} for n, s in specs.items() if s.kind in (CATEGORICAL, BOOLEAN)}
    texts: dict[str, list[str]] = {n: [] for n, s in specs.items() if s.kind == TEXT}
    for line in chunk.splitlines():
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue  # a torn line (a file still being written) or garbage: not a record
        if not isinstance(record, dict):
            continue
        stamp = record.get(R.TIMESTAMP)
        if record.get(R.MODEL) != model or not isinstance(stamp, str) or not low <= stamp < high:
            continue
        profile.records += 1
        version = record.get(R.MODEL_VERSION)
        version = NO_VERSION if version is None else str(version)
        profile.versions[version] = profile.versions.get(version, 0) + 1
        features = record.get(R.FEATURES)
        features = features if isinstance(features, dict) else {}
        present = record.get(R.FEATURES_PRESENT) or ()
        null = record.get(R.FEATURES_NULL) or ()
        for name, spec in specs.items():
            target = profile.features[name]
            if name == PREDICTION:
                value: Any = record.get(R.PREDICTION)
                target.present += 1
                if value is None:
                    target.nulls += 1
                    continue
            else:
                if name in present:
                    target.present += 1
                if name in null:
                    target.nulls += 1
                value = features.get(name)
                if value is None or spec.kind == "identifier":
                    continue
            if spec.kind == NUMERIC:
                if is_number(value):
                    numbers[name].append(float(value))
                else:
                    target.violations += 1
            else:
                key = category_key(value)
                if key is None:
                    target.violations += 1
                elif spec.kind == TEXT:
                    texts[name].append(key)
                else:
                    keys[name][key] = keys[name].get(key, 0) + 1
    for name, values in numbers.items():
        count_numbers(profile.features[name], specs[name], np.asarray(values, dtype=float))
    for name, counts in keys.items():
        count_keys(profile.features[name], specs[name], counts)
    for name, strings in texts.items():
        count_texts(profile.features[name], specs[name], strings)
