"""The baseline file: versioned JSON, documented field by field.

Schema (``schema_version`` 1)::

    {
      "schema_version": 1,
      "kind": "featurewatch-baseline",
      "model": "credit",
      "versions": ["1.4.0"],          # expected model versions; [] = any
      "rows": 20000,                  # training rows (or reference records)
      "created": "2026-11-26T18:00:00Z",
      "source": {"path": "training.csv"},
      "features": {
        "<name>": {
          "kind": "numeric|categorical|boolean|text|identifier",
          "records": 20000, "present": 20000, "nulls": 12, "violations": 0,
          "numeric": {"edges": [...], "counts": [...], "count": 19988,
                      "min": 18.0, "max": 90.0, "mean": 41.0, "std": 12.0, "sum": 819508.0},
          "categories": {"counts": {"single": 7600, ...}, "other_count": 0,
                         "total": 20000, "distinct": 4, "singletons": 0, "types": ["string"],
                         "expected_new_rate": 0.0},
          "text": {"vocabulary": {"car": 1234, ...}, "other_count": 0, "tokens": 98000,
                   "distinct": 70, "singletons": 0, "values": 20000,
                   "expected_unseen_rate": 0.0}
        }
      },
      "prediction": { ...same shape as a feature... } or null
    }

Only the block matching ``kind`` is present; identifiers have none. Optional
per feature: ``reason`` (why it has its kind) and ``warnings`` (what looked
wrong in the training data). ``expected_*`` rates are derived from the counts
and written for readers; loading recomputes them. Every file is checked field
by field on load (:mod:`featurewatch.baseline.schema`): a damaged or
hand-edited file that breaks a rule, or has a newer ``schema_version`` than
this code knows, is refused with the field named (upgrade featurewatch for the
latter).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from ..errors import BaselineError
from ..kinds.text import MIX_TOKENS
from ..outputs import first_json_line
from ..profile.model import FeatureProfile
from .model import BOOLEAN, CATEGORICAL, NUMERIC, TEXT, Baseline, FeatureBaseline
from .schema import MARKER, SCHEMA_VERSION, check_document

__all__ = ["SCHEMA_VERSION", "to_dict", "from_dict", "save_baseline", "load_baseline", "is_baseline_file"]

#: A file larger than this is not read whole to tell whether it is a baseline (none is this large).
_LARGEST_BASELINE = 512 * 1024 * 1024


def _feature_dict(f: FeatureBaseline) -> dict[str, Any]:
    ref = f.reference
    out: dict[str, Any] = {"kind": f.kind, "records": f.records, "present": ref.present, "nulls": ref.nulls,
                           "violations": ref.violations}
    if f.reason:
        out["reason"] = f.reason
    if f.warnings:
        out["warnings"] = list(f.warnings)
    if f.kind == NUMERIC:
        out["numeric"] = {"edges": list(f.edges), "counts": list(ref.bins) or [0], "count": ref.numbers,
                          "min": ref.minimum, "max": ref.maximum, "mean": ref.mean, "std": f.std, "sum": ref.total}
    elif f.kind in (CATEGORICAL, BOOLEAN):
        total = sum(ref.categories.values()) + ref.unseen_total
        out["categories"] = {"counts": {k: ref.categories.get(k, 0) for k in f.known},
                             "other_count": ref.unseen_total, "total": total, "distinct": f.distinct,
                             "singletons": f.singletons, "types": list(f.types),
                             "expected_new_rate": min(1.0, (f.singletons + ref.unseen_total) / total) if total else 0.0}
    elif f.kind == TEXT:
        out["text"] = {"vocabulary": dict(f.vocabulary), "other_count": ref.unseen_tokens, "tokens": ref.tokens,
                       "distinct": f.distinct, "singletons": f.singletons, "values": ref.values - ref.violations,
                       "types": list(f.types), "length_edges": list(f.length_edges),
                       "length_counts": list(ref.length_bins),
                       "char_edges": list(f.char_edges), "char_counts": list(ref.char_bins),
                       "expected_unseen_rate": (min(1.0, (f.singletons + ref.unseen_tokens) / ref.tokens)
                                                if ref.tokens else 0.0)}
    return out


def to_dict(baseline: Baseline) -> dict[str, Any]:
    """The JSON document of ``baseline``."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": MARKER,
        "model": baseline.model,
        "versions": list(baseline.versions),
        "rows": baseline.rows,
        "created": baseline.created,
        "source": dict(baseline.source),
        "features": {name: _feature_dict(f) for name, f in baseline.features.items()},
        "prediction": None if baseline.prediction is None else _feature_dict(baseline.prediction),
        "excluded": sorted(baseline.excluded),
        "errors": baseline.errors,
    }


def _feature(name: str, doc: dict[str, Any]) -> FeatureBaseline:
    """The feature of a document :func:`check_document` accepted."""
    reference = FeatureProfile(present=doc["present"], nulls=doc["nulls"], violations=doc.get("violations", 0))
    feature = FeatureBaseline(name=name, kind=doc["kind"], records=doc["records"], reference=reference,
                              reason=doc.get("reason") or "", warnings=list(doc.get("warnings") or []))
    if doc["kind"] == NUMERIC:
        n = doc["numeric"]
        feature.edges = [float(e) for e in n["edges"]]
        reference.bins = list(n["counts"])
        reference.minimum, reference.maximum = n.get("min"), n.get("max")
        mean = n.get("mean")
        # Files written before "sum" have the mean only.
        reference.total = float(n["sum"]) if n.get("sum") is not None else (float(mean) * n["count"] if mean else 0.0)
        feature.std = n.get("std")
    elif doc["kind"] in (CATEGORICAL, BOOLEAN):
        c = doc["categories"]
        reference.categories = dict(c["counts"])
        feature.known = list(reference.categories)
        reference.unseen_total = c["other_count"]
        feature.distinct, feature.singletons = c["distinct"], c["singletons"]
        feature.types = list(c.get("types") or [])
    elif doc["kind"] == TEXT:
        t = doc["text"]
        feature.vocabulary = dict(t["vocabulary"])
        reference.tokens, reference.unseen_tokens = t["tokens"], t["other_count"]
        feature.distinct, feature.singletons = t["distinct"], t["singletons"]
        feature.types = list(t.get("types") or [])
        feature.length_edges = [float(e) for e in t.get("length_edges", [])]
        feature.char_edges = [float(e) for e in t.get("char_edges", [])]
        reference.length_bins = [int(c) for c in t.get("length_counts", [])]
        reference.char_bins = [int(c) for c in t.get("char_counts", [])]
        # The known-token mix is the vocabulary's own counts (records containing each token).
        reference.known_tokens = {k: feature.vocabulary[k] for k in list(feature.vocabulary)[:MIX_TOKENS]}
    return feature


def from_dict(doc: Any) -> Baseline:
    """Rebuild a baseline from its JSON document; BaselineError naming the field if it is not one we can read."""
    check_document(doc)
    features = {name: _feature(name, f) for name, f in doc["features"].items()}
    prediction = None if doc.get("prediction") is None else _feature("prediction", doc["prediction"])
    return Baseline(model=doc["model"], features=features, rows=doc["rows"], versions=list(doc.get("versions") or []),
                    prediction=prediction, created=doc.get("created") or "", source=dict(doc.get("source") or {}),
                    excluded=[str(name) for name in doc.get("excluded") or []], errors=int(doc.get("errors") or 0))


def save_baseline(baseline: Baseline, path: str | os.PathLike[str]) -> Path:
    """Write ``baseline`` as JSON (atomically: a temporary file, then rename)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_bytes(orjson.dumps(to_dict(baseline), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
    temporary.replace(target)
    return target


def load_baseline(path: str | os.PathLike[str]) -> Baseline:
    """Read a baseline file; a missing, corrupt or too-new file raises BaselineError (exit code 2)."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise BaselineError(f"baseline file not found: {file}") from None
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {file}: {exc.strerror or exc}") from None
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BaselineError(f"baseline {file} is not valid JSON (corrupt or truncated?)") from None
    try:
        return from_dict(doc)
    except BaselineError as exc:
        raise BaselineError(f"{file}: {exc}") from None


def is_baseline_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a baseline file, sound or damaged (what ``baseline build -o`` may overwrite).

    Cheap for the files it is not: a table (CSV, Parquet) does not start with
    ``{``, and a JSON-lines file's first line is a whole object without the marker.
    """
    file = Path(path)
    first = first_json_line(file)
    if isinstance(first, dict):
        return first.get("kind") == MARKER
    try:
        with file.open("rb") as handle:
            head = handle.read(4096)
        if not head.lstrip().startswith(b"{") or file.stat().st_size > _LARGEST_BASELINE:
            return False
        doc = orjson.loads(file.read_bytes())
    except OSError:
        return False
    except orjson.JSONDecodeError:
        # A baseline cut short (a full disk, an interrupted copy) is still one: its head says so.
        return f'"kind": "{MARKER}"'.encode() in head
    return isinstance(doc, dict) and doc.get("kind") == MARKER
