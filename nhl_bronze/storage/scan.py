"""Reading a Delta snapshot into a polars ``LazyFrame`` without ``pl.scan_delta``'s path handling.

``pl.scan_delta`` reads the percent-encoded file URIs deltalake reports (a table under ``/data dir`` is looked
for under ``/data%20dir``) and parses every ``k=v`` folder of the full path as a hive partition (a table under
``/x=1/data`` fails). This scan takes the snapshot's file list from deltalake, turns local URIs into plain
paths, and tells polars exactly which path segments are partitions: the table's own partition columns are
typed from the Delta schema and the ``k=v`` folders above the table are declared and dropped. Filters on
partition columns still prune files.
"""

from __future__ import annotations

import polars as pl
from deltalake import DeltaTable

from nhl_bronze.storage.location import folder_keys, is_uri, local_file_path


def scan_snapshot(
    table: DeltaTable, storage_options: dict[str, str] | None, only_files: list[str] | None = None
) -> pl.LazyFrame:
    """All rows of ``table``'s loaded version, or of ``only_files`` (paths relative to the table, as in its
    add actions) when the caller already knows which files can hold the rows it wants."""
    schema = pl.Schema(table.schema())
    partition_columns = list(table.metadata().partition_columns)
    location = table.table_uri
    local = location.startswith("file://") or not is_uri(location)
    root = location.rstrip("/")
    files = table.file_uris() if only_files is None else [f"{root}/{path}" for path in only_files]
    if not files:
        return pl.LazyFrame(schema=schema)
    if local:
        location = local_file_path(location)
        files = [local_file_path(f) for f in files]
    outer_keys = [k for k in folder_keys(location) if k not in schema]
    hive_schema = {**{k: pl.String for k in outer_keys}, **{c: schema[c] for c in partition_columns}}
    frame = pl.scan_parquet(
        files,
        schema=pl.Schema({name: dtype for name, dtype in schema.items() if name not in partition_columns}),
        hive_partitioning=bool(hive_schema),
        hive_schema=hive_schema or None,
        missing_columns="insert",  # columns added by a later schema merge read null in older files
        extra_columns="ignore",
        cast_options=pl.ScanCastOptions._default_iceberg(),
        storage_options=storage_options,
    )
    return frame.select(schema.names())
