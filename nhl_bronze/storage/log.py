"""Reading a table's Delta log file by file: what the audit and the ledger compare, byte for byte."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING
from urllib.parse import unquote

import polars as pl

from nhl_bronze.storage.location import is_uri, join_uri, local_file_path
from nhl_bronze.storage.objects import object_filesystem
from nhl_bronze.storage.tables import TableSpec

if TYPE_CHECKING:
    from nhl_bronze.storage.delta import DeltaStore


def commit_location(store: DeltaStore, spec: TableSpec, version: int) -> str:
    return join_uri(store.uri(spec), f"_delta_log/{version:020d}.json")


def read_commit_bytes(store: DeltaStore, spec: TableSpec, version: int) -> bytes | None:
    """The bytes of one commit file (what the ledger hashes); None when it does not exist."""
    location = commit_location(store, spec, version)
    try:
        return read_file_bytes(location, store.storage_options)
    except (FileNotFoundError, OSError):
        return None


def read_file_bytes(location: str, storage_options: dict[str, str] | None = None) -> bytes:
    """A whole file, local or on an object store (raises ``FileNotFoundError``/``OSError`` when it is missing)."""
    if not is_uri(location) or location.startswith("file://"):
        with open(local_file_path(location), "rb") as handle:
            return handle.read()
    filesystem, path = object_filesystem(location, storage_options)
    with filesystem.open_input_stream(path) as stream:
        return stream.read()


def data_file_location(store: DeltaStore, spec: TableSpec, path: str) -> str:
    """A data file of the table, from its path as the log writes it (relative, percent-encoded)."""
    return join_uri(store.uri(spec), unquote(path))


def stored_file_sizes(store: DeltaStore, spec: TableSpec, paths: list[str]) -> dict[str, int]:
    """The size on storage of each of ``paths`` (data files as the log names them) that exists: on a local root
    one ``stat`` per file; on an object store one recursive listing of the table's prefix (a few LIST requests
    of 1,000 keys each, instead of a HEAD per file)."""
    uri = store.uri(spec)
    if not is_uri(uri) or uri.startswith("file://"):
        sizes: dict[str, int] = {}
        for path in paths:
            try:
                sizes[path] = os.stat(local_file_path(data_file_location(store, spec, path))).st_size
            except OSError:
                continue  # a missing file is the snapshot check's problem
        return sizes
    from pyarrow import fs

    filesystem, base = object_filesystem(uri, store.storage_options)
    listed = {
        info.path[len(base):].lstrip("/"): info.size
        for info in filesystem.get_file_info(fs.FileSelector(base, recursive=True, allow_not_found=True))
        if info.type == fs.FileType.File
    }
    return {path: listed[unquote(path)] for path in paths if unquote(path) in listed}


def checkpoint_versions(store: DeltaStore, spec: TableSpec) -> list[int]:
    """Versions that have a checkpoint file in the log (a local table; an object store answers [])."""
    folder = join_uri(store.uri(spec), "_delta_log")
    if is_uri(folder) or not os.path.isdir(folder):
        return []
    return sorted(int(name.split(".")[0]) for name in os.listdir(folder) if ".checkpoint." in name)


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
