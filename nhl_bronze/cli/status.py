"""``nhl-bronze status``: what every table holds, how complete history is, and which games were corrected."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import polars as pl

from nhl_bronze import settings
from nhl_bronze.cli.attention import Attention, attention_lines, collect_attention
from nhl_bronze.readers.coverage import SeasonCoverage, coverage_by_season
from nhl_bronze.readers.schema import HISTORY_TABLES
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.history import VERSION, latest_versions
from nhl_bronze.storage.tables import ALL_TABLES, TableSpec
from nhl_bronze.storage.writes import APPEND_ONLY_KEY


@dataclass
class TableStatus:
    table: str
    location: str
    exists: bool
    delta_version: int | None = None
    rows_all_versions: int | None = None
    rows_latest: int | None = None  # history: one per key; other tables: every row is current
    files: int | None = None
    append_only: bool | None = None
    protocol: str | None = None  # min reader / writer version
    last_write: str | None = None  # ISO UTC time of the last commit
    last_operation: str | None = None


@dataclass
class CorrectedGame:
    table: str
    game_id: int
    game_date: int
    corrected_keys: int  # keys of the game with more than one version
    max_version: int


@dataclass
class Status:
    data_dir: str
    tables: list[TableStatus]
    coverage: list[SeasonCoverage]
    corrected_games: list[CorrectedGame] = field(default_factory=list)
    attention: Attention | None = None  # quarantined schedule items, games without a shift chart

    def to_json(self) -> dict:
        return asdict(self)


def table_status(store: DeltaStore, spec: TableSpec) -> TableStatus:
    status = TableStatus(spec.name, store.uri(spec), store.exists(spec))
    if not status.exists:
        return status
    table = store.table(spec)
    status.delta_version = table.version()
    status.files = len(table.file_uris())
    status.append_only = table.metadata().configuration.get(APPEND_ONLY_KEY) == "true"
    protocol = table.protocol()
    status.protocol = f"reader {protocol.min_reader_version} / writer {protocol.min_writer_version}"
    last = table.history(1)[0]
    status.last_write = datetime.fromtimestamp(last["timestamp"] / 1000, UTC).isoformat(timespec="seconds")
    status.last_operation = last.get("operation")
    status.rows_all_versions = store.row_count(spec)
    if is_history(spec):
        status.rows_latest = latest_versions(store.scan_table(table), spec).select(pl.len()).collect().item()
    else:
        status.rows_latest = status.rows_all_versions
    return status


def is_history(spec: TableSpec) -> bool:
    return spec in HISTORY_TABLES


def corrected_games(store: DeltaStore, spec: TableSpec) -> list[CorrectedGame]:
    if not store.exists(spec):
        return []
    per_key = store.scan(spec).group_by(list(spec.key)).agg(
        pl.col("gameDate").max(), pl.col(VERSION).max().alias("max_version"))
    per_game = (
        per_key.filter(pl.col("max_version") > 1)
        .group_by("gameId", "gameDate")
        .agg(pl.len().alias("corrected_keys"), pl.col("max_version").max())
        .sort("gameDate", "gameId")
        .collect()
    )
    return [CorrectedGame(spec.name, *row) for row in per_game.iter_rows()]


def collect_status(store: DeltaStore, progress) -> Status:
    tables = []
    for spec in ALL_TABLES:
        progress(f"reading {spec.name}")
        tables.append(table_status(store, spec))
    progress("reading the stored schedule answers for coverage")
    coverage = coverage_by_season(store, settings.first_game_date())
    corrected = []
    for spec in HISTORY_TABLES:
        progress(f"looking for corrected games in {spec.name}")
        corrected += corrected_games(store, spec)
    return Status(store.root, tables, coverage, corrected, collect_attention(store))


def iso_date(game_date: int) -> str:
    """A ``gameDate`` (YYYYMMDD) as YYYY-MM-DD."""
    text = str(game_date)
    return f"{text[:4]}-{text[4:6]}-{text[6:]}"


def render(status: Status) -> str:
    lines = [f"data dir: {status.data_dir}", ""]
    header = (f"{'table':38} {'version':>7} {'rows latest':>12} {'rows all':>10} {'files':>6} "
              f"{'protected':>9}  last write")
    lines.append(header)
    for t in status.tables:
        if not t.exists:
            lines.append(f"{t.table:38} {'-':>7} {'(no table)':>12}")
            continue
        protected = "yes" if t.append_only else "no"
        lines.append(f"{t.table:38} {t.delta_version:>7} {t.rows_latest:>12,} {t.rows_all_versions:>10,} "
                     f"{t.files:>6} {protected:>9}  {t.last_write} {t.last_operation}")
    lines += ["", "coverage (final games in the stored schedule vs games in history):"]
    if not status.coverage:
        lines.append("  no stored schedule answers (raw landing store empty)")
    for season in status.coverage:
        lines.append(f"  season {season.season}: {season.in_history}/{season.final_in_schedule} final games in "
                     f"history, {len(season.missing)} missing")
        for game in season.missing:
            lines.append(f"    missing game {game.game_id} of {game.game_date} from {', '.join(game.missing_from)}")
    lines += ["", f"corrected games (keys with more than one version): {len(status.corrected_games)}"]
    for game in status.corrected_games:
        lines.append(f"  {game.table}: game {game.game_id} of {iso_date(game.game_date)}: {game.corrected_keys} keys, "
                     f"up to version {game.max_version}")
    return "\n".join(lines + attention_lines(status.attention))
