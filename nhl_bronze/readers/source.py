"""Where a reader finds a history table: a ``DeltaStore`` and a spec, or the table's own path or URI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import ALL_TABLES, TableSpec

TableSource = DeltaStore | str | Path


@dataclass(frozen=True)
class ResolvedTable:
    uri: str
    spec: TableSpec
    storage_options: dict[str, str] | None


def spec_named(name: str) -> TableSpec:
    for spec in ALL_TABLES:
        if spec.name == name:
            return spec
    raise ValueError(f"no bronze table is named {name!r}; known: {', '.join(s.name for s in ALL_TABLES)}")


def resolve(source: TableSource, spec: TableSpec | str | None = None,
            storage_options: dict[str, str] | None = None) -> ResolvedTable:
    """A store needs the spec (or its name); a table path or URI names its table by its last segment."""
    if isinstance(spec, str):
        spec = spec_named(spec)
    if isinstance(source, DeltaStore):
        if spec is None:
            raise ValueError("reading from a DeltaStore needs the table's spec (or its name)")
        uri = source.uri(spec) if hasattr(source, "uri") else source.path(spec)
        options = storage_options or getattr(source, "storage_options", None)
        return ResolvedTable(uri, spec, options)
    uri = str(source).rstrip("/")
    if spec is None:
        spec = spec_named(uri.rsplit("/", 1)[-1])
    return ResolvedTable(uri, spec, storage_options)
