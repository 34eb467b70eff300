"""Turn model inputs (dict, Series, DataFrame, list of dicts) into records.

Kept apart from the shim's state so the benchmarks and tests can call it
directly. Everything here is on the hot path: it is written for speed first
(type checks by identity, one pass over the features) and must never raise
for odd values; :mod:`featurewatch.record` owns what the encoding means.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .. import record as R

__all__ = ["RowSet", "clean_mapping", "is_frame", "rows_from_input", "column_values", "arrow_array",
           "prepare_columns", "null_patterns", "split_predictions", "redact"]

_INFINITIES = frozenset({math.inf, -math.inf})
_STRINGS_AND_NONE = frozenset({str, type(None)})


class RowSet:
    """Rows of one request: feature dicts plus their null lists, ready to log.

    ``features`` may be a one-pass iterator (a DataFrame's row dicts are
    built only as they are written).
    """

    __slots__ = ("count", "features", "nulls", "present")

    def __init__(self, features: Iterable[dict[str, Any]], present: list[list[str]],
                 nulls: list[list[str]]) -> None:
        self.features = features
        self.present = present
        self.nulls = nulls
        self.count = len(present)

    def __len__(self) -> int:
        return self.count


def clean_mapping(features: Mapping[Any, Any], limit: int,
                  check_strings: bool = False) -> tuple[dict[str, Any], list[str]]:
    """String keys and the null list of a feature mapping (every value written as null, by
    :func:`featurewatch.record.is_null`); with ``check_strings``, also long strings cut and
    nested values encoded.

    The shim's single-dict path comes here only when its own null scan or
    serialisation failed, and with ``check_strings`` only when the line is
    longer than the limit (no string can be longer than its line); orjson
    encodes odd types itself, cutting the strings it makes. One pass with a
    type check per value. Returns the caller's dict itself when nothing needs
    changing; never changes it.
    """
    nulls: list[str] = []
    changed: dict[str, Any] | None = None
    for key, value in features.items():
        kind = value.__class__
        if kind is str:
            if check_strings and len(value) > limit:
                changed = changed if changed is not None else {}
                changed[key] = R.truncate(value, limit)
        elif kind is float:
            if value != value or value in _INFINITIES:
                nulls.append(key)
        elif kind is int or kind is bool:
            continue
        elif value is None or R.is_null(value):
            nulls.append(key)
        elif check_strings and (kind is dict or kind is list or kind is tuple):
            changed = changed if changed is not None else {}
            changed[key] = R.encode_value(value, limit)
    result: dict[str, Any] = features if type(features) is dict else dict(features)
    if changed is not None:
        result = {**result, **changed}
    try:
        "".join(result)  # C-speed check that every key is a string
    except TypeError:
        result = {R.name_text(k): v for k, v in result.items()}
        nulls = [R.name_text(k) for k in nulls]
    return result, nulls


def _longest(values: list[Any]) -> int:
    """Length of the longest string in a column's values."""
    try:
        return max(map(len, values), default=0)  # all strings: C speed
    except TypeError:
        return max((len(v) for v in values if type(v) is str), default=0)


def _has_longer(values: list[Any], arrow: Any, limit: int) -> bool:
    """True when a string in the column is longer than ``limit`` characters.

    An Arrow array answers first, in bytes and without Python objects: no
    string has more characters than bytes, so only a longer one needs a count.
    """
    if arrow is not None:
        try:
            import pyarrow.compute as pc

            longest = pc.max(pc.binary_length(arrow)).as_py()
            if longest is None or longest <= limit:
                return False
        except Exception:
            pass
    return _longest(values) > limit


def arrow_array(series: Any) -> Any:
    """The Arrow array behind a column, or None when it is not Arrow-backed."""
    arrow = getattr(series.array, "__arrow_array__", None)
    if arrow is None:
        return None
    try:
        return arrow()
    except Exception:
        return None


def column_values(series: Any, limit: int) -> tuple[list[Any], Any]:
    """A column as Python values (long strings cut, nested values encoded, nulls as None)
    and its null mask (None when the column has no null)."""
    import numpy as np

    values = series.tolist()
    dtype = series.dtype
    kind = dtype.kind
    if kind in "biu":
        if isinstance(dtype, np.dtype):
            return values, None
        # Nullable integers and booleans (Int64, boolean, int64[pyarrow]...): their NA is null.
        mask = series.isna().to_numpy(dtype=bool, na_value=True)
    elif kind == "f":
        array = series.to_numpy()  # float64 columns: a view, no copy
        mask = ~np.isfinite(array if array.dtype.kind == "f" else series.to_numpy(dtype=float, na_value=np.nan))
        return values, (mask if mask.any() else None)  # NaN and inf serialise as null already
    elif dtype == np.dtype(object):
        types = set(map(type, values))  # C speed: most object columns hold one or two types
        if types == {type(None)}:
            return values, np.ones(len(values), dtype=bool)
        if types & {dict, list, tuple} or (str in types and _longest(values) > limit):
            values = [R.encode_value(v, limit) if type(v) in (str, dict, list, tuple) else v for v in values]
        if types <= _STRINGS_AND_NONE:
            mask = series.isna().to_numpy(dtype=bool, na_value=True)
        else:  # ±inf, Decimal("1e999"), a NaT of numpy...: whatever the encoder writes as null
            mask = np.fromiter(map(R.is_null, values), dtype=bool, count=len(values))
    else:
        arrow = arrow_array(series)
        no_null = arrow is not None and arrow.null_count == 0
        mask = None if no_null else series.isna().to_numpy(dtype=bool, na_value=True)
        if kind != "M" and _has_longer(values, arrow, limit):
            values = [R.truncate(v, limit) if type(v) is str else v for v in values]
    if mask is None or not mask.any():
        return values, None
    return [None if null else v for v, null in zip(values, mask.tolist())], mask


def prepare_columns(frame: Any, prepare: Callable[[Any], tuple[Any, Any]]) -> tuple[list[Any], list[tuple[int, Any]]]:
    """Each column of ``frame`` through ``prepare`` (which returns its values and null mask), and
    ``(position, mask)`` of the columns that hold a null."""
    prepared, masks = [], []
    for position, (_, series) in enumerate(frame.items()):
        values, mask = prepare(series)
        prepared.append(values)
        if mask is not None:
            masks.append((position, mask))
    return prepared, masks


def null_patterns(columns: list[str], masks: list[tuple[int, Any]], count: int) -> tuple[list[list[str]], list[int]]:
    """The distinct per-row lists of null feature names, and each row's position among them."""
    import numpy as np

    if not masks:
        return [[]], [0] * count
    if len(masks) > 62:  # too many columns to pack into one integer key: one list per row
        return [[columns[p] for p, m in masks if m[row]] for row in range(count)], list(range(count))
    keys = np.zeros(count, dtype=np.int64)
    for bit, (_, mask) in enumerate(masks):
        keys |= mask.astype(np.int64) << bit
    patterns, inverse = np.unique(keys, return_inverse=True)
    lists = [[columns[p] for bit, (p, _) in enumerate(masks) if (int(key) >> bit) & 1] for key in patterns]
    return lists, inverse.tolist()


def _rows_from_frame(frame: Any, limit: int) -> RowSet:
    """Vectorised: values and null masks per column, rows zipped at C speed."""
    columns = [str(c) for c in frame.columns]
    count = len(frame)
    data, masks = prepare_columns(frame, lambda series: column_values(series, limit))
    records = (dict(zip(columns, row)) for row in zip(*data)) if columns else ({} for _ in range(count))
    distinct, index = null_patterns(columns, masks, count)
    present = list(dict.fromkeys(columns))  # a repeated column name is one feature (the last value wins)
    return RowSet(records, [present] * count, list(map(distinct.__getitem__, index)))


def is_frame(value: Any) -> bool:
    """True for a pandas DataFrame (without importing pandas for other inputs)."""
    if not type(value).__module__.startswith("pandas"):
        return False
    import pandas as pd

    return isinstance(value, pd.DataFrame)


def rows_from_input(features: Any, limit: int) -> RowSet:
    """Rows for any supported input: dict, pandas Series/DataFrame, list of dicts."""
    if isinstance(features, Mapping):
        row, nulls = clean_mapping(features, limit, check_strings=True)
        return RowSet([row], [list(row)], [nulls])
    module = type(features).__module__
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(features, pd.DataFrame):
            return _rows_from_frame(features, limit)
        if isinstance(features, pd.Series):
            row, nulls = clean_mapping(features.to_dict(), limit, check_strings=True)
            return RowSet([row], [list(row)], [nulls])
    if isinstance(features, Sequence) and not isinstance(features, (str, bytes)):
        rows, present, nulls_all = [], [], []
        for item in features:
            if isinstance(item, Mapping):
                row, nulls = clean_mapping(item, limit, check_strings=True)
            else:
                row, nulls = clean_mapping({"value": item}, limit, check_strings=True)
            rows.append(row)
            present.append(list(row))
            nulls_all.append(nulls)
        return RowSet(rows, present, nulls_all)
    row, nulls = clean_mapping({"value": features}, limit, check_strings=True)
    return RowSet([row], [list(row)], [nulls])


def split_predictions(prediction: Any, count: int, limit: int) -> list[Any]:
    """One prediction per row: per-row values when the shapes agree, else the whole value on each."""
    if count == 1 and not _is_columnar(prediction):
        return [_clean_prediction(prediction, limit)]
    module = type(prediction).__module__
    values: list[Any] | None = None
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(prediction, pd.DataFrame) and len(prediction) == count:
            values = prediction.to_dict(orient="records")
        elif isinstance(prediction, pd.Series) and len(prediction) == count:
            values = prediction.tolist()
            if prediction.dtype.kind in "biuf":
                return values  # plain numbers: nothing to clean (NaN and inf serialise as null)
    elif module == "numpy" and getattr(prediction, "ndim", 0) >= 1 and len(prediction) == count:
        values = prediction.tolist()
        if prediction.ndim == 1 and prediction.dtype.kind in "biuf":
            return values  # plain numbers: nothing to clean
    elif isinstance(prediction, (list, tuple)) and len(prediction) == count:
        values = list(prediction)
    if values is None:
        if count == 1:
            return [_clean_prediction(prediction, limit)]
        cleaned = _clean_prediction(prediction, limit)
        return [cleaned] * count
    return [_clean_prediction(v, limit) for v in values]


def _is_columnar(value: Any) -> bool:
    module = type(value).__module__
    return module.startswith("pandas") or (module == "numpy" and getattr(value, "ndim", 0) >= 1)


def _clean_prediction(value: Any, limit: int) -> Any:
    kind = type(value)
    if kind is str:
        return R.truncate(value, limit)
    if kind is float or kind is int or kind is bool or value is None:
        return value
    return R.encode_value(value, limit)


def redact(features: dict[str, Any], names: frozenset[str], mode: str) -> dict[str, Any]:
    """A copy of ``features`` with the named fields dropped or hashed."""
    if mode == "drop":
        return {k: v for k, v in features.items() if k not in names}
    return {k: (R.redact_value(v, mode) if k in names else v) for k, v in features.items()}
