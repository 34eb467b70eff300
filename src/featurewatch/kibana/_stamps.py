"""Version stamps that make a saved-objects file import on Kibana 8.18 through 9.x.

Kibana refuses an object whose ``typeMigrationVersion`` is newer than the
versions it knows, and migrates an older one forward on import. So each type is
stamped with a version that 8.18 knows and whose document shape we write:

* ``coreMigrationVersion`` 8.8.0 — the core stamp every export since 8.8 carries.
* ``index-pattern`` 8.0.0 and ``lens`` 8.9.0 — the versions 8.18 itself exports.
* ``dashboard`` 8.9.0 — the last migration before dashboards moved to model
  versions (which 8.18 exports as 10.x.0); documents stamped 8.9.0 go through
  the model-version steps on import, so they stay valid on 9.x.
* ``search`` 8.0.0 — likewise the last legacy migration of saved searches.
"""

from __future__ import annotations

__all__ = ["CORE_MIGRATION_VERSION", "TYPE_MIGRATION_VERSIONS", "OLDEST_KIBANA"]

OLDEST_KIBANA = "8.18.0"
CORE_MIGRATION_VERSION = "8.8.0"
TYPE_MIGRATION_VERSIONS: dict[str, str] = {
    "index-pattern": "8.0.0",
    "search": "8.0.0",
    "lens": "8.9.0",
    "dashboard": "8.9.0",
}
