"""Coverage: the final games the stored schedule answers list, against the games history holds.

The schedule answers come from the raw landing store (every ``/v1/schedule`` body ever fetched), so this needs
no API call: it reports what the pipeline has seen, which is what it could have loaded.

A schedule answer covers a whole week, and the schedule refresh lands weeks nobody asked to load, so a final game
absent from history is one of two things:

* **missing** (a problem): its date was requested (the pipeline fetched a game body of that date, or history
  holds rows of it) and the game is not in history;
* **not requested** (a fact): nothing was ever fetched for its date. ``fetch_command`` prints the command that
  loads such dates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from nhl_bronze.domain.dates import GAME_DATE_COLUMN
from nhl_bronze.domain.games import classify_schedule_game, schedule_games_by_date
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.raw_responses import RawResponseStore
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY, RAW_API_RESPONSES

HISTORY = (GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY)
SCHEDULE_ENDPOINT = "schedule"


@dataclass(frozen=True)
class MissingGame:
    game_id: int
    game_date: date
    missing_from: tuple[str, ...]  # the history tables that do not hold it


@dataclass
class MonthCoverage:
    month: str  # YYYY-MM of the game dates
    final_in_schedule: int = 0
    in_history: int = 0
    missing: int = 0
    not_requested: int = 0


@dataclass
class SeasonCoverage:
    season: int  # e.g. 20242025
    final_in_schedule: int = 0
    in_history: int = 0
    missing: list[MissingGame] = field(default_factory=list)  # dates requested, games not in history: problems
    not_requested: list[MissingGame] = field(default_factory=list)  # dates nobody asked for yet: facts
    months: list[MonthCoverage] = field(default_factory=list)  # in date order: where the holes are

    @property
    def dates_not_requested(self) -> list[date]:
        return sorted({game.game_date for game in self.not_requested})


def season_of(game_id: int) -> int:
    """Game ids are SSSSTTNNNN with SSSS the season's first year: 2024020001 -> 20242025."""
    first_year = game_id // 1_000_000
    return first_year * 10_000 + first_year + 1


def final_games_in_schedule(store: DeltaStore) -> dict[int, date]:
    """Every final regular-season or playoff game of the stored schedule answers, with its (newest) date."""
    games_by_day: dict[date, list[dict]] = {}
    # Oldest request first: a day listed by several weekly answers keeps the newest request's games.
    for _, body in RawResponseStore(store).all_schedule_bodies():
        games_by_day.update(schedule_games_by_date(json.loads(body)))
    finals: dict[int, date] = {}
    for day, games in sorted(games_by_day.items()):
        for game in games:
            if classify_schedule_game(game)[0] == "fetch":
                finals[int(game["id"])] = day
    return finals


def games_and_dates_in(store: DeltaStore, spec) -> tuple[set[int], set[date]]:
    """The game ids a history table holds, and the dates of its rows (one scan of the two columns)."""
    if not store.exists(spec):
        return set(), set()
    held = store.scan(spec).select("gameId", GAME_DATE_COLUMN).unique().collect()
    return (set(held["gameId"].drop_nulls().to_list()),
            {date_of(day) for day in held[GAME_DATE_COLUMN].drop_nulls().unique().to_list()})


def fetched_game_dates(store: DeltaStore) -> set[date]:
    """The dates the pipeline fetched game bodies for (a staging run over them, from the API or the raw store):
    read from the raw store's partition values in its log, no data file opened."""
    table = store.table_if_exists(RAW_API_RESPONSES)
    if table is None:
        return set()
    actions = pl.DataFrame(table.get_add_actions(flatten=True))
    if actions.is_empty():
        return set()
    dates = (
        actions.select(pl.col("partition.endpoint").alias("endpoint"),
                       pl.col(f"partition.{GAME_DATE_COLUMN}").cast(pl.Int64).alias("day"))
        .filter(pl.col("endpoint") != SCHEDULE_ENDPOINT, pl.col("day").is_not_null())
        .get_column("day").unique().to_list()
    )
    return {date_of(day) for day in dates}


def date_of(game_date: int) -> date:
    return date(game_date // 10_000, game_date // 100 % 100, game_date % 100)


def coverage_by_season(store: DeltaStore, first_date: date | None = None) -> list[SeasonCoverage]:
    """Per season: the final games of the stored schedule, those in history, and the rest told apart into missing
    (their date was requested: a game body of it was fetched, or history holds rows of it, an import say) and not
    requested."""
    finals = final_games_in_schedule(store)
    held: dict[str, set[int]] = {}
    requested = fetched_game_dates(store)
    for spec in HISTORY:
        held[spec.name], dates = games_and_dates_in(store, spec)
        requested |= dates
    seasons: dict[int, SeasonCoverage] = {}
    for game_id, day in sorted(finals.items(), key=lambda item: (item[1], item[0])):
        season = seasons.setdefault(season_of(game_id), SeasonCoverage(season_of(game_id)))
        if not season.months or season.months[-1].month != f"{day:%Y-%m}":
            season.months.append(MonthCoverage(f"{day:%Y-%m}"))
        month = season.months[-1]
        season.final_in_schedule += 1
        month.final_in_schedule += 1
        missing_from = tuple(name for name, ids in held.items() if game_id not in ids)
        if not missing_from:
            season.in_history += 1
            month.in_history += 1
        elif day in requested:
            season.missing.append(MissingGame(game_id, day, missing_from))
            month.missing += 1
        else:
            season.not_requested.append(MissingGame(game_id, day, missing_from))
            month.not_requested += 1
    return [seasons[s] for s in sorted(seasons)]


BAR_WIDTH = 40


def month_bar(month: MonthCoverage, largest_month: int, width: int = BAR_WIDTH) -> str:
    """The month's final games as a bar scaled to the season's largest month: ``#`` in history, ``!`` missing
    (requested, not in history), ``.`` not requested. A category with any game gets at least one mark."""
    scale = width / max(largest_month, 1)

    def marks(games: int) -> int:
        return max(1, round(games * scale)) if games else 0

    return "#" * marks(month.in_history) + "!" * marks(month.missing) + "." * marks(month.not_requested)


def date_ranges(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive dates as inclusive (first, last) ranges; a lone date is a range of one."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(days):
        if ranges and (day - ranges[-1][1]).days == 1:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def fetch_command(first: date, last: date) -> str:
    """The command that loads ``first..last`` through the whole graph (staging, history and the derived tables);
    offline, prefix it with ``NHL_BRONZE_OFFLINE=1`` as for ``dagster dev``."""
    tags = json.dumps({"dagster/asset_partition_range_start": first.isoformat(),
                       "dagster/asset_partition_range_end": last.isoformat()})
    return f"dagster job execute -m nhl_bronze.definitions -j bronze_job --tags '{tags}'"
