"""Shared fixtures; the helpers themselves live in helpers.py (importable as ``helpers``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import diabetes_baseline, synthetic_baseline

from featurewatch.baseline.model import Baseline
from featurewatch.shim import _state


@pytest.fixture(autouse=True)
def _reset_shim() -> Iterator[None]:
    """Every test starts and ends without a configured shim, so log folders never leak between tests."""
    _state.reset()
    yield
    _state.reset()


@pytest.fixture(scope="session")
def synth() -> Baseline:
    """Baseline of 20,000 synthetic training rows (model "synth", version "1.0", prediction "score")."""
    return synthetic_baseline()


@pytest.fixture(scope="session")
def diabetes() -> Baseline:
    """Baseline of scikit-learn's bundled diabetes data (model "diabetes", prediction "target")."""
    return diabetes_baseline()
