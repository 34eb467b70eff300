"""Where findings go: the table for people, JSON for scripts, a local JSONL file, a webhook.

Each destination is a :class:`FindingsSink` (``write(report)``); the
Elasticsearch sink (:mod:`featurewatch.es.sinks`) implements the same protocol.
Nothing here imports detection or Elasticsearch at import time.
"""

from __future__ import annotations

from .sinks import FindingsSink, JsonlFindingsFile
from .table import render_json, render_table
from .webhook import WebhookSink, check_webhook_url, webhook_payload

__all__ = ["FindingsSink", "JsonlFindingsFile", "WebhookSink", "webhook_payload", "check_webhook_url",
           "render_table", "render_json"]
