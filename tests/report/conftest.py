"""The demo's run, once per test session (worker): its report is what the browser and URL tests check."""

from __future__ import annotations

import pytest

from featurewatch.demo.run import DemoRun, run_demo
from featurewatch.settings import load_settings


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> DemoRun:
    """``featurewatch demo`` as `make demo` runs it (2,000 requests an hour), in a folder of its own."""
    return run_demo(tmp_path_factory.mktemp("demo"), settings=load_settings(environ={}))
