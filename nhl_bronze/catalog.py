"""Definition metadata for the Dagster UI: each table's columns (type + meaning), name and location.

Types come from the column contract (``nhl_bronze.contract``) and meanings from ``docs/DATA_DICTIONARY.md``,
so the UI's Columns tab documents every column before the first run, in the words of the dictionary. The
dictionary groups related columns in one row; its notations are expanded here:

- ``a, b`` and ``a / b``: several columns; ``x / …Against`` or ``xFor / Against``: the sibling of ``xFor``
- ``I_F_{low,medium,high}DangerShots``: one column per alternative
- ``OnIce_A_* (12)``: every contract column with that prefix
- ``shotsOnGoalFor … highDangerGoalsFor (16)``: the contract's columns from the first to the last

When the dictionary is not shipped (an installed wheel without ``docs/``), the columns keep their types only.
"""

from __future__ import annotations

import itertools
import re
import warnings
from functools import cache
from pathlib import Path

import dagster as dg

from nhl_bronze.contract import Column
from nhl_bronze.readers.schema import contract_columns
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import (
    ALL_TABLES,
    GAMES_HISTORICAL_HISTORY,
    GAMES_HISTORICAL_STAGING,
    PLAYER_GAME_STATS_HISTORY,
    PLAYER_GAME_STATS_STAGING,
    SCHEDULE,
    SKATERS,
    TableSpec,
)

DATA_DICTIONARY = Path(__file__).resolve().parents[1] / "docs" / "DATA_DICTIONARY.md"
HISTORY_SECTION = "History columns"
# The dictionary section that documents each table's contract columns (staging shares its history's).
_SECTIONS = {
    PLAYER_GAME_STATS_STAGING.name: PLAYER_GAME_STATS_HISTORY.name,
    GAMES_HISTORICAL_STAGING.name: GAMES_HISTORICAL_HISTORY.name,
    PLAYER_GAME_STATS_HISTORY.name: PLAYER_GAME_STATS_HISTORY.name,
    GAMES_HISTORICAL_HISTORY.name: GAMES_HISTORICAL_HISTORY.name,
    SCHEDULE.name: SCHEDULE.name,
    SKATERS.name: SKATERS.name,
}
_SHIFT_MARK = re.compile(r"\*\*S\*\*\s*")


def dictionary_rows(text: str) -> dict[str, list[tuple[str, str]]]:
    """``(column cell, definition)`` rows of each ``## `table` `` section (or ``## History columns``)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            found = re.match(r"`([^`]+)`", heading)
            current = found.group(1) if found else (HISTORY_SECTION if heading.startswith(HISTORY_SECTION) else None)
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if current and len(cells) == 3 and cells[0] not in ("column", "") and not set(cells[0]) <= {"-"}:
            sections.setdefault(current, []).append((cells[0], cells[2]))
    return sections


def _expand_braces(text: str) -> list[str]:
    parts = re.split(r"\{([^}]*)\}", text)
    options = [[p] if i % 2 == 0 else [o.strip() for o in p.split(",")] for i, p in enumerate(parts)]
    return ["".join(choice) for choice in itertools.product(*options)]


def _sibling(fragment: str, base: str, names: list[str]) -> str | None:
    """The contract column ending in ``fragment`` that shares the longest prefix with ``base``."""
    candidates = [n for n in names if n.endswith(fragment)]
    if not candidates:
        return None
    return max(candidates, key=lambda n: len(_common_prefix(n, base)))


def _common_prefix(a: str, b: str) -> str:
    return a[: next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))]


def expand_cell(cell: str, names: list[str]) -> list[str]:
    """The contract columns one dictionary cell stands for (see the module docstring for the notations)."""
    cell = re.sub(r"\s*\(\d+\)$", "", cell.replace("`", "")).strip()
    if "…" in cell and not cell.split("…")[0].endswith(" / "):
        first, _, last = (part.strip() for part in cell.partition("…"))
        if first in names and last in names:
            return names[names.index(first): names.index(last) + 1]
    if cell.endswith("*"):
        return [n for n in names if n.startswith(cell[:-1])]
    found: list[str] = []
    for item in re.split(r",\s*(?![^{]*\})", cell):
        groups = [g.strip() for g in item.split(" / ")]
        bases = _expand_braces(groups[0])
        found += bases
        for group in groups[1:]:
            for fragment in _expand_braces(group.lstrip("…")):
                if fragment in names:
                    found.append(fragment)
                else:
                    found += [s for s in (_sibling(fragment, base, names) for base in bases) if s]
    return [n for n in found if n in names]


@cache
def column_descriptions(table: str, dictionary_path: Path = DATA_DICTIONARY) -> dict[str, str]:
    """Column -> definition for a table's contract columns (and history's lineage columns)."""
    if not dictionary_path.exists():
        return {}
    sections = dictionary_rows(dictionary_path.read_text(encoding="utf-8"))
    spec_names = [c.name for c in _columns_of(table)]
    rows = sections.get(_SECTIONS.get(table, table), [])
    if table in (PLAYER_GAME_STATS_HISTORY.name, GAMES_HISTORICAL_HISTORY.name):
        rows = rows + sections.get(HISTORY_SECTION, [])
    descriptions: dict[str, str] = {}
    for cell, definition in rows:
        text = _SHIFT_MARK.sub("(from the shift chart) ", definition).replace("**", "")
        for name in expand_cell(cell, spec_names):
            descriptions.setdefault(name, text)
    return descriptions


def _columns_of(table: str) -> tuple[Column, ...]:
    return contract_columns(TableSpec(table, ()))


def column_schema(spec: TableSpec) -> dg.TableSchema:
    descriptions = column_descriptions(spec.name)
    return dg.TableSchema(columns=[
        dg.TableColumn(
            name=column.name,
            type=str(column.dtype),
            description=descriptions.get(column.name) or None,
            constraints=dg.TableColumnConstraints(nullable=column.nullable),
        )
        for column in contract_columns(spec)
    ])


def table_metadata(spec: TableSpec, store: DeltaStore | None = None) -> dict:
    """``dagster/column_schema``, ``dagster/table_name``, ``dagster/storage_kind`` and, given the store the
    deployment writes to, ``dagster/uri`` (the table's location)."""
    # The keys of Dagster's TableMetadataSet and UriMetadataSet (not exported by the public API).
    metadata: dict = {
        "dagster/column_schema": dg.MetadataValue.table_schema(column_schema(spec)),
        "dagster/table_name": spec.name,
        "dagster/storage_kind": "deltalake",
    }
    if store is not None:
        metadata["dagster/uri"] = store.uri(spec)
    return metadata


GAMES_TABLE_SCHEMA = dg.TableSchema(columns=[
    dg.TableColumn("game_id", "int", description="NHL game id"),
    dg.TableColumn("game_date", "string", description="NHL (US Eastern) game date"),
    dg.TableColumn("step", "string", description="what failed (endpoint or statistics); empty for pending games"),
    dg.TableColumn("reason", "string"),
    dg.TableColumn("url", "string", description="the request that failed, when there was one"),
])


def games_table(games, limit: int = 200) -> dg.TableMetadataValue:
    """Failed (``GameFetchError``) or pending/skipped (``UnfetchedGame``) games as a table in the UI, one row per
    game: its id, date, failing step, reason and URL. At most ``limit`` rows (the count is metadata of its own)."""
    return dg.MetadataValue.table(
        records=[
            dg.TableRecord({
                "game_id": int(game.game_id),
                "game_date": str(game.game_date),
                "step": str(getattr(game, "endpoint", "") or ""),
                "reason": str(game.reason),
                "url": str(getattr(game, "url", "") or ""),
            })
            for game in list(games)[:limit]
        ],
        schema=GAMES_TABLE_SCHEMA,
    )


def games_in_table(value: dg.TableMetadataValue) -> list[str]:
    """The rows of a ``games_table`` as one line each, as a ``GameFetchError`` prints itself:
    ``game <id> (<date>): <step> failed: <reason> [GET <url>]``."""
    return [
        f"game {r.data['game_id']} ({r.data['game_date']}): "
        + (f"{r.data['step']} failed: " if r.data.get("step") else "")
        + str(r.data["reason"])
        + (f" [GET {r.data['url']}]" if r.data.get("url") else "")
        for r in value.records
    ]


def _table_spec_metadata(store: DeltaStore | None):
    specs = {spec.name: spec for spec in ALL_TABLES}

    def add_metadata(asset_spec: dg.AssetSpec) -> dg.AssetSpec:
        spec = specs.get(asset_spec.key.to_user_string())
        return asset_spec.merge_attributes(metadata=table_metadata(spec, store)) if spec else asset_spec

    return add_metadata


def with_table_metadata(assets: list, store: DeltaStore | None = None) -> list:
    """The assets with ``table_metadata`` merged into the spec of every asset that is a bronze table."""
    return list(dg.map_asset_specs(_table_spec_metadata(store), assets))


def lakehouse_store(defs: dg.Definitions) -> DeltaStore | None:
    """The store the code location's ``lakehouse`` resource writes to (its data dir as configured)."""
    lakehouse = (defs.resources or {}).get("lakehouse")
    data_dir = getattr(lakehouse, "data_dir", None)
    if isinstance(data_dir, dg.EnvVar):
        data_dir = data_dir.get_value()
    return DeltaStore(data_dir) if data_dir else None


def add_table_metadata(defs: dg.Definitions) -> dg.Definitions:
    """``defs`` with every table asset documented (columns, table name, location) before any run.

    Applied where the definitions are assembled, so the asset modules stay free of deployment settings (the
    table location depends on the data dir).
    """
    with warnings.catch_warnings():  # "preview" in Dagster 1.13; dg.map_asset_specs would need the assets list
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return defs.map_asset_specs(func=_table_spec_metadata(lakehouse_store(defs)))
