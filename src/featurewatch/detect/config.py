"""Detection thresholds: documented defaults, overridable in ``featurewatch.toml``.

Every check has a ``warning`` and a ``critical`` threshold on its effect size
(see :data:`DEFAULTS`), a minimum count below which it reports ``info`` ("not
enough data") instead of testing, and for rates a ``min_ratio`` (the window's
rate must also be at least this many times the baseline's). A finding needs
the effect over the threshold *and* a Benjamini–Hochberg-adjusted p-value at
or below ``alpha``.

Overrides, in ``featurewatch.toml``::

    [detect]
    alpha = 0.01            # false discovery rate across all tests of a run
    min_records = 100       # fewer records in the window: one info finding, no tests

    [detect.na_spike]       # a check, for every feature
    warning = 0.10

    [detect.features.income.na_spike]   # a check, for one feature
    warning = 0.02
    enabled = false         # or switch it off

    [detect.features.applicant_id]
    enabled = false         # ignore a feature entirely
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError
from .check import Thresholds
from .registry import CHECKS, DEFAULTS, FEATURE_CHECKS
from .report import SEVERITIES, Severity

__all__ = ["CHECKS", "DEFAULTS", "GLOBAL_DEFAULTS", "DetectConfig"]

GLOBAL_DEFAULTS: dict[str, Any] = {"alpha": 0.01, "min_records": 100}
_THRESHOLD_FIELDS = {f.name for f in dataclasses.fields(Thresholds)}


@dataclasses.dataclass(frozen=True)
class DetectConfig:
    """Resolved thresholds: defaults < ``[detect.<check>]`` < ``[detect.features.<name>.<check>]``."""

    alpha: float = GLOBAL_DEFAULTS["alpha"]
    min_records: int = GLOBAL_DEFAULTS["min_records"]
    checks: Mapping[str, Mapping[str, Any]] = dataclasses.field(
        default_factory=lambda: {name: dict(values) for name, values in DEFAULTS.items()})
    features: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_table(cls, table: Mapping[str, Any] | None) -> DetectConfig:
        """Validate and resolve the ``[detect]`` table of featurewatch.toml."""
        table = dict(table or {})
        checks = {name: dict(values) for name, values in DEFAULTS.items()}
        features: dict[str, dict[str, Any]] = {}
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key in GLOBAL_DEFAULTS:
                values[key] = _number(f"detect.{key}", value)
            elif key in CHECKS:
                checks[key].update(_check_table(f"detect.{key}", key, value))
            elif key == "features":
                if not isinstance(value, Mapping):
                    raise ConfigError("[detect.features] must be a table of feature names")
                for name, spec in value.items():
                    features[str(name)] = _feature_table(str(name), spec)
            else:
                raise ConfigError(f"unknown setting {key!r} in [detect] of featurewatch.toml "
                                  f"(known: {', '.join([*GLOBAL_DEFAULTS, *CHECKS, 'features'])})")
        alpha = float(values.get("alpha", GLOBAL_DEFAULTS["alpha"]))
        if not 0 < alpha < 1:
            raise ConfigError(f"detect.alpha must be between 0 and 1, not {alpha}")
        return cls(alpha=alpha, min_records=int(values.get("min_records", GLOBAL_DEFAULTS["min_records"])),
                   checks=checks, features=features)

    def enabled(self, check: str, feature: str | None = None) -> bool:
        if feature is not None and self.features.get(feature, {}).get("enabled") is False:
            return False
        override = self.features.get(feature, {}).get(check, {}) if feature is not None else {}
        return bool(override.get("enabled", self.checks.get(check, {}).get("enabled", True)))

    def thresholds(self, check: str, feature: str | None = None) -> Thresholds:
        """The check's thresholds for ``feature``, resolved once (defaults < check table < feature table)."""
        values = {**self.checks.get(check, {}), **(self.features.get(feature, {}).get(check, {}) if feature else {})}
        return Thresholds(**{k: v for k, v in values.items() if k in _THRESHOLD_FIELDS})

    def severity(self, check: str) -> Severity:
        """The configured severity of a check that has one instead of thresholds (``no_data``)."""
        return Severity(self.checks.get(check, {}).get("severity", Severity.WARNING))


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number, not {value!r}")
    return value


def _check_table(where: str, check: str, table: Any) -> dict[str, Any]:
    if not isinstance(table, Mapping):
        raise ConfigError(f"[{where}] must be a table")
    allowed = set(DEFAULTS[check]) | {"enabled"}
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in allowed:
            raise ConfigError(f"unknown setting {key!r} in [{where}] (known: {', '.join(sorted(allowed))})")
        if key == "enabled":
            if not isinstance(value, bool):
                raise ConfigError(f"{where}.enabled must be true or false")
            out[key] = value
        elif key == "severity":
            if value not in SEVERITIES:
                raise ConfigError(f"{where}.severity must be info, warning or critical, not {value!r}")
            out[key] = value
        else:
            out[key] = _number(f"{where}.{key}", value)
    return out


def _feature_table(name: str, spec: Any) -> dict[str, Any]:
    if not isinstance(spec, Mapping):
        raise ConfigError(f"[detect.features.{name}] must be a table")
    out: dict[str, Any] = {}
    for key, value in spec.items():
        if key == "enabled":
            if not isinstance(value, bool):
                raise ConfigError(f"detect.features.{name}.enabled must be true or false")
            out[key] = value
        elif key in FEATURE_CHECKS:
            out[key] = _check_table(f"detect.features.{name}.{key}", key, value)
        else:
            raise ConfigError(f"unknown setting {key!r} in [detect.features.{name}] "
                              f"(known: enabled, {', '.join(sorted(FEATURE_CHECKS))})")
    return out
