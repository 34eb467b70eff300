"""Baselines: what a model's inputs looked like in training, as counts.

Build one from a DataFrame (:func:`build_baseline`), from a CSV/Parquet/JSONL
file, or from logged requests of a reference window (:func:`baseline_from_logs`);
save and load it as versioned JSON (:mod:`featurewatch.baseline.io`).
"""

from __future__ import annotations

from .build import BaselineOptions, build_baseline
from .infer import infer_kind
from .io import SCHEMA_VERSION, from_dict, load_baseline, save_baseline, to_dict
from .logs import baseline_from_logs
from .model import (
                    BOOLEAN,
                    CATEGORICAL,
                    IDENTIFIER,
                    KINDS,
                    NUMERIC,
                    PREDICTION,
                    TEXT,
                    Baseline,
                    CategorySummary,
                    FeatureBaseline,
                    NumericSummary,
                    TextSummary,
)

__all__ = [
    "Baseline", "FeatureBaseline", "NumericSummary", "CategorySummary", "TextSummary", "BaselineOptions",
    "build_baseline", "baseline_from_logs", "infer_kind", "load_baseline", "save_baseline", "to_dict", "from_dict",
    "SCHEMA_VERSION", "NUMERIC", "CATEGORICAL", "BOOLEAN", "TEXT", "IDENTIFIER", "KINDS", "PREDICTION",
]
