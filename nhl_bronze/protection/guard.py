"""The guard a protected store commits through: audit against the ledger before, ledger entry after.

``DeltaStore`` calls it for every protected write (append, insert-only merge, the table's creation, maintenance).
Before: the blocking audit of the snapshot the write commits on (it refuses a tampered table, and a table the
ledger records but that is gone: no empty table is created in its place), then a ``pending`` ledger entry whose
intent the commit carries in its commit info. After: the ``commit`` entry (commit file hash, added files' size,
rows and hashes). A crash between commit and ledger entry leaves an open intent and a commit carrying it; the
next audit records that commit (``reconciled``) if it only adds files, and reports it otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deltalake import CommitProperties

from nhl_bronze.protection.audit import require_untampered
from nhl_bronze.protection.ledger import INTENT_KEY, Ledger, new_intent
from nhl_bronze.protection.record import commit_fields
from nhl_bronze.storage.tables import TableSpec

if TYPE_CHECKING:
    from nhl_bronze.storage.delta import DeltaStore
    from nhl_bronze.storage.snapshot import TableSnapshot


class LedgerGuard:
    def __init__(self, store: DeltaStore, ledger: Ledger, run_id: str | None = None):
        self.store = store
        self.ledger = ledger
        self.run_id = run_id  # recorded in each entry (set by whoever knows the run, e.g. the Dagster asset)
        self.sampled: set[str] = set()  # tables whose live files this guard's audit sampled already

    def before_commit(self, snapshot: TableSnapshot) -> CommitProperties:
        # The daily sample of live files is hashed by the first audit of each table (a store serves one run;
        # a merge in many batches commits many times and samples once).
        spec = snapshot.spec
        sample = spec.name not in self.sampled
        require_untampered(self.store, snapshot, sample=sample)
        self.sampled.add(spec.name)
        intent = new_intent()
        self.ledger.append(spec.name, "pending", self.run_id, intent=intent)
        return CommitProperties(custom_metadata={INTENT_KEY: intent})

    def after_commit(self, spec: TableSpec, version: int) -> None:
        if self.ledger.state(spec.name).knows_version(version):
            return  # a concurrent writer's audit reconciled it already
        self.ledger.append(spec.name, "commit", self.run_id, **commit_fields(self.store, spec, version))
