"""Starting the CLI does not load the Elasticsearch client: a local cron run should not pay for it."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_cli_does_not_import_elasticsearch():
    """Only the commands that talk to Elasticsearch import the client, when they run."""
    code = "import featurewatch.cli, sys; print('elasticsearch' in sys.modules, 'elastic_transport' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout == "False False\n"
