"""Starting the CLI loads little: cron runs many small windows, and `--help` should be instant.

`featurewatch --help` and `featurewatch detect --help` load neither pandas, pyarrow nor scipy, and
no command loads the Elasticsearch client until it runs against a cluster.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("pandas", "pyarrow", "scipy", "numpy", "elasticsearch", "elastic_transport")


def _loaded_after(code: str) -> set[str]:
    """Top-level packages in sys.modules after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def _help(*words: str) -> str:
    args = ", ".join(repr(w) for w in (*words, "--help"))
    return ("from featurewatch.cli import main\n"
            f"try:\n    main([{args}], prog_name='featurewatch')\nexcept SystemExit:\n    pass")


def test_importing_the_cli_does_not_import_elasticsearch():
    """Only the commands that talk to Elasticsearch import the client, when they run."""
    loaded = _loaded_after("import featurewatch.cli")
    assert not loaded & {"elasticsearch", "elastic_transport"}


@pytest.mark.parametrize("words", [(), ("detect",), ("findings",), ("kibana", "build"), ("setup",)],
                         ids=lambda w: " ".join(w) or "featurewatch")
def test_help_adds_no_heavy_import(words):
    """Whatever `import featurewatch` loads, the CLI's help adds none of pandas, pyarrow, scipy or the client."""
    package = _loaded_after("import featurewatch")
    shown = _loaded_after(_help(*words))
    assert not (shown - package) & set(HEAVY), sorted((shown - package) & set(HEAVY))


@pytest.mark.parametrize("words", [(), ("detect",)], ids=lambda w: " ".join(w) or "featurewatch")
def test_help_loads_neither_pandas_nor_pyarrow(words):
    """The DESIGN.md §8 start-up goal: neither `import featurewatch` nor the help loads pandas or pyarrow."""
    assert not {"pandas", "pyarrow"} & _loaded_after("import featurewatch")
    assert not {"pandas", "pyarrow"} & _loaded_after(_help(*words))
