"""Imports flow with the pipeline: the shipper and the Elasticsearch aggregations stay light (issue 10)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _loaded(module: str, *names: str) -> list[str]:
    code = f"import {module}, sys; print(' '.join(n for n in {names!r} if n in sys.modules))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()


def test_the_shipper_loads_neither_pandas_nor_pyarrow():
    assert _loaded("featurewatch.ship", "pandas", "pyarrow", "elasticsearch") == []


@pytest.mark.parametrize("module", ["featurewatch.es.aggregations", "featurewatch.kinds", "featurewatch.detect.run"])
def test_counting_in_elasticsearch_does_not_load_the_local_reader(module):
    assert _loaded(module, "featurewatch.profile.local", "pyarrow", "pandas") == []
