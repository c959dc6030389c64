"""Adoption: the ledger's trust anchor for a table it has not recorded from its creation.

A lake that predates the ledger (or a table a layout migration replaced) holds data the ledger never saw. The
audit reports such a table and runs refuse to write it, until an operator adopts it (``nhl-bronze ledger adopt``):
the table is checked with the log-only checks (every readable commit: no ``RESTORE``, no data removed, no
``delta.appendOnly`` switched off; every referenced file present) and, if clean, its current version and live
files (size, rows, SHA-256) become an ``adopt`` entry. What happened to the table before that moment is only as
trustworthy as those log checks: the operator adopts what they have checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from nhl_bronze.protection.audit import ledger_of, snapshot_problems
from nhl_bronze.protection.problems import AuditProblem, commit_problems
from nhl_bronze.protection.record import file_sha256
from nhl_bronze.storage.log import read_commit
from nhl_bronze.storage.tables import TableSpec

if TYPE_CHECKING:
    from nhl_bronze.storage.delta import DeltaStore


class AdoptionRefusedError(RuntimeError):
    def __init__(self, table: str, problems: list[AuditProblem]):
        self.problems = problems
        super().__init__(f"{table}: not adopted, the log shows tampering: " + "; ".join(
            f"version {p.version} ({p.operation}): {p.message}" for p in problems))


@dataclass(frozen=True)
class AdoptionResult:
    table: str
    version: int | None  # None: no table to adopt
    files: int
    already_known: bool = False


def adopt_table(store: DeltaStore, spec: TableSpec, reason: str = "operator", run_id: str | None = None,
                again: bool = False) -> AdoptionResult:
    """Record ``spec``'s current state as the ledger's anchor; a table the ledger knows is left alone unless
    ``again`` (a migration re-anchors the table it switched in)."""
    ledger = ledger_of(store)
    table = store.table_if_exists(spec)
    if table is None:
        return AdoptionResult(spec.name, None, 0)
    if ledger.state(spec.name).known and not again:
        return AdoptionResult(spec.name, table.version(), 0, already_known=True)
    current = table.version()
    problems: list[AuditProblem] = []
    for version in range(current + 1):
        actions = read_commit(store, spec, version)
        if actions is not None:  # older commits may be gone after a checkpoint (log retention)
            problems.extend(commit_problems(version, actions))
    problems.extend(snapshot_problems(store, spec, table, current))
    if problems:
        raise AdoptionRefusedError(spec.name, problems)
    actions = table.get_add_actions(flatten=True)
    adds = [
        {"path": path, "size": int(size), "num_records": None if rows is None else int(rows),
         "sha256": file_sha256(store, spec, path)}
        for path, size, rows in zip(actions.column("path").to_pylist(), actions.column("size_bytes").to_pylist(),
                                    actions.column("num_records").to_pylist(), strict=True)
    ]
    ledger.append(spec.name, "adopt", run_id, version=current, adds=adds, reason=reason)
    return AdoptionResult(spec.name, current, len(adds))
