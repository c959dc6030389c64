"""History audit: compare each protected table with its ledger and fail on anything the project did not commit.

``delta.appendOnly`` and this package refuse deletes, but anyone with write access to the storage can switch the
property off, ``RESTORE`` an old version, delete or rewrite a commit file, a checkpoint or a data file, and forge
any metadata inside a commit. So the audit trusts nothing written inside the table: it starts from the ledger
(``nhl_bronze.protection.ledger``, kept outside the table) and checks the table against it
(``nhl_bronze.protection.ledger_audit``): every Delta version must be one the ledger recorded, recorded commit files
must be unchanged, and the live data files must be exactly the recorded ones (size and row count on every run,
SHA-256 with ``deep``). A version the ledger does not know is judged by what it does (``commit_problems``: a
``RESTORE``, a ``remove`` with ``dataChange``, ``delta.appendOnly`` switched off) and reported either way. The
current snapshot must also reference only files that exist (``repair(dry_run=True)``) and keep
``delta.appendOnly`` on. docs/HISTORY_SAFETY.md says what this can and cannot detect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nhl_bronze.protection.ledger import Ledger, LedgerCorruptError, LedgerState, default_ledger_root
from nhl_bronze.protection.ledger_audit import compare_with_ledger
from nhl_bronze.protection.problems import (
    APPEND_ONLY_KEY,
    COMPACTION_OPERATIONS,
    AuditProblem,
    AuditReport,
    HistoryTamperedError,
    commit_problems,
)
from nhl_bronze.protection.record import commit_fields
from nhl_bronze.storage.log import read_commit
from nhl_bronze.storage.snapshot import TableSnapshot
from nhl_bronze.storage.tables import ALL_TABLES, TableSpec

if TYPE_CHECKING:
    from deltalake import DeltaTable

    from nhl_bronze.storage.delta import DeltaStore

__all__ = [
    "APPEND_ONLY_KEY", "COMPACTION_OPERATIONS", "AuditProblem", "AuditReport", "HistoryTamperedError",
    "audit_protected", "audit_table", "commit_problems", "ledger_of", "require_untampered",
]
_ledgers: dict[str, Ledger] = {}  # one per ledger root and process: its entries are cached


def ledger_at(root: str, storage_options: dict[str, str] | None = None) -> Ledger:
    if root not in _ledgers:
        _ledgers[root] = Ledger(root, storage_options)
    return _ledgers[root]


def ledger_of(store: DeltaStore) -> Ledger:
    """The ledger of a store: the one its guard writes to, else the default beside the tables."""
    ledger = getattr(store.guard, "ledger", None)
    return ledger if isinstance(ledger, Ledger) else ledger_at(default_ledger_root(store.root), store.storage_options)


def audit_protected(store: DeltaStore, deep: bool = False) -> list[AuditReport]:
    """An audit of every protected table (history and the raw landing store); ``deep`` as in ``audit_table``."""
    return [audit_table(store, spec, full=deep, deep=deep) for spec in ALL_TABLES if spec.protected]


def audit_table(store: DeltaStore, target: TableSpec | TableSnapshot, full: bool = False, deep: bool = False,
                reconcile: bool = False, sample: bool = False) -> AuditReport:
    """Audit one table against its ledger: its current version (``target`` a spec), or the snapshot a writer is
    about to commit on. ``full`` re-hashes every recorded commit file (else the newest ones), ``deep`` every live
    data file; ``sample`` the daily sample of them (``ledger_audit.sampled_files``). ``reconcile`` records the
    project's own commits that a crash kept out of the ledger (a writer does; verify only reports them). Never
    raises for a tampered table: the report lists the problems."""
    ledger = ledger_of(store)
    snapshot = target if isinstance(target, TableSnapshot) else store.open(target)
    spec, table = snapshot.spec, snapshot.table
    report = AuditReport(spec.name, table.version() if table is not None else None, 0)
    try:
        state = ledger.state(spec.name)
    except LedgerCorruptError as error:
        report.problems.append(AuditProblem(report.version or 0, "LEDGER", str(error)))
        return report
    comparison = compare_with_ledger(store, spec, table, state, deep=deep, all_commits=full, sample=sample)
    if comparison.reconcilable and not comparison.problems:
        if not reconcile:
            report.problems.extend(AuditProblem(v, "PENDING", f"Delta version {v} is an nhl-bronze commit the "
                                                "ledger has not recorded yet (a crash after the commit): the next "
                                                "run records it") for v in comparison.reconcilable)
            return report
        for version in comparison.reconcilable:
            ledger.append(spec.name, "commit", reconciled=True, **commit_fields(store, spec, version))
        comparison = compare_with_ledger(store, spec, table, ledger.state(spec.name), deep=deep, all_commits=full,
                                         sample=sample)
    report.problems.extend(comparison.problems)
    state = ledger.state(spec.name)
    # A bad commit is recorded (``foreign``) by recovery once its rows are back, and acknowledged by the
    # ``recovered`` entry that follows; a recovery that stopped in between is reported until it is run again.
    report.problems.extend(AuditProblem(v, "RECOVERY", f"Delta version {v} was recorded as a foreign commit but no "
                                        "recovery acknowledged it (interrupted): run recover_history again")
                           for v, entry in sorted(state.versions.items())
                           if entry.get("foreign") and v not in state.acknowledged)
    if table is not None:
        report.problems.extend(snapshot_problems(store, spec, table, table.version()))
    if not reconcile:
        # A row recovery could not restore keeps verify red until an operator acknowledges it (``acknowledged_lost``
        # entries). Writers are not blocked by it: the row is gone already, and no run makes that worse.
        report.problems.extend(loss_problems(report.version or 0, state))
    return report


def loss_problems(version: int, state: LedgerState) -> list[AuditProblem]:
    return [AuditProblem(version, "LOST", f"row {_named(row)}, _version "
                         f"{row['_version']} was altered and its recorded content found nowhere (recovery recorded "
                         "it lost): restore it from a backup, or acknowledge it (nhl-bronze acknowledge-loss)")
            for row in state.unacknowledged_losses]


def _named(row: dict) -> str:
    """The key in its table's column order (the ledger stores JSON with sorted keys)."""
    columns = row.get("key_columns") or sorted(row["key"])
    return ", ".join(f"{column}={row['key'].get(column)}" for column in columns)


def require_untampered(store: DeltaStore, snapshot: TableSnapshot, sample: bool = False) -> int | None:
    """The blocking check before every write to a protected table: the version audited clean, or raise.

    A writer passes the snapshot it commits on, so only the write itself separates audit and commit; ``sample``:
    also re-hash the daily sample of live files (the guard asks for it once per table and run)."""
    report = audit_table(store, snapshot, reconcile=True, sample=sample)
    if not report.ok:
        raise HistoryTamperedError(report)
    return report.version


def snapshot_problems(store: DeltaStore, spec: TableSpec, table: DeltaTable, current: int) -> list[AuditProblem]:
    problems: list[AuditProblem] = []
    value = table.metadata().configuration.get(APPEND_ONLY_KEY)
    if value != "true":
        problems.append(AuditProblem(current, "METADATA", f"{APPEND_ONLY_KEY} is {value!r} in the current version"))
    missing = table.repair(dry_run=True).get("files_removed", [])
    for path in missing:
        added_in, operation = _version_that_added(store, spec, path, current)
        problems.append(AuditProblem(added_in, operation, f"data file {path} is referenced by the log (current "
                                     f"version {current}) but missing from storage: its rows cannot be read"))
    return problems


def _version_that_added(store: DeltaStore, spec: TableSpec, path: str, current: int) -> tuple[int, str]:
    """The commit whose ``add`` action wrote ``path`` (searched newest first; only when a file is missing)."""
    for version in range(current, -1, -1):
        actions = read_commit(store, spec, version) or []
        if any(a.get("add", {}).get("path") == path for a in actions):
            info = next((a["commitInfo"] for a in actions if "commitInfo" in a), {})
            return version, f"{info.get('operation', 'UNKNOWN')} (file deleted outside Delta)"
    return current, "UNKNOWN (file deleted outside Delta)"
