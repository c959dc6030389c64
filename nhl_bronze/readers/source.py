"""Where a reader finds a history table: a ``DeltaStore`` and a spec, or the table's own path or URI."""

from __future__ import annotations

import os
from dataclasses import dataclass

from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.location import is_uri
from nhl_bronze.storage.tables import ALL_TABLES, TableSpec

TableSource = DeltaStore | str | os.PathLike


@dataclass(frozen=True)
class ResolvedTable:
    store: DeltaStore
    spec: TableSpec

    @property
    def uri(self) -> str:
        return self.store.uri(self.spec)


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
        if storage_options:
            source = DeltaStore(source.root, storage_options)
        return ResolvedTable(source, spec)
    location = os.fspath(source).rstrip("/")
    if is_uri(location):
        root, _, name = location.rpartition("/")
    else:
        root, name = os.path.split(os.path.abspath(location))
    return ResolvedTable(DeltaStore(root, storage_options), spec or spec_named(name))
