"""What the audit reports: a problem names the table, the Delta version and what happened to it."""

from __future__ import annotations

from dataclasses import dataclass, field

from nhl_bronze.storage.writes import APPEND_ONLY_KEY

__all__ = ["APPEND_ONLY_KEY", "COMPACTION_OPERATIONS", "AuditProblem", "AuditReport", "HistoryTamperedError",
           "commit_problems"]
COMPACTION_OPERATIONS = frozenset({"OPTIMIZE"})


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
            + ". Nothing was written. Recovery: docs/HISTORY_SAFETY.md."
        )


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
