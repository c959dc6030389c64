"""Acknowledged losses: history rows whose recorded content nothing can bring back, accepted by an operator.

A row altered behind the project's back whose recorded content is found neither in a removed data file nor in the
raw store (files vacuumed at retention 0, raw bodies gone) is lost. ``nhl-bronze verify --deep`` stays red for it,
and ``nhl-bronze verify`` for every row a recovery recorded lost, until an operator records, with a reason, that
the loss is known (``nhl-bronze acknowledge-loss``). The record is an ``acknowledged_lost`` entry in the table's
ledger (outside the table, hash-chained like every entry): one row per acknowledged key and ``_version``, bound
to the content the row holds now, so a row altered again after its acknowledgement is a problem again.
"""

from __future__ import annotations

import getpass
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from nhl_bronze.protection.audit import ledger_of
from nhl_bronze.protection.ledger import row_id
from nhl_bronze.storage.tables import ALL_TABLES

if TYPE_CHECKING:
    from nhl_bronze.protection.content import AlteredRow
    from nhl_bronze.storage.delta import DeltaStore

ACKNOWLEDGED_LOST = "acknowledged_lost"  # the ledger entry kind


def key_text(key: dict[str, Any]) -> str:
    return row_id(key, 0)[0]


def lost_row(row: AlteredRow) -> dict[str, Any]:
    """A lost row as the ledger records it (in a ``recovered`` entry's ``lost`` and in acknowledgements)."""
    return {"key": row.key, "key_columns": list(row.key), "_version": row.version,
            "content_hash": row.content_hash, "recorded_hash": row.stored_hash}


def acknowledge_losses(store: DeltaStore, lost: list[AlteredRow], reason: str, by: str | None = None) -> int:
    """Record that these lost rows are known and accepted, with ``reason``; the rows recorded (one ledger entry
    per table)."""
    if not reason.strip():
        raise ValueError("an acknowledgement needs a reason (who decided what, and why nothing can be restored)")
    if any(not row.lost for row in lost):
        raise ValueError("only lost rows can be acknowledged: the others can be restored (recover_history)")
    known = acknowledged(store)
    by_table: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in lost:
        if not is_acknowledged(row, known):
            by_table[row.table].append(lost_row(row))
    ledger = ledger_of(store)
    for table, rows in by_table.items():
        ledger.append(table, ACKNOWLEDGED_LOST, reason=reason.strip(), acknowledged_by=by or getpass.getuser(),
                      rows=rows)
    return sum(len(rows) for rows in by_table.values())


def acknowledged(store: DeltaStore) -> set[tuple[str, str, int, str]]:
    """(table, key JSON, version, content hash) of every acknowledged loss of the protected tables."""
    ledger = ledger_of(store)
    known: set[tuple[str, str, int, str]] = set()
    for spec in (s for s in ALL_TABLES if s.protected):
        for (key, version), rows in ledger.state(spec.name).acknowledged_lost.items():
            known.update((spec.name, key, version, row.get("content_hash") or "") for row in rows)
    return known


def is_acknowledged(row: AlteredRow, known: set[tuple[str, str, int, str]]) -> bool:
    return (row.table, key_text(row.key), row.version, row.content_hash) in known


def acknowledge_vacuumed_files(store: DeltaStore, table: str, good_version: int, paths: list[str], reason: str,
                               by: str | None = None) -> None:
    """Record that recovery went on past vacuumed files whose removed rows cannot be named (key
    ``{"file": path}``, ``_version`` = the good version recovery read)."""
    ledger_of(store).append(table, ACKNOWLEDGED_LOST, reason=reason.strip(), acknowledged_by=by or getpass.getuser(),
                            rows=[{"key": {"file": path}, "_version": good_version, "content_hash": "",
                                   "recorded_hash": ""} for path in paths])
