"""Where findings go and what they become: documents with alert state, the stores that keep them,
the webhook, the history of incidents, and the renderings for people and scripts.

* :mod:`.documents` — the documents of one window (findings with ``alert``/``since``, resolved
  alerts, metrics), the same for every store.
* :mod:`.alerts` — new / ongoing / resolved per (model, check, feature), and when to notify.
* :mod:`.store` — the :class:`FindingsStore` protocol, the findings file and the metrics file
  (the Elasticsearch indices: :mod:`featurewatch.es.sinks`).
* :mod:`.webhook` — the Slack-compatible post.
* :mod:`.history` — incidents read back from a store.
* :mod:`.table` — the table and the JSON of ``detect`` and ``findings``.

Nothing here imports detection, pandas or Elasticsearch at import time.
"""

from __future__ import annotations

from .alerts import Alert, AlertState, alert_state
from .documents import WindowDocuments, window_documents
from .history import Incident, incidents
from .store import FindingsStore, JsonlFindingsFile, JsonlMetricsFile
from .table import render_incidents, render_incidents_json, render_json, render_table
from .webhook import Webhook, check_webhook_url, webhook_payload

__all__ = ["Alert", "AlertState", "alert_state", "WindowDocuments", "window_documents", "Incident", "incidents",
           "FindingsStore", "JsonlFindingsFile", "JsonlMetricsFile", "Webhook", "webhook_payload",
           "check_webhook_url", "render_table", "render_json", "render_incidents", "render_incidents_json"]
