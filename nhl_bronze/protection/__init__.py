"""History protection: what keeps the protected tables (history, raw landing) append-only and tamper-evident.

``open_store`` is how every writer opens the lake: a ``DeltaStore`` whose protected commits pass the guard (audit
against the ledger before, ledger entry after). Imports go protection -> storage, never back
(``nhl_bronze.storage`` holds the plain Delta operations).
"""

from __future__ import annotations

import os

from nhl_bronze.protection.audit import ledger_at
from nhl_bronze.protection.guard import LedgerGuard
from nhl_bronze.protection.ledger import default_ledger_root
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.location import normalize_root

__all__ = ["open_store"]


def open_store(root: str | os.PathLike[str], storage_options: dict[str, str] | None = None,
               ledger_root: str | os.PathLike[str] | None = None, run_id: str | None = None) -> DeltaStore:
    """The tables under ``root``, writable; the ledger under ``ledger_root`` (default ``<root>/_nhl_bronze_ledger``;
    on an object store it may be another bucket or prefix, with the same storage options)."""
    store = DeltaStore(root, storage_options)
    location = normalize_root(ledger_root) if ledger_root else default_ledger_root(store.root)
    store.guard = LedgerGuard(store, ledger_at(location, store.storage_options), run_id)
    return store
