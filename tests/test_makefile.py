"""``make demo`` installs featurewatch alone; ``make test`` adds the test extras; neither undoes the other."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _dry_run(folder: Path, target: str) -> list[str]:
    """The commands ``make -n target`` would run in ``folder``."""
    out = subprocess.run(["make", "-n", target], cwd=folder, capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line.strip()]


@pytest.fixture
def checkout(tmp_path):
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").touch()
    return tmp_path


def _installs(commands: list[str]) -> list[str]:
    return [c for c in commands if "pip install" in c and "--upgrade pip" not in c]


def test_demo_installs_without_extras(checkout):
    installs = _installs(_dry_run(checkout, "demo"))
    assert installs == [".venv/bin/python -m pip install --quiet -e ."]


def test_test_installs_the_test_extras(checkout):
    assert _installs(_dry_run(checkout, "test"))[-1] == ".venv/bin/python -m pip install --quiet -e '.[test]'"


def test_the_stamps_do_not_fight(checkout):
    """After `make test`, `make demo` installs nothing; after `make demo`, `make test` adds only the extras."""
    digest = subprocess.run("cat pyproject.toml | cksum | cut -d' ' -f1", shell=True, cwd=checkout,
                            capture_output=True, text=True, check=True).stdout.strip()
    venv = checkout / ".venv"
    (venv / f".installed-runtime-{digest}").touch()
    assert _installs(_dry_run(checkout, "test")) == [".venv/bin/python -m pip install --quiet -e '.[test]'"]
    (venv / f".installed-test-{digest}").touch()
    assert _installs(_dry_run(checkout, "demo")) == [] and _installs(_dry_run(checkout, "test")) == []


def test_lint_adds_the_lint_extras_and_keeps_the_others(checkout):
    """`make lint` installs the test and lint extras; after it, `make test` and `make demo` install nothing."""
    digest = subprocess.run("cat pyproject.toml | cksum | cut -d' ' -f1", shell=True, cwd=checkout,
                            capture_output=True, text=True, check=True).stdout.strip()
    venv = checkout / ".venv"
    (venv / f".installed-runtime-{digest}").touch()
    (venv / f".installed-test-{digest}").touch()
    assert _installs(_dry_run(checkout, "lint")) == [".venv/bin/python -m pip install --quiet -e '.[test,lint]'"]
    (venv / f".installed-lint-{digest}").touch()
    assert _installs(_dry_run(checkout, "lint")) == []
    assert _installs(_dry_run(checkout, "test")) == [] and _installs(_dry_run(checkout, "demo")) == []
