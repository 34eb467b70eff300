"""The Elasticsearch fixtures fail loudly when the test server cannot start (never skip)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_server_that_cannot_start_fails_the_tests(tmp_path):
    """With a broken server binary, a test using es_client errors with the cause, and the run exits non-zero."""
    for name in ("conftest.py", "esproxy.py", "helpers.py", "eswindow.py"):
        shutil.copy(TESTS / name, tmp_path / name)
    (tmp_path / "test_needs_es.py").write_text("def test_needs_es(es_client):\n    assert es_client.info()\n")
    env = {k: v for k, v in os.environ.items() if k != "FEATUREWATCH_TEST_ES_URL"}
    env["OSMEM_SERVER_BIN"] = "/bin/false"
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "OsmemError" in output and "1 error" in output, output
    assert "skipped" not in output
