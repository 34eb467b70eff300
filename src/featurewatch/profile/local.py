"""The local window source: a :class:`WindowProfile` from the shim's JSON-lines files.

Only files whose hour overlaps the window are opened
(:func:`featurewatch.logfiles.files_for_window`). Each file is read in chunks
of about ``chunk_bytes`` cut at line ends; a chunk is parsed by pyarrow's JSON
reader against an explicit schema derived from the baseline (numbers as
float64, categories as string, float64 or bool depending on the baseline's
keys, text as string), filtered by model and time, and counted. When Arrow
refuses a chunk — a value of the wrong JSON type, a torn line — that chunk is
parsed line by line instead, which counts mistyped values as type violations
and counts lines that are not records as unreadable. Files that cannot be
opened or read are named in the profile, never fatal; rotated ``.jsonl.gz``
files are read whole. Memory is bounded by the chunk size, not the
window size. Files are cut into line-aligned byte ranges of ``piece_bytes``,
read by up to ``workers`` processes in parallel.

Timestamps are compared as strings: the record format writes fixed-width UTC
``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (:func:`featurewatch.record.format_timestamp`).
"""

from __future__ import annotations

import concurrent.futures
import datetime as _dt
import gzip
import io
import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from .. import logfiles
from .. import record as R
from ..baseline.model import PREDICTION, Baseline, FeatureBaseline
from ..errors import ConfigError
from ..es.layout import error_text
from ..kinds import Kind, kind_of
from ..window import query_bound
from .counting import NO_VERSION, empty_profile
from .model import WindowProfile
from .records import count_common, count_records, is_record

__all__ = ["LocalSource", "profile_file"]

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
        #: Warnings about the last profile (none yet for local files).
        self.notes: list[str] = []

    def profile(self, baseline: Baseline, start: _dt.datetime, end: _dt.datetime) -> WindowProfile:
        """The profile of ``baseline.model``'s records in ``[start, end)``."""
        if not self.log_dir.is_dir():
            raise ConfigError(f"log folder not found: {self.log_dir}")
        low, high = query_bound(start), query_bound(end)
        result = empty_profile(baseline, low, high)
        pieces, result.unreadable_files = _pieces(logfiles.files_for_window(self.log_dir, start, end),
                                                  self.piece_bytes)
        # Rotated, compressed files are read whole (a gzip stream cannot be cut into byte ranges).
        pieces += [(path, 0, None) for path in _compressed_for_window(self.log_dir, start, end)]
        if self.workers > 1 and len(pieces) > 1:
            with concurrent.futures.ProcessPoolExecutor(max_workers=min(self.workers, len(pieces))) as pool:
                jobs = [pool.submit(profile_file, path, baseline, low, high, self.chunk_bytes, begin, stop)
                        for path, begin, stop in pieces]
                for job in jobs:
                    result = result.merge(job.result())
        else:
            for path, begin, stop in pieces:
                result = result.merge(profile_file(path, baseline, low, high, self.chunk_bytes, begin, stop))
        result.finish()
        return result


def _pieces(files: Iterable[Path], size: int) -> tuple[list[tuple[Path, int, int | None]], list[str]]:
    """Cut files into byte ranges of about ``size`` (one task each, so one big file still uses every worker).

    Files that cannot be opened are named in the second list instead (they are
    reported, and never stop the other files from being read).
    """
    pieces: list[tuple[Path, int, int | None]] = []
    unreadable: list[str] = []
    for path in files:
        try:
            length = path.stat().st_size
            with path.open("rb"):
                pass
        except OSError as exc:
            unreadable.append(f"{path} ({exc.strerror or exc})")
            continue
        pieces.extend((path, begin, min(begin + size, length)) for begin in range(0, max(length, 1), size))
    return pieces, unreadable


def _compressed_for_window(log_dir: Path, start: _dt.datetime, end: _dt.datetime) -> list[Path]:
    """Rotated ``.jsonl.gz`` files whose hour (from the name, as for plain files) overlaps the window."""
    found = []
    for path in sorted(log_dir.rglob(f"{logfiles.PREFIX}*{logfiles.SUFFIX}.gz")):
        hour = logfiles.hour_of(path.with_suffix(""))
        if hour is not None and hour < end and hour + _dt.timedelta(hours=1) > start and path.is_file():
            found.append(path)
    return found


def _chunks(path: Path, size: int, begin: int = 0, stop: int | None = None) -> Iterator[bytes]:
    """The lines *starting* in ``[begin, stop)`` of the file, in pieces of about ``size`` bytes.

    A line that straddles ``begin`` belongs to the range before; one that
    straddles ``stop`` is read to its end. So consecutive ranges read every
    line exactly once.
    """
    with (gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")) as handle:
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
    reader = _ChunkReader(baseline, low, high)
    profile = empty_profile(baseline, low, high)
    try:
        for chunk in _chunks(path, chunk_bytes, begin, stop):
            profile = profile.merge(reader.count(chunk))
    except (OSError, EOFError, zlib.error) as exc:
        # Counted up to the failure; the file is named so nobody mistakes it for quiet traffic.
        profile.unreadable_files.append(f"{path} ({getattr(exc, 'strerror', None) or exc})")
    return profile


class _ChunkReader:
    """Counts chunks of JSON lines: Arrow first, line by line where Arrow refuses."""

    def __init__(self, baseline: Baseline, low: str, high: str) -> None:
        self.baseline, self.low, self.high = baseline, low, high
        self.features: list[tuple[FeatureBaseline, Kind]] = [(f, kind_of(f)) for f in baseline.monitored()]
        self.known = baseline.known_names()
        self.schema = _arrow_schema(self.features)

    def count(self, chunk: bytes) -> WindowProfile:
        """The profile of one chunk (a new object, so a failed Arrow pass leaves nothing half-counted)."""
        try:
            table = pj.read_json(io.BytesIO(chunk), read_options=pj.ReadOptions(block_size=len(chunk) + 1),
                                 parse_options=pj.ParseOptions(explicit_schema=self.schema,
                                                               unexpected_field_behavior="ignore"))
            return self._count_table(table)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
            # Arrow refuses a chunk with a mistyped value, a torn line or invalid UTF-8: count it line by
            # line, where the mistyped value becomes a type violation and the bad line is skipped and counted.
            return self._count_lines(chunk)

    # --- Arrow path -----------------------------------------------------------------------------

    def _count_table(self, table: pa.Table) -> WindowProfile:
        profile = empty_profile(self.baseline, self.low, self.high)
        stamps, models = table.column(R.TIMESTAMP), table.column(R.MODEL)
        in_window = pc.fill_null(pc.and_(pc.greater_equal(stamps, self.low), pc.less(stamps, self.high)), False)
        mine = pc.fill_null(pc.equal(models, self.baseline.model), False)
        others = pc.value_counts(pc.filter(models, pc.and_(in_window, pc.invert(mine))).drop_null())
        profile.other_models = {k: int(c) for k, c in zip(others.field("values").to_pylist(),
                                                          others.field("counts").to_pylist())}
        table = table.filter(pc.and_(in_window, mine))
        rows = table.num_rows
        if rows == 0:
            return profile
        profile.records = rows
        versions = pc.value_counts(table.column(R.MODEL_VERSION))
        for key, count in zip(versions.field("values").to_pylist(), versions.field("counts").to_pylist()):
            profile.versions[NO_VERSION if key is None else key] = int(count)
        present = _list_counts(table.column(R.FEATURES_PRESENT))
        nulls = _list_counts(table.column(R.FEATURES_NULL))
        errors = table.column(R.ERROR).combine_chunks()
        count_common(profile, present, self.known, _field_counts(errors, "type"), _field_counts(errors, "message"))
        features = table.column(R.FEATURES).combine_chunks()
        for feature, kind in self.features:
            target = profile.features[feature.name]
            if feature.name == PREDICTION:
                column = table.column(R.PREDICTION).combine_chunks()
                target.present += rows
                target.nulls += column.null_count
            else:
                target.present += present.get(feature.name, 0)
                target.nulls += nulls.get(feature.name, 0)
                if kind.arrow_type(feature) is None:
                    continue
                column = pc.struct_field(features, [features.type.get_field_index(feature.name)])
            values = column.drop_null()
            if len(values):
                kind.count_arrow(target, feature, values)
        return profile

    # --- line-by-line path (a chunk Arrow refused) -----------------------------------------------

    def _count_lines(self, chunk: bytes) -> WindowProfile:
        profile = empty_profile(self.baseline, self.low, self.high)
        records = []
        for line in chunk.splitlines():
            if not line.strip():
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                record = None
            if not is_record(record):
                profile.unreadable += 1
                continue
            stamp = record.get(R.TIMESTAMP)
            if not (isinstance(stamp, str) and self.low <= stamp < self.high):
                continue
            model = record.get(R.MODEL)
            if model == self.baseline.model:
                records.append(record)
            elif isinstance(model, str):
                profile.other_models[model] = profile.other_models.get(model, 0) + 1
        count_records(profile, records, self.features, self.known)
        return profile


def _arrow_schema(features: list[tuple[FeatureBaseline, Kind]]) -> pa.Schema:
    fields = []
    prediction = None
    for feature, kind in features:
        value_type = kind.arrow_type(feature)
        if feature.name == PREDICTION:
            prediction = value_type or pa.string()
        elif value_type is not None:
            fields.append(pa.field(feature.name, value_type))
    top = [pa.field(R.TIMESTAMP, pa.string()), pa.field(R.MODEL, pa.string()),
           pa.field(R.MODEL_VERSION, pa.string()),
           pa.field(R.FEATURES_PRESENT, pa.list_(pa.string())), pa.field(R.FEATURES_NULL, pa.list_(pa.string())),
           pa.field(R.FEATURES, pa.struct(fields)),
           pa.field(R.ERROR, pa.struct([pa.field("type", pa.string()), pa.field("message", pa.string())]))]
    if prediction is not None:
        top.append(pa.field(R.PREDICTION, prediction))
    return pa.schema(top)


def _field_counts(errors: pa.StructArray, field: str) -> dict[str | None, int]:
    """Counts of one field of the non-null ``error`` objects (None for objects without it)."""
    if errors.null_count == len(errors):
        return {}
    values = pc.struct_field(errors.drop_null(), [errors.type.get_field_index(field)])
    counts = pc.value_counts(values)
    out: dict[str | None, int] = {}
    for value, count in zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()):
        key = error_text(value)  # cut as everywhere, so two long messages alike at first are one
        out[key] = out.get(key, 0) + int(count)
    return out


def _list_counts(column: pa.ChunkedArray) -> dict[str, int]:
    flat = pc.list_flatten(column)
    if len(flat) == 0:
        return {}
    counts = pc.value_counts(flat)
    return {k: int(c) for k, c in zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist())
            if k is not None}
