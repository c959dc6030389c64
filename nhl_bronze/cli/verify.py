"""``nhl-bronze verify``: every check an operator's cron or CI can page on, one line per problem.

1. the history audit of the protected tables against their ledger (every Delta version recorded, every commit file
   and live data file as recorded, SHA-256 included; no referenced file missing);
2. one latest row per key over the whole of each history table (and one row per key in the derived tables);
3. the column contract (names and types) of every table that exists;
4. no final game of a requested date (``readers.coverage``) is missing from history. Final games on dates no run
   asked for are not problems: ``not_requested_notes`` says how many there are, and ``status`` how to load them;
5. games in history without a shift chart are listed as notes with their age and next re-ask (not problems:
   the NHL never publishes some charts, and the re-ask rule gives up at the season's end).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from nhl_bronze import settings
from nhl_bronze.cli.attention import chart_problems
from nhl_bronze.cli.status import iso_date
from nhl_bronze.protection.audit import audit_protected, ledger_of
from nhl_bronze.protection.ledger import LedgerCorruptError
from nhl_bronze.readers.coverage import SeasonCoverage, coverage_by_season
from nhl_bronze.readers.schema import HISTORY_TABLES, contract_columns, contract_problems
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.history import latest_versions
from nhl_bronze.storage.tables import ALL_TABLES, SCHEDULE, SKATERS, TableSpec

MAX_LINES_PER_CHECK = 50  # per table and check: enough to act on, short enough to page with


def audit_problems(store: DeltaStore) -> list[str]:
    return [
        f"{report.table}: Delta version {problem.version} ({problem.operation}): {problem.message}"
        for report in audit_protected(store, deep=True)
        for problem in report.problems
    ]


def ledger_digests(store: DeltaStore) -> tuple[list[str], list[str]]:
    """One ``table version chain-hash`` line per protected table, and the ledgers that could not be read."""
    lines, problems = [], []
    ledger = ledger_of(store)
    for spec in ALL_TABLES:
        if spec.protected:
            try:
                lines.append(ledger.digest(spec.name).line())
            except LedgerCorruptError as error:
                problems.append(f"{spec.name}: {error}")
    return lines, problems


def named_failure(what: str, check: Callable[[], list[str]]) -> list[str]:
    """A check that fails to run is a named problem, never a traceback: a missing data file, checkpoint or log
    makes deltalake and polars raise (or panic) while reading."""
    try:
        return check()
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt | SystemExit):
            raise
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        return [f"{what}: could not be checked: {type(error).__name__}: {first_line}"]


def duplicate_key_problems(store: DeltaStore, spec: TableSpec, rows: pl.LazyFrame, what: str) -> list[str]:
    key = list(spec.key)
    dated = "gameDate" in rows.collect_schema() and "gameDate" not in key
    duplicates = (
        rows.group_by(key).agg(pl.len().alias("rows"), *([pl.col("gameDate").first()] if dated else []))
        .filter(pl.col("rows") > 1)
        .sort(key)
        .collect()
    )
    problems = []
    for row in duplicates.head(MAX_LINES_PER_CHECK).iter_rows(named=True):
        named_key = ", ".join(f"{k}={row[k]}" for k in key)
        day = f" (game date {iso_date(row['gameDate'])})" if dated else ""
        problems.append(f"{spec.name}: {row['rows']} {what} for key {named_key}{day}")
    if duplicates.height > MAX_LINES_PER_CHECK:
        problems.append(f"{spec.name}: {duplicates.height - MAX_LINES_PER_CHECK} more duplicated keys")
    return problems


def verify(store: DeltaStore, progress: Callable[[str], None], notes: list[str] | None = None) -> list[str]:
    """The problems, one line each; facts worth a line that are not problems are appended to ``notes``."""
    problems: list[str] = []
    progress("auditing the protected tables against their ledger (every commit file and data file hashed)")
    problems += named_failure("the history audit", lambda: audit_problems(store))

    for spec in HISTORY_TABLES:
        if not store.exists(spec):
            problems.append(f"{spec.name}: the history table does not exist at {store.uri(spec)}")
            continue
        progress(f"checking one latest row per key over the whole of {spec.name}")
        problems += named_failure(spec.name, lambda spec=spec: duplicate_key_problems(
            store, spec, latest_versions(store.scan(spec), spec), "latest rows"))
    for spec in (SCHEDULE, SKATERS):
        if store.exists(spec):
            progress(f"checking one row per key in {spec.name}")
            problems += named_failure(spec.name, lambda spec=spec: duplicate_key_problems(
                store, spec, store.scan(spec), "rows"))

    progress("checking the column contract")
    for spec in ALL_TABLES:
        if contract_columns(spec) and store.exists(spec):
            problems += named_failure(spec.name, lambda spec=spec: contract_problems(
                spec, store.scan(spec).collect_schema()))

    progress("checking that every final game of a requested date is in history")
    seasons: list[SeasonCoverage] = []

    def missing_games() -> list[str]:
        seasons.extend(coverage_by_season(store, settings.first_game_date()))
        return [f"{table}: final game {game.game_id} of {game.game_date} (season {season.season}) is missing from "
                f"history" for season in seasons for game in season.missing for table in game.missing_from]

    problems += named_failure("the coverage check", missing_games)
    progress("listing games without a shift chart")
    chartless = named_failure("the shift-chart listing", lambda: chart_problems(store))
    if notes is not None:
        notes += not_requested_notes(seasons)
        notes += [f"note: {line}" for line in chartless]
    return problems

def not_requested_notes(seasons: list[SeasonCoverage]) -> list[str]:
    """Final games on dates no run asked for: a fact (not checked), with where to see how to load them."""
    games = sum(len(season.not_requested) for season in seasons)
    if not games:
        return []
    days = sum(len(season.dates_not_requested) for season in seasons)
    return [f"note: {games} final games on {days} dates of the stored schedule were never requested (not checked; "
            f"`nhl-bronze status` prints the command that loads them)"]
