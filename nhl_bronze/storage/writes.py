"""What every write obeys and reports: protected tables refuse operations that could remove rows, a commit that
loses an optimistic-concurrency race is retried, and each write returns a ``WriteResult``."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from deltalake.exceptions import CommitFailedError

from nhl_bronze.storage.tables import TableSpec

if TYPE_CHECKING:
    from deltalake import CommitProperties

    from nhl_bronze.storage.snapshot import TableSnapshot

APPEND_ONLY_KEY = "delta.appendOnly"  # the table property the Delta protocol enforces; the audit checks it stays on
APPEND_ONLY = {APPEND_ONLY_KEY: "true"}
COMMIT_ATTEMPTS = 8
_T = TypeVar("_T")


@dataclass(frozen=True)
class WriteResult:
    table: str
    operation: str
    rows_written: int
    table_version: int


class ProtectedTableError(PermissionError):
    """Raised when code asks for an operation that could remove rows from a protected table."""


class CommitGuard(Protocol):
    """What stands between a write and a protected table (``nhl_bronze.protection`` provides it): storage only
    knows *that* a protected commit must be guarded, never how, so imports go protection -> storage only.

    ``before_commit`` is the blocking check on the snapshot the write commits on (its ``table`` is None before the
    table's first commit); it raises to refuse the write and returns the commit's properties. ``after_commit`` is
    told the version the write committed (its own commit: the snapshot was advanced by the write)."""

    def before_commit(self, snapshot: TableSnapshot) -> CommitProperties | None: ...

    def after_commit(self, spec: TableSpec, version: int) -> None: ...


def refuse_if_protected(spec: TableSpec, operation: str) -> None:
    if spec.protected:
        raise ProtectedTableError(f"refusing to {operation} protected table {spec.name!r}: it is append-only history")


def require_protected(spec: TableSpec) -> None:
    if not spec.protected:
        raise ValueError(f"{spec.name!r} is not a history table; versioned merges are for protected tables")


def retry_commit(operation: Callable[[], _T]) -> _T:
    """Concurrent writers to one table lose optimistic-commit races; re-running the whole operation is safe
    because each operation re-reads the table state (and the input) it depends on."""
    for attempt in range(COMMIT_ATTEMPTS):
        try:
            return operation()
        except CommitFailedError:
            if attempt == COMMIT_ATTEMPTS - 1:
                raise
            time.sleep(min(2.0, 0.05 * 2**attempt) * random.random())
    raise AssertionError("unreachable")
