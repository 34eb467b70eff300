"""Findings and the report of one detection run."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from typing import Any

__all__ = ["Severity", "SEVERITIES", "severity_rank", "Finding", "Report", "finding_id"]


class Severity(enum.StrEnum):
    """How bad a finding is; compares and serialises as its name."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 info, 1 warning, 2 critical."""
        return _RANKS[self]


_RANKS = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}
#: Severity names, mildest first.
SEVERITIES = tuple(s.value for s in Severity)


def severity_rank(severity: str) -> int:
    """0 info, 1 warning, 2 critical; anything else (``--fail-on never``) ranks above everything."""
    return _RANKS.get(severity, 3)  # type: ignore[call-overload]


def finding_id(model: str, start: str, end: str, check: str, feature: str | None,
               reference: str = "training") -> str:
    """Deterministic id: the same window, check, feature and reference always get the same id."""
    parts = [model, start, end, check, feature or ""] + ([] if reference == "training" else [reference])
    key = "\x1f".join(parts)
    return hashlib.blake2b(key.encode("utf-8"), digest_size=16).hexdigest()


@dataclasses.dataclass(frozen=True)
class Finding:
    """One thing a check found, saying what was expected, what was seen, and how sure we are.

    ``statistic`` is the effect size the check measures (named by ``effect``),
    ``threshold`` the value it was compared with, ``p_value`` the
    Benjamini–Hochberg-adjusted p-value (None for checks that count facts, not
    samples). ``baseline``/``observed`` are short texts for people;
    ``baseline_value``/``observed_value`` the numbers behind them.
    """

    check: str
    feature: str | None
    severity: Severity
    statistic: float | None
    threshold: float | None
    baseline: str
    observed: str
    message: str
    p_value: float | None = None
    effect: str | None = None
    baseline_value: float | None = None
    observed_value: float | None = None
    #: What the window was compared with: ``training`` (the baseline) or ``recent`` (``--reference-window``).
    reference: str = "training"
    #: Evidence as data, merged into the JSON object: ``new_values`` (``[{"value", "count"}]``) and
    #: ``new_distinct`` for new categories and tokens; ``examples`` (``[{"value", "type", "count"}]``) for
    #: type violations.
    evidence: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out.update(out.pop("evidence"))
        return out


@dataclasses.dataclass
class Report:
    """The result of detection over one window: findings (worst first) and per-feature metrics."""

    model: str
    start: str
    end: str
    records: int
    findings: list[Finding]
    metrics: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    #: Warnings from the source about this window (for example text features it cannot count).
    notes: list[str] = dataclasses.field(default_factory=list)
    #: Lines of the window's files that were not records, and files that could not be read.
    unreadable_lines: int = 0
    unreadable_files: list[str] = dataclasses.field(default_factory=list)

    def worst(self) -> str | None:
        """The highest severity found, or None when there are no findings."""
        if not self.findings:
            return None
        return max(self.findings, key=lambda f: severity_rank(f.severity)).severity

    def flagged(self, fail_on: str) -> list[Finding]:
        """Findings at or above ``fail_on`` (``never`` flags nothing)."""
        if fail_on == "never":
            return []
        rank = severity_rank(fail_on)
        return [f for f in self.findings if severity_rank(f.severity) >= rank]

    def finding_documents(self) -> list[dict[str, Any]]:
        """Findings as documents with ids, model and window (for the findings file and index)."""
        docs = []
        for finding in self.findings:
            doc = {"id": finding_id(self.model, self.start, self.end, finding.check, finding.feature,
                                    finding.reference),
                   "@timestamp": self.end, "model": self.model,
                   "window": {"start": self.start, "end": self.end},
                   "severity_rank": severity_rank(finding.severity), **finding.to_dict()}
            docs.append(doc)
        return docs

    def to_json(self) -> dict[str, Any]:
        """The ``detect --format json`` object (DESIGN.md §3)."""
        return {"model": self.model, "window": {"start": self.start, "end": self.end}, "records": self.records,
                "findings": [f.to_dict() for f in self.findings],
                "unreadable": {"lines": self.unreadable_lines, "files": list(self.unreadable_files)},
                "metrics": self.feature_metrics()}

    def feature_metrics(self) -> dict[str, dict[str, Any]]:
        """Per feature, the window's metrics (the numbers behind the checks, as in the metrics index)."""
        from .metrics import METRIC_NAMES

        return {doc["feature"]: {"records": doc["records"], **{name: doc.get(name) for name in METRIC_NAMES}}
                for doc in self.metrics}
