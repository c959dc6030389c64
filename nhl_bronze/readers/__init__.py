"""Readers of the bronze history tables: current rows, as-of reads, the change feed; DuckDB in ``.duckdb``."""

from nhl_bronze.readers.history import as_of, changed_rows, changes, latest, parse_timestamp, runs, scan_history

__all__ = ["as_of", "changed_rows", "changes", "latest", "parse_timestamp", "runs", "scan_history"]
