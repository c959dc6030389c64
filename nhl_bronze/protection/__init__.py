"""History protection: what keeps the protected tables (history, raw landing) append-only and tamper-evident.

``open_store`` is how every writer opens the lake: a ``DeltaStore`` whose protected commits pass the guard.
Imports go protection -> storage, never back (``nhl_bronze.storage`` holds the plain Delta operations).
"""

from __future__ import annotations

import os

from nhl_bronze.protection.guard import AuditGuard
from nhl_bronze.storage.delta import DeltaStore

__all__ = ["open_store"]


def open_store(root: str | os.PathLike[str], storage_options: dict[str, str] | None = None) -> DeltaStore:
    """The tables under ``root``, writable: protected commits are audited first."""
    store = DeltaStore(root, storage_options)
    store.guard = AuditGuard(store)
    return store
