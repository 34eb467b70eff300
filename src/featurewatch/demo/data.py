"""A realistic synthetic credit-scoring model: training data and a day of traffic.

Traffic runs for 24 hours from :data:`TRAFFIC_START`; :data:`INCIDENTS` lists
the faults injected at known times, and :data:`CLEAN_WINDOWS` hours that are
drawn from the training distribution. Tests and ``featurewatch demo`` rely on
these, so changing them means changing the demo's expected findings.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
from collections.abc import Iterator
from typing import Any, cast

import numpy as np
import pandas as pd

__all__ = ["MODEL", "VERSION", "TRAFFIC_START", "Incident", "INCIDENTS", "CLEAN_WINDOWS",
           "training_frame", "traffic", "score"]

MODEL = "credit"
VERSION = "1.4.0"
TRAFFIC_START = _dt.datetime(2026, 11, 20, tzinfo=_dt.UTC)

EMPLOYMENT = (["salaried", "self_employed", "contract", "retired", "unemployed"], [0.55, 0.17, 0.14, 0.09, 0.05])
MARITAL = (["single", "married", "divorced", "widowed"], [0.38, 0.46, 0.12, 0.04])
HOME = (["rent", "own", "mortgage"], [0.42, 0.21, 0.37])
REGION = (["north", "south", "east", "west", "central"], [0.22, 0.25, 0.18, 0.2, 0.15])
PURPOSE = (["car", "home_improvement", "education", "business", "debt_consolidation", "medical"],
           [0.24, 0.18, 0.12, 0.1, 0.3, 0.06])
CHANNEL = (["web", "mobile", "branch", "partner"], [0.41, 0.37, 0.12, 0.10])
NOTE_WORDS = ["need", "funds", "for", "car", "repair", "pay", "off", "credit", "card", "debt", "consolidate", "loans",
              "buy", "used", "vehicle", "renovate", "kitchen", "bathroom", "roof", "school", "tuition", "fees", "for",
              "my", "daughter", "son", "start", "small", "business", "equipment", "inventory", "medical", "bills",
              "hospital", "treatment", "wedding", "expenses", "moving", "to", "new", "apartment", "cover", "unexpected",
              "costs", "refinance", "existing", "loan", "lower", "monthly", "payment", "family", "emergency", "travel",
              "home", "repairs", "furniture", "appliances", "solar", "panels", "garden", "fence", "computer", "laptop",
              "training", "course"]
SPANISH_WORDS = ["necesito", "dinero", "para", "pagar", "la", "reparación", "del", "coche", "deudas", "de", "tarjeta",
                 "comprar", "muebles", "nuevos", "matrícula", "escolar", "gastos", "médicos", "boda", "mudanza",
                 "negocio", "pequeño", "equipo", "préstamo", "familiar", "urgente"]


@dataclasses.dataclass(frozen=True)
class Incident:
    """A fault injected into the demo traffic between ``start`` and ``end``."""

    start: _dt.datetime
    end: _dt.datetime
    check: str
    feature: str
    description: str


def _at(hour: int) -> _dt.datetime:
    return TRAFFIC_START + _dt.timedelta(hours=hour)


INCIDENTS: tuple[Incident, ...] = (
    Incident(_at(6), _at(8), "vanished_feature", "employment_years",
             "an upstream service stops sending employment_years"),
    Incident(_at(10), _at(12), "na_spike", "income", "a form change leaves income blank for 35% of requests"),
    Incident(_at(14), _at(16), "unseen_category", "home_ownership",
             "a partner renames 'mortgage' to 'MORTGAGE'"),
    Incident(_at(16), _at(18), "unseen_tokens", "application_note", "a new market sends notes in Spanish"),
    Incident(_at(20), _at(22), "numeric_shift", "loan_amount", "loan_amount arrives in cents instead of euros"),
)
#: Hours with no incident: windows here must give no finding at warning or above.
CLEAN_WINDOWS: tuple[tuple[_dt.datetime, _dt.datetime], ...] = (
    (_at(0), _at(6)), (_at(8), _at(10)), (_at(12), _at(14)), (_at(18), _at(20)), (_at(22), _at(24)),
)


def _choice(rng: np.random.Generator, spec: tuple[list[str], list[float]], n: int) -> np.ndarray:
    values, weights = spec
    return rng.choice(np.array(values, dtype=object), size=n, p=weights)


def _notes(rng: np.random.Generator, n: int, words: list[str]) -> list[str]:
    lengths = rng.integers(3, 9, size=n)
    vocabulary = np.array(words, dtype=object)
    return [" ".join(rng.choice(vocabulary, size=k)) for k in lengths]


def training_frame(n: int = 20000, seed: int = 7) -> pd.DataFrame:
    """``n`` training rows of the credit model's features (and its score)."""
    rng = np.random.default_rng(seed)
    age = np.clip(rng.normal(41, 12, n), 18, 90).round().astype(int)
    income = np.round(rng.lognormal(math.log(48), 0.45, n), 1)
    employment_years = np.clip(rng.gamma(2.0, 3.5, n), 0, 45).round(1)
    frame = pd.DataFrame({
        "applicant_id": [f"A{v:08d}" for v in rng.integers(0, 10**8, n)],
        "age": age,
        "income": income,
        "loan_amount": np.round(rng.lognormal(math.log(9000), 0.7, n), -1),
        "credit_score": np.clip(rng.normal(680, 70, n), 300, 850).round().astype(int),
        "employment_years": employment_years,
        "debt_ratio": np.clip(rng.beta(2, 5, n), 0, 1).round(3),
        "num_accounts": rng.poisson(4, n),
        "employment_type": _choice(rng, EMPLOYMENT, n),
        "marital_status": _choice(rng, MARITAL, n),
        "home_ownership": _choice(rng, HOME, n),
        "region": _choice(rng, REGION, n),
        "loan_purpose": _choice(rng, PURPOSE, n),
        "channel": _choice(rng, CHANNEL, n),
        "application_note": _notes(rng, n, NOTE_WORDS),
    })
    # About 1% of incomes are missing in training already: a rate, not an alarm.
    frame.loc[rng.random(n) < 0.01, "income"] = np.nan
    frame["score"] = score(frame)
    return frame


def score(frame: pd.DataFrame) -> np.ndarray:
    """The 'model': a fixed logistic score, so predictions react to the inputs."""
    z = (-2.0 + 0.004 * (frame["credit_score"].fillna(680) - 680) * -1
         + 1.5 * frame["debt_ratio"].fillna(0.3)
         - 0.01 * frame["income"].fillna(48).clip(upper=500)
         + 0.00002 * frame["loan_amount"].fillna(9000).clip(upper=10**6))
    return np.round(1 / (1 + np.exp(-z.to_numpy(dtype=float))), 4)


def traffic(
    per_hour: int = 2000, hours: int = 24, seed: int = 11
) -> Iterator[tuple[_dt.datetime, dict[str, Any], float]]:
    """Yield ``(timestamp, features, prediction)`` for each request, incidents included."""
    rng = np.random.default_rng(seed)
    for hour in range(hours):
        start = _at(hour)
        frame = training_frame(per_hour, seed=seed * 1000 + hour).drop(columns=["score"])
        offsets = np.sort(rng.uniform(0, 3600, per_hour))
        active = {i.check for i in INCIDENTS if i.start <= start < i.end}
        if "unseen_tokens" in active:
            frame["application_note"] = _notes(rng, per_hour, SPANISH_WORDS)
        if "unseen_category" in active:
            frame["home_ownership"] = frame["home_ownership"].replace({"mortgage": "MORTGAGE"})
        if "numeric_shift" in active:
            frame["loan_amount"] = frame["loan_amount"] * 100
        if "na_spike" in active:
            frame.loc[rng.random(per_hour) < 0.35, "income"] = np.nan
        predictions = score(frame)
        # The frame's column names are strings (training_frame's): pandas types the keys as Hashable.
        records = cast("list[dict[str, Any]]", frame.to_dict(orient="records"))
        for index, features in enumerate(records):
            if "vanished_feature" in active:
                del features["employment_years"]
            if isinstance(features.get("income"), float) and math.isnan(features["income"]):
                features["income"] = None
            yield start + _dt.timedelta(seconds=float(offsets[index])), features, float(predictions[index])
