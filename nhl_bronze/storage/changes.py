"""What a table gained after a known version, read from its Delta log: the input of incremental derived tables.

A derived table that remembers the source version it was built from only needs the rows committed since. The
commits after that version name exactly the data files they added; a file added with ``dataChange=false``
(compaction) holds rows that were already there and is skipped. When a commit of the range is gone (log cleanup
after a checkpoint) the changes can no longer be listed and the caller rebuilds in full.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nhl_bronze.storage.log import read_commit
from nhl_bronze.storage.tables import TableSpec

if TYPE_CHECKING:
    from nhl_bronze.storage.delta import DeltaStore


def files_added_since(store: DeltaStore, spec: TableSpec, since_version: int, through_version: int,
                      partition: dict[str, str] | None = None) -> list[str] | None:
    """Paths (relative to the table, as in its add actions) of the data files that the commits
    ``since_version + 1 .. through_version`` added with new rows, optionally only those of one ``partition``
    (partition values as the log writes them: strings). None when a commit of that range is no longer in the log,
    or ``since_version`` is newer than the table (it was re-created): the caller must rebuild from the snapshot."""
    if since_version > through_version:
        return None
    paths: list[str] = []
    for version in range(since_version + 1, through_version + 1):
        actions = read_commit(store, spec, version)
        if actions is None:
            return None
        for action in actions:
            add = action.get("add")
            if add is None or not add.get("dataChange", True):
                continue
            values = add.get("partitionValues") or {}
            if partition is None or all(values.get(k) == v for k, v in partition.items()):
                paths.append(add["path"])
    return paths
