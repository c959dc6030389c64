"""``nhl-bronze status``: what every table holds, how complete history is, and which games were corrected."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import polars as pl

from nhl_bronze import settings
from nhl_bronze.cli.attention import Attention, attention_lines, collect_attention
from nhl_bronze.readers.coverage import SeasonCoverage, coverage_by_season, date_ranges, fetch_command, month_bar
from nhl_bronze.readers.history import runs
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
class RecentRun:
    """A run that inserted history rows: its id and time are what ``changes(since=..)`` and ``as_of`` take."""

    run_id: str
    ingested_at: str  # ISO UTC: when the run merged into history
    rows_added: dict[str, int]  # history table -> versions inserted
    first_game_date: int
    last_game_date: int


RECENT_RUNS = 5


@dataclass
class Status:
    data_dir: str
    tables: list[TableStatus]
    coverage: list[SeasonCoverage]
    corrected_games: list[CorrectedGame] = field(default_factory=list)
    attention: Attention | None = None  # quarantined schedule items, games without a shift chart
    recent_runs: list[RecentRun] = field(default_factory=list)  # newest last

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


def recent_runs(store: DeltaStore, limit: int = RECENT_RUNS) -> list[RecentRun]:
    """The last ``limit`` runs that inserted rows into either history table, oldest first."""
    per_table = [runs(store, spec).with_columns(pl.lit(spec.name).alias("table"))
                 for spec in HISTORY_TABLES if store.exists(spec)]
    if not per_table:
        return []
    every = pl.concat(per_table)
    newest = (every.group_by("run_id").agg(pl.col("ingested_at").max(), pl.col("first_game_date").min(),
                                           pl.col("last_game_date").max())
              .sort("ingested_at", "run_id").tail(limit))
    added = {(row["run_id"], row["table"]): row["rows"] for row in every.iter_rows(named=True)}
    return [
        RecentRun(row["run_id"], row["ingested_at"].isoformat(timespec="seconds"),
                  {spec.name: added.get((row["run_id"], spec.name), 0) for spec in HISTORY_TABLES},
                  row["first_game_date"], row["last_game_date"])
        for row in newest.iter_rows(named=True)
    ]


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
    progress("listing the recent runs that added history rows")
    return Status(store.root, tables, coverage, corrected, collect_attention(store), recent_runs(store))


def render_season(season: SeasonCoverage) -> list[str]:
    requested = season.final_in_schedule - len(season.not_requested)
    lines = [f"  season {season.season}: {season.in_history}/{requested} final games of the requested dates in "
             f"history, {len(season.missing)} missing"]
    largest = max((month.final_in_schedule for month in season.months), default=0)
    lines.append(f"    {'month':7} {'final':>6} {'history':>7} {'missing':>7} {'not req.':>8}  "
                 f"(# in history, ! missing, . not requested)")
    for month in season.months:
        lines.append(f"    {month.month:7} {month.final_in_schedule:>6} {month.in_history:>7} {month.missing:>7} "
                     f"{month.not_requested:>8}  {month_bar(month, largest)}")
    for game in season.missing:
        lines.append(f"    missing game {game.game_id} of {game.game_date} from {', '.join(game.missing_from)}")
    if season.not_requested:
        days = season.dates_not_requested
        lines.append(f"    not requested yet (not a problem): {len(season.not_requested)} final games on {len(days)} "
                     f"dates the stored schedule lists; load them with (offline: prefix NHL_BRONZE_OFFLINE=1):")
        for first, last in date_ranges(days):
            lines.append(f"      {fetch_command(first, last)}")
    return lines


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
        lines += render_season(season)
    lines += ["", "recent runs that added history rows (ids for changes(since=...), times for as_of):"]
    if not status.recent_runs:
        lines.append("  none")
    for run in status.recent_runs:
        added = ", ".join(f"{rows:,} {table}" for table, rows in run.rows_added.items())
        lines.append(f"  {run.run_id}  {run.ingested_at}  game dates {iso_date(run.first_game_date)}.."
                     f"{iso_date(run.last_game_date)}  rows added: {added}")
    lines += ["", f"corrected games (keys with more than one version): {len(status.corrected_games)}"]
    for game in status.corrected_games:
        lines.append(f"  {game.table}: game {game.game_id} of {iso_date(game.game_date)}: {game.corrected_keys} keys, "
                     f"up to version {game.max_version}")
    return "\n".join(lines + attention_lines(status.attention))
