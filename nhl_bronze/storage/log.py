"""Reading a table's Delta log file by file: what the audit and the ledger compare, byte for byte."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import polars as pl

from nhl_bronze.storage.location import is_uri, join_uri
from nhl_bronze.storage.tables import TableSpec

if TYPE_CHECKING:
    from nhl_bronze.storage.delta import DeltaStore


def read_commit(store: DeltaStore, spec: TableSpec, version: int) -> list[dict] | None:
    """The actions of one commit file of the log; None when log retention removed it."""
    location = join_uri(store.uri(spec), f"_delta_log/{version:020d}.json")
    try:
        if is_uri(location):  # any object store polars can read: one string per line, no CSV parsing
            lines = pl.read_csv(location, has_header=False, separator="\x01", quote_char=None,
                                schema={"line": pl.String}, storage_options=store.storage_options)["line"]
        else:
            with open(location, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
    except (FileNotFoundError, OSError):
        return None
    return [json.loads(line) for line in lines if line and line.strip()]
