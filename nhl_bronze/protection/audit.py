"""History audit: read the Delta log of each protected table and fail on anything that removed data.

``delta.appendOnly`` and this package refuse deletes, but the protocol lets anyone with write access switch the
property off, ``RESTORE`` an old version or delete a data file by hand. The audit reads what actually happened:

* every commit since the last clean audit: a ``RESTORE``, a ``remove`` action with ``dataChange`` true (delete,
  update, overwrite, a MERGE that deletes), or a ``metaData`` action whose ``delta.appendOnly`` is not ``true``
  is a problem (compaction, i.e. ``OPTIMIZE`` with ``dataChange`` false, and vacuum commits are legitimate);
* the current snapshot: every data file it references must exist (``repair(dry_run=True)``, deltalake's file
  system check), and ``delta.appendOnly`` must be ``true`` now.

It is incremental: each protected write stamps its commit with the version it audited clean
(``nhl_bronze.audited_through``), so the next audit reads only the commits after that stamp (plus an in-process
cache). A recovery commit written by ``nhl_bronze.protection.recovery`` acknowledges the bad versions it repaired
(``nhl_bronze.recovers``); those problems are then accepted. docs/HISTORY_SAFETY.md says what this can and
cannot detect.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from deltalake import CommitProperties, DeltaTable

from nhl_bronze.storage.log import read_commit
from nhl_bronze.storage.tables import ALL_TABLES, TableSpec

if TYPE_CHECKING:
    from nhl_bronze.storage.delta import DeltaStore

AUDITED_THROUGH = "nhl_bronze.audited_through"
RECOVERS = "nhl_bronze.recovers"
APPEND_ONLY_KEY = "delta.appendOnly"
COMPACTION_OPERATIONS = frozenset({"OPTIMIZE"})
# How many recent commits are searched for the last audit stamp (maintenance commits carry none).
STAMP_LOOKBACK = 200
_clean_through: dict[str, int] = {}  # table URI -> last version this process audited clean


@dataclass(frozen=True)
class AuditProblem:
    version: int
    operation: str
    message: str


@dataclass
class AuditReport:
    table: str
    version: int | None  # the table version audited (None: the table does not exist)
    first_version_checked: int | None = None
    problems: list[AuditProblem] = field(default_factory=list)
    acknowledged: list[AuditProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        if self.ok:
            return f"{self.table}: ok at version {self.version}"
        return f"{self.table}: " + "; ".join(
            f"version {p.version} ({p.operation}): {p.message}" for p in self.problems
        )


class HistoryTamperedError(RuntimeError):
    """A protected table lost data behind the storage layer's back; nothing more is written to it."""

    def __init__(self, report: AuditReport):
        self.report = report
        first = report.problems[0]
        super().__init__(
            f"protected table {report.table!r} was tampered with: Delta version {first.version} "
            f"({first.operation}): {first.message}"
            + (f" (+{len(report.problems) - 1} more problems)" if len(report.problems) > 1 else "")
            + ". Nothing was written. Recovery: docs/HISTORY_SAFETY.md "
              "(nhl_bronze.protection.recovery.recover_history)."
        )


def audit_protected(store: DeltaStore) -> list[AuditReport]:
    """An audit of every protected table (history and the raw landing store)."""
    return [audit_table(store, spec) for spec in ALL_TABLES if spec.protected]


def audit_table(store: DeltaStore, spec: TableSpec, full: bool = False,
                snapshot: DeltaTable | None = None) -> AuditReport:
    """Audit one table: the commits since its last clean audit (all of them when ``full``) and its current
    snapshot, or the already opened ``snapshot`` a writer is about to commit on. Never raises for a tampered
    table: the report lists the problems."""
    if snapshot is None and not store.exists(spec):
        return AuditReport(spec.name, None)
    table = snapshot if snapshot is not None else store.table(spec)
    current = table.version()
    first = 0 if full else _first_unaudited_version(store, spec, table)
    report = AuditReport(spec.name, current, first)
    if first > current + 1:  # the log is shorter than a version this process already audited
        report.problems.append(AuditProblem(current, "LOG", f"the log ends at version {current} but version "
                                            f"{first - 1} was audited before: the table was re-created"))
    acknowledged: set[int] = set()
    found: list[AuditProblem] = []
    for version in range(first, current + 1):
        actions = read_commit(store, spec, version)
        if actions is None:  # cleaned up by log retention after a checkpoint; covered by earlier audits
            continue
        info = next((a["commitInfo"] for a in actions if "commitInfo" in a), {})
        acknowledged.update(int(v) for v in json.loads(info.get(RECOVERS, "[]")))
        found.extend(commit_problems(version, actions))
    found.extend(_snapshot_problems(store, spec, table, current))
    report.acknowledged = [p for p in found if p.version in acknowledged]
    report.problems = [*report.problems, *(p for p in found if p.version not in acknowledged)]
    if report.ok:
        _clean_through[store.uri(spec)] = current
    return report


def require_untampered(store: DeltaStore, spec: TableSpec, snapshot: DeltaTable | None = None) -> int | None:
    """The blocking check before every write to a protected table: the version audited clean, or raise.

    A writer passes the snapshot it commits on, so only the write itself separates audit and commit; whatever
    lands in between is read by the next audit (the commit's stamp names the version audited clean)."""
    report = audit_table(store, spec, snapshot=snapshot)
    if not report.ok:
        raise HistoryTamperedError(report)
    return report.version


def audit_stamp(audited_version: int | None, **extra: Any) -> CommitProperties | None:
    """Commit metadata recording that the table was audited clean through ``audited_version``."""
    if audited_version is None:
        return None
    return CommitProperties(custom_metadata={AUDITED_THROUGH: str(audited_version), **extra})


def commit_problems(version: int, actions: list[dict]) -> list[AuditProblem]:
    """What in one commit removed (or allowed removing) data from an append-only table."""
    info = next((a["commitInfo"] for a in actions if "commitInfo" in a), {})
    operation = str(info.get("operation", "UNKNOWN"))
    problems: list[AuditProblem] = []
    if operation == "RESTORE":
        problems.append(AuditProblem(version, operation, "RESTORE replaced the table's files with an older "
                                     f"version's ({info.get('operationParameters', {})})"))
    removes = [a["remove"] for a in actions if "remove" in a]
    data_removes = [r for r in removes if r.get("dataChange", True)]
    if data_removes:
        problems.append(AuditProblem(version, operation, f"{len(data_removes)} data file(s) removed with "
                                     f"dataChange=true (rows deleted), e.g. {data_removes[0].get('path')}"))
    elif removes and operation not in COMPACTION_OPERATIONS:
        problems.append(AuditProblem(version, operation, f"{len(removes)} data file(s) removed outside compaction"))
    for action in actions:
        if "metaData" in action:
            value = (action["metaData"].get("configuration") or {}).get(APPEND_ONLY_KEY)
            if value != "true":
                problems.append(AuditProblem(version, operation, f"{APPEND_ONLY_KEY} set to {value!r} (must stay "
                                             "'true': without it deletes and overwrites are accepted)"))
    return problems


def _first_unaudited_version(store: DeltaStore, spec: TableSpec, table: DeltaTable) -> int:
    cached = _clean_through.get(store.uri(spec))
    if cached is not None:
        return cached + 1
    for commit in table.history(STAMP_LOOKBACK):  # newest first
        stamp = commit.get(AUDITED_THROUGH)
        if stamp is not None:
            return int(stamp) + 1
    return 0


def _snapshot_problems(store: DeltaStore, spec: TableSpec, table: DeltaTable, current: int) -> list[AuditProblem]:
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
