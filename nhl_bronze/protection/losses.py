"""Acknowledged losses: history rows whose recorded content nothing can bring back, accepted by an operator.

A row altered behind the project's back whose recorded content is found neither in a removed data file nor in the
raw store (files vacuumed at retention 0, raw bodies gone) is lost. ``nhl-bronze verify --deep`` stays red for it
until an operator records, with a reason, that the loss is known (``nhl-bronze acknowledge-loss``). The record
is an append-only Delta table beside the tables (``delta.appendOnly``, written through the protected store, so the
guard audits it like every protected table): one row per acknowledged (table, key, ``_version``), bound to the
content the row holds now, so a row altered again after its acknowledgement is a problem again.
"""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import polars as pl

from nhl_bronze.storage.tables import TableSpec

if TYPE_CHECKING:
    from nhl_bronze.protection.content import AlteredRow
    from nhl_bronze.storage.delta import DeltaStore

# Not in ``ALL_TABLES``: it is no data table (no contract, no maintenance); its writes pass the same guard.
ACKNOWLEDGED_LOSSES = TableSpec("nhl_bronze_acknowledged_losses", ("table", "key", "version", "content_hash"),
                                partition_by=(), protected=True)
LOSS_SCHEMA = pl.Schema({
    "table": pl.String,
    "key": pl.String,  # the key's values as JSON, sorted by column name
    "version": pl.Int64,
    "content_hash": pl.String,  # the content the row holds now (what is accepted)
    "recorded_hash": pl.String,  # the stored _row_hash (what was lost)
    "reason": pl.String,
    "acknowledged_by": pl.String,
    "acknowledged_at": pl.Datetime("us", "UTC"),
})


def key_text(key: dict[str, Any]) -> str:
    return json.dumps(key, sort_keys=True, default=str)


def acknowledge_losses(store: DeltaStore, lost: list[AlteredRow], reason: str, by: str | None = None) -> int:
    """Record that these lost rows are known and accepted, with ``reason``; the rows recorded (one commit)."""
    if not reason.strip():
        raise ValueError("an acknowledgement needs a reason (who decided what, and why nothing can be restored)")
    if any(not row.lost for row in lost):
        raise ValueError("only lost rows can be acknowledged: the others can be restored (recover_history)")
    known = acknowledged(store)
    now = datetime.now(UTC)
    rows = [
        (row.table, key_text(row.key), row.version, row.content_hash, row.stored_hash, reason.strip(),
         by or getpass.getuser(), now)
        for row in lost
        if (row.table, key_text(row.key), row.version, row.content_hash) not in known
    ]
    if rows:
        store.append(ACKNOWLEDGED_LOSSES, pl.DataFrame(rows, schema=LOSS_SCHEMA, orient="row"))
    return len(rows)


def acknowledged(store: DeltaStore) -> set[tuple[str, str, int, str]]:
    """(table, key JSON, version, content hash) of every acknowledged loss."""
    if not store.exists(ACKNOWLEDGED_LOSSES):
        return set()
    rows = store.scan(ACKNOWLEDGED_LOSSES).select("table", "key", "version", "content_hash").collect()
    return set(rows.iter_rows())


def is_acknowledged(row: AlteredRow, known: set[tuple[str, str, int, str]]) -> bool:
    return (row.table, key_text(row.key), row.version, row.content_hash) in known


def acknowledge_vacuumed_files(store: DeltaStore, table: str, good_version: int, paths: list[str], reason: str,
                               by: str | None = None) -> None:
    """Record that recovery went on past vacuumed files whose removed rows cannot be named (key ``file:<path>``,
    version = the good version recovery read)."""
    now = datetime.now(UTC)
    rows = [(table, key_text({"file": path}), good_version, "", "", reason.strip(), by or getpass.getuser(), now)
            for path in paths]
    store.append(ACKNOWLEDGED_LOSSES, pl.DataFrame(rows, schema=LOSS_SCHEMA, orient="row"))
