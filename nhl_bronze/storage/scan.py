"""Reading a Delta snapshot into a polars ``LazyFrame`` without ``pl.scan_delta``'s path handling.

``pl.scan_delta`` reads the percent-encoded file URIs deltalake reports (a table under ``/data dir`` is looked
for under ``/data%20dir``) and parses every ``k=v`` folder of the full path as a hive partition (a table under
``/x=1/data`` fails). This scan takes the snapshot's file list from deltalake, turns local URIs into plain
paths, and tells polars exactly which path segments are partitions: the table's own partition columns are
typed from the Delta schema and the ``k=v`` folders above the table are declared and dropped. Filters on
partition columns still prune files.
"""

from __future__ import annotations

from urllib.parse import unquote

import polars as pl
from deltalake import DeltaTable

from nhl_bronze.storage.location import folder_keys, is_uri, local_file_path

_FILE = "__delta_data_file"


def scan_snapshot(
    table: DeltaTable, storage_options: dict[str, str] | None, only_files: list[str] | None = None
) -> pl.LazyFrame:
    """All rows of ``table``'s loaded version, or of ``only_files`` (paths relative to the table, as in its
    add actions) when the caller already knows which files can hold the rows it wants."""
    schema = pl.Schema(table.schema())
    partition_columns = list(table.metadata().partition_columns)
    relative = table.get_add_actions(flatten=True).column("path").to_pylist() if only_files is None else only_files
    if not relative:
        return pl.LazyFrame(schema=schema)
    # deltalake reports percent-encoded URIs; polars wants plain paths and encodes object-store keys itself.
    location = table.table_uri.rstrip("/")
    files = [f"{location}/{path}" for path in relative]
    if location.startswith("file://") or not is_uri(location):
        location = local_file_path(location)
        files = [local_file_path(f) for f in files]
    else:
        location, files = unquote(location), [unquote(f) for f in files]
    data_schema = pl.Schema({name: dtype for name, dtype in schema.items() if name not in partition_columns})
    options = {
        "missing_columns": "insert",  # columns added by a later schema merge read null in older files
        "extra_columns": "ignore",
        "cast_options": pl.ScanCastOptions._default_iceberg(),
        "storage_options": storage_options,
    }
    outer_keys = folder_keys(location)
    if any(k in schema for k in outer_keys):
        return _scan_without_hive(table, files, relative, schema, data_schema, partition_columns, options)
    hive_schema = {**{k: pl.String for k in outer_keys}, **{c: schema[c] for c in partition_columns}}
    frame = pl.scan_parquet(files, schema=data_schema, hive_partitioning=bool(hive_schema),
                            hive_schema=hive_schema or None, **options)
    return frame.select(schema.names())


def _scan_without_hive(table: DeltaTable, files: list[str], relative: list[str], schema: pl.Schema,
                       data_schema: pl.Schema, partition_columns: list[str], options: dict) -> pl.LazyFrame:
    """A folder above the table is named like one of its columns (``/season=2024/T``): no hive parsing at
    all; partition values come from the log's add actions instead (filters on them then prune no files)."""
    frame = pl.scan_parquet(files, schema=data_schema, hive_partitioning=False, include_file_paths=_FILE, **options)
    if partition_columns:
        actions = pl.DataFrame(table.get_add_actions(flatten=True))
        values = actions.select(
            pl.col("path"), *(pl.col(f"partition.{c}").cast(schema[c]).alias(c) for c in partition_columns)
        )
        by_file = pl.DataFrame({_FILE: files, "path": relative}).join(values, on="path").drop("path")
        frame = frame.join(by_file.lazy(), on=_FILE, how="left")
    return frame.select(schema.names())
