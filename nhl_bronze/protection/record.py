"""What the ledger records of a commit, read from the table itself right after the commit: the commit file's
SHA-256 and, per added file, its size, row count and the SHA-256 of its bytes."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from nhl_bronze.protection.ledger import INTENT_KEY
from nhl_bronze.storage.log import data_file_location, read_commit_bytes, read_file_bytes
from nhl_bronze.storage.tables import TableSpec

if TYPE_CHECKING:
    from nhl_bronze.storage.delta import DeltaStore


class CommitUnreadableError(RuntimeError):
    pass


def file_sha256(store: DeltaStore, spec: TableSpec, path: str) -> str:
    return hashlib.sha256(read_file_bytes(data_file_location(store, spec, path), store.storage_options)).hexdigest()


def commit_fields(store: DeltaStore, spec: TableSpec, version: int) -> dict[str, Any]:
    """The ledger fields of one commit of ``spec``'s table (raises when its commit file cannot be read)."""
    raw = read_commit_bytes(store, spec, version)
    if raw is None:
        raise CommitUnreadableError(f"{spec.name}: the commit file of Delta version {version} cannot be read")
    actions = [json.loads(line) for line in raw.decode().splitlines() if line.strip()]
    info = next((a["commitInfo"] for a in actions if "commitInfo" in a), {})
    adds = [
        {"path": add["path"], "size": int(add["size"]), "num_records": _num_records(add),
         "sha256": file_sha256(store, spec, add["path"])}
        for add in (a["add"] for a in actions if "add" in a)
    ]
    return {
        "version": version,
        "operation": str(info.get("operation", "UNKNOWN")),
        "commit_sha256": hashlib.sha256(raw).hexdigest(),
        "adds": adds,
        "removes": [a["remove"]["path"] for a in actions if "remove" in a],
        "intent": info.get(INTENT_KEY),
    }


def _num_records(add: dict[str, Any]) -> int | None:
    stats = add.get("stats")
    if not stats:
        return None
    value = json.loads(stats).get("numRecords")
    return int(value) if value is not None else None
