"""Where findings go: the table for people, JSON for scripts, a local JSONL file, a webhook.

Each destination is a :class:`FindingsSink` (``write(report)``); the
Elasticsearch sink of a later issue implements the same protocol.
"""

from __future__ import annotations

from .sinks import FindingsSink, JsonlFindingsFile, WebhookSink, webhook_payload
from .table import render_json, render_table

__all__ = ["FindingsSink", "JsonlFindingsFile", "WebhookSink", "webhook_payload", "render_table", "render_json"]
