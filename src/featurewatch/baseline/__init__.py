"""Baselines: what a model's inputs looked like in training — a schema per feature
and the training data counted on it.

Build one from a DataFrame (:func:`build_baseline`), from a CSV/Parquet/JSONL
file (:func:`baseline_from_file`), or from logged requests of a reference window (:func:`baseline_from_logs`);
save and load it as versioned JSON (:mod:`featurewatch.baseline.io`). Names are
imported on first use, so loading a baseline never loads pandas, and the kinds
(which this package's model underlies) can import it without a cycle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .model import BOOLEAN, CATEGORICAL, IDENTIFIER, NUMERIC, PREDICTION, TEXT, Baseline, FeatureBaseline

if TYPE_CHECKING:
    from .build import BaselineOptions, build_baseline
    from .files import baseline_from_file
    from .infer import infer_kind
    from .io import SCHEMA_VERSION, from_dict, load_baseline, save_baseline, to_dict
    from .logs import baseline_from_logs

__all__ = [
    "Baseline", "FeatureBaseline", "BaselineOptions", "build_baseline", "baseline_from_file", "baseline_from_logs",
    "infer_kind",
    "load_baseline", "save_baseline", "to_dict", "from_dict", "SCHEMA_VERSION", "NUMERIC", "CATEGORICAL",
    "BOOLEAN", "TEXT", "IDENTIFIER", "PREDICTION",
]

_LAZY = {"BaselineOptions": ".build", "build_baseline": ".build", "infer_kind": ".infer",
         "baseline_from_logs": ".logs", "baseline_from_file": ".files", "SCHEMA_VERSION": ".io",
         "from_dict": ".io", "load_baseline": ".io", "save_baseline": ".io", "to_dict": ".io"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
