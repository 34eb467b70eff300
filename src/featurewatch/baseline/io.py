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

Only the block matching ``kind`` is present. ``expected_*`` rates are derived
from the counts and written for readers; loading recomputes them. A file with
a newer ``schema_version`` than this code knows is refused (upgrade
featurewatch), as is anything that is not a readable baseline.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from ..errors import BaselineError
from ..profile.model import FeatureProfile
from ..kinds import KINDS
from ..kinds.text import MIX_TOKENS
from .model import BOOLEAN, CATEGORICAL, NUMERIC, TEXT, Baseline, FeatureBaseline

__all__ = ["SCHEMA_VERSION", "to_dict", "from_dict", "save_baseline", "load_baseline"]

SCHEMA_VERSION = 1
_KIND = "featurewatch-baseline"


def _feature_dict(f: FeatureBaseline) -> dict[str, Any]:
    ref = f.reference
    out: dict[str, Any] = {"kind": f.kind, "records": f.records, "present": ref.present, "nulls": ref.nulls,
                           "violations": ref.violations}
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
                       "types": list(f.types), "length_edges": list(f.length_edges), "length_counts": list(ref.length_bins),
                       "char_edges": list(f.char_edges), "char_counts": list(ref.char_bins),
                       "expected_unseen_rate": (min(1.0, (f.singletons + ref.unseen_tokens) / ref.tokens)
                                                if ref.tokens else 0.0)}
    return out


def to_dict(baseline: Baseline) -> dict[str, Any]:
    """The JSON document of ``baseline``."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": _KIND,
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
    if doc.get("kind") not in KINDS:
        raise BaselineError(f"feature {name!r} has unknown kind {doc.get('kind')!r}")
    reference = FeatureProfile(present=int(doc["present"]), nulls=int(doc["nulls"]),
                               violations=int(doc.get("violations", 0)))
    feature = FeatureBaseline(name=name, kind=doc["kind"], records=int(doc["records"]), reference=reference)
    if doc.get("numeric") is not None:
        n = doc["numeric"]
        feature.edges = [float(e) for e in n["edges"]]
        reference.bins = [int(c) for c in n["counts"]]
        if len(reference.bins) != len(feature.edges) + 1 or any(b <= a for a, b in zip(feature.edges, feature.edges[1:])):
            raise BaselineError(f"feature {name!r} has inconsistent numeric bins")
        count = int(n["count"])
        reference.minimum, reference.maximum = n.get("min"), n.get("max")
        mean = n.get("mean")
        reference.total = float(n["sum"]) if n.get("sum") is not None else (float(mean) * count if mean else 0.0)
        feature.std = n.get("std")
    if doc.get("categories") is not None:
        c = doc["categories"]
        reference.categories = {str(k): int(v) for k, v in c["counts"].items()}
        feature.known = list(reference.categories)
        reference.unseen_total = int(c["other_count"])
        feature.distinct, feature.singletons = int(c["distinct"]), int(c["singletons"])
        feature.types = [str(name) for name in c.get("types", [])]
    if doc.get("text") is not None:
        t = doc["text"]
        feature.vocabulary = {str(k): int(v) for k, v in t["vocabulary"].items()}
        reference.tokens, reference.unseen_tokens = int(t["tokens"]), int(t["other_count"])
        feature.distinct, feature.singletons = int(t["distinct"]), int(t["singletons"])
        feature.types = [str(name) for name in t.get("types", [])]
        feature.length_edges = [float(e) for e in t.get("length_edges", [])]
        feature.char_edges = [float(e) for e in t.get("char_edges", [])]
        reference.length_bins = [int(c) for c in t.get("length_counts", [])]
        reference.char_bins = [int(c) for c in t.get("char_counts", [])]
        # The known-token mix is the vocabulary's own counts (records containing each token).
        reference.known_tokens = {k: feature.vocabulary[k] for k in list(feature.vocabulary)[:MIX_TOKENS]}
    return feature


def from_dict(doc: Any) -> Baseline:
    """Rebuild a baseline from its JSON document; BaselineError if it is not one we can read."""
    if not isinstance(doc, dict) or doc.get("kind") != _KIND:
        raise BaselineError("not a featurewatch baseline (no \"kind\": \"featurewatch-baseline\")")
    version = doc.get("schema_version")
    if not isinstance(version, int):
        raise BaselineError("baseline has no schema_version")
    if version > SCHEMA_VERSION:
        raise BaselineError(f"baseline schema_version {version} is newer than this featurewatch reads "
                            f"({SCHEMA_VERSION}); upgrade featurewatch")
    try:
        features = {str(name): _feature(str(name), f) for name, f in doc["features"].items()}
        prediction = None if doc.get("prediction") is None else _feature("prediction", doc["prediction"])
        return Baseline(model=str(doc["model"]), features=features, rows=int(doc["rows"]),
                        versions=[str(v) for v in doc.get("versions", [])], prediction=prediction,
                        created=str(doc.get("created", "")), source=dict(doc.get("source") or {}),
                        excluded=[str(name) for name in doc.get("excluded", [])], errors=int(doc.get("errors", 0)))
    except BaselineError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BaselineError(f"baseline is incomplete or malformed ({type(exc).__name__}: {exc})") from None


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
