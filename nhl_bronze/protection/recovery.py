"""Recovering a protected table after the audit caught a commit that removed rows.

The lost rows are still in the table's past: time travel to ``good_version`` (the version before the first bad
commit) reads them, and every row of that version that the current version lacks is appended again, unchanged
(same ``_version``, ``_row_hash``, ``_run_id``, ``_ingested_at``). ``delta.appendOnly`` is switched back on first.
Then the ledger records every version since its last entry (the bad commits, marked ``foreign``, and the
recovery's own) and a ``recovered`` entry naming the bad versions: the acknowledgement lives in the ledger, never
in the table (a commit's metadata can be forged by anyone who can write the storage).

A data file deleted by hand is not in the table's past: restore the file from a backup (object-store
versioning, a copy of the data dir), or see docs/HISTORY_SAFETY.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl
from deltalake import write_deltalake

from nhl_bronze.protection.audit import APPEND_ONLY_KEY, audit_table, ledger_of
from nhl_bronze.protection.record import commit_fields
from nhl_bronze.storage.history import VERSION
from nhl_bronze.storage.tables import TableSpec
from nhl_bronze.storage.writes import require_protected

if TYPE_CHECKING:
    from nhl_bronze.storage.delta import DeltaStore


class RecoveryError(RuntimeError):
    pass


@dataclass(frozen=True)
class RecoveryResult:
    table: str
    good_version: int
    repaired_versions: list[int]
    rows_restored: int
    table_version: int


def recover_history(store: DeltaStore, spec: TableSpec, good_version: int) -> RecoveryResult:
    """Re-append every row of ``good_version`` that the current version lacks, acknowledging the bad commits
    after ``good_version`` that the audit reports. Safe to re-run: a second run finds nothing missing."""
    require_protected(spec)
    report = audit_table(store, spec, full=True)
    missing_files = [p for p in report.problems if "missing from storage" in p.message]
    if missing_files:
        raise RecoveryError(f"{spec.name}: {missing_files[0].message}; time travel cannot bring back a deleted "
                            "file: restore it from a backup first (docs/HISTORY_SAFETY.md)")
    bad_versions = sorted({p.version for p in report.problems})
    if any(v <= good_version for v in bad_versions):
        raise RecoveryError(f"{spec.name}: version {good_version} is not before the bad commits {bad_versions}: "
                            "pick the version before the first one")
    table = store.table(spec)
    if table.metadata().configuration.get(APPEND_ONLY_KEY) != "true":
        table.alter.set_table_properties({APPEND_ONLY_KEY: "true"})
    before = store.scan(spec, version=good_version).collect()
    now = store.scan(spec).collect()
    identity = [*spec.key, VERSION] if VERSION in before.columns else list(spec.key)
    lost = before.join(now.select(identity), on=identity, how="anti", nulls_equal=True)
    if not lost.is_empty():
        write_deltalake(store.uri(spec), lost.select(pl.all()), mode="append", schema_mode="merge",
                        storage_options=store.storage_options)
    version = store.table(spec).version()
    ledger = ledger_of(store)
    state = ledger.state(spec.name)
    for unknown in (v for v in range(version + 1) if not state.knows_version(v)):
        ledger.append(spec.name, "commit", foreign=unknown in bad_versions, **commit_fields(store, spec, unknown))
    ledger.append(spec.name, "recovered", versions=bad_versions, recovered_from=good_version,
                  rows_restored=lost.height, table_version=version)
    return RecoveryResult(spec.name, good_version, bad_versions, lost.height, version)
