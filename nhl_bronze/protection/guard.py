"""The guard a protected store commits through: the blocking audit before each commit of a protected table.

``DeltaStore`` calls it for every protected write (append, insert-only merge, the table's creation); it refuses a
write on a snapshot the audit finds tampered with, and stamps the commit with the version audited clean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nhl_bronze.protection.audit import audit_stamp, require_untampered
from nhl_bronze.storage.tables import TableSpec

if TYPE_CHECKING:
    from deltalake import CommitProperties, DeltaTable

    from nhl_bronze.storage.delta import DeltaStore


class AuditGuard:
    def __init__(self, store: DeltaStore):
        self.store = store

    def before_commit(self, spec: TableSpec, table: DeltaTable | None) -> CommitProperties | None:
        if table is None:
            return None
        return audit_stamp(require_untampered(self.store, spec, table))

    def after_commit(self, spec: TableSpec, version: int) -> None:
        return None
