"""Derived tables, rebuilt from the latest versions in history on every run.

The schedule's start times come from the parsed schedule answers (``pipeline.schedule_entries``), which parse
only the answers landed since the previous run, and the skaters' sums from running totals that take in only the
player-game versions history gained since (``pipeline.skaters``): a run costs what the day changed, not the
whole season. Both equal a full rebuild (tested); the ``full_rebuild`` config of each asset forces one.
"""

from datetime import timedelta

import dagster as dg
import polars as pl

from nhl_bronze.assets.quarantine import quarantine_check, quarantine_check_spec
from nhl_bronze.assets.schedule_landing import SCHEDULE_LANDING
from nhl_bronze.derived.schedule import build_schedule, newest_entries, quarantine_lines
from nhl_bronze.pipeline.schedule_entries import rebuild_schedule_entries, refresh_schedule_entries
from nhl_bronze.pipeline.skaters import refresh_skaters
from nhl_bronze.resources.clock import ClockResource
from nhl_bronze.resources.lakehouse import LakehouseResource
from nhl_bronze.storage.history import latest_versions
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY, SCHEDULE, SKATERS


class ScheduleConfig(dg.Config):
    upcoming_days: int = 7
    """Upcoming games are listed from yesterday (US Eastern) through today + upcoming_days."""
    full_rebuild: bool = False
    """Parse every stored schedule answer again instead of only those landed since the last run."""


class SkatersConfig(dg.Config):
    full_rebuild: bool = False
    """Sum all of player history again instead of applying only the versions added since the last run."""


SCHEDULE_QUARANTINE_CHECK = "schedule_quarantine"


def _replace_and_report(lakehouse: LakehouseResource, spec, frame: pl.DataFrame, check_results=(),
                        **metadata) -> dg.MaterializeResult:
    result = lakehouse.store().replace(spec, frame)
    return dg.MaterializeResult(
        check_results=list(check_results),
        metadata={
            "dagster/row_count": frame.height,
            "table_version": result.table_version,
            "table_path": dg.MetadataValue.path(lakehouse.store().uri(spec)),
            **metadata,
        }
    )


@dg.asset(
    name=SCHEDULE.name,
    deps=[dg.AssetKey(GAMES_HISTORICAL_HISTORY.name), dg.AssetKey(SCHEDULE_LANDING)],
    group_name="derived",
    kinds={"deltalake", "polars"},
    check_specs=[quarantine_check_spec(
        SCHEDULE.name, SCHEDULE_QUARANTINE_CHECK,
        "Warns (never blocks) while a stored schedule answer in effect holds items the schedule contract "
        "quarantined (bronze_schedule_quarantine): each is named and left out of this table, the sensor and "
        "verify's coverage.")],
)
def bronze_schedule_2023_v2(
    config: ScheduleConfig, lakehouse: LakehouseResource, clock: ClockResource
) -> dg.MaterializeResult:
    """One row per game: every completed game in history plus the regular-season and playoff games scheduled
    from yesterday through the configured number of days ahead, with real Eastern and venue-local start times."""
    store = lakehouse.store()
    today = clock.eastern_today()
    upcoming_from, upcoming_through = today - timedelta(days=1), today + timedelta(days=config.upcoming_days)
    completed = (
        latest_versions(store.scan(GAMES_HISTORICAL_HISTORY), GAMES_HISTORICAL_HISTORY)
        .filter(pl.col("situation") == "all")
        .select("gameId", "gameDate", "team", "home_or_away")
        .collect()
        if store.exists(GAMES_HISTORICAL_HISTORY)
        else pl.DataFrame(schema={"gameId": pl.Int32, "gameDate": pl.Int32, "team": pl.String,
                                  "home_or_away": pl.String})
    )
    # Start times and upcoming games come from the schedule answers bronze_schedule_raw and staging landed.
    refreshed = rebuild_schedule_entries(store) if config.full_rebuild else refresh_schedule_entries(store)
    schedule = build_schedule(completed, newest_entries(refreshed.entries), upcoming_from, upcoming_through)
    quarantined = quarantine_lines(refreshed.in_effect())
    return _replace_and_report(
        lakehouse,
        SCHEDULE,
        schedule,
        check_results=[quarantine_check(SCHEDULE.name, SCHEDULE_QUARANTINE_CHECK, quarantined,
                                         "in the stored answers")],
        quarantined_count=len(quarantined),
        completed_games=int(completed["gameId"].n_unique()),
        upcoming_games=int(schedule.filter(pl.col("DATE") >= upcoming_from).height),
        upcoming_window=f"{upcoming_from}..{upcoming_through}",
        schedule_answers_parsed=refreshed.answers_parsed,
        schedule_entries_rebuilt=refreshed.rebuilt,
    )


@dg.asset(
    name=SKATERS.name,
    deps=[dg.AssetKey(PLAYER_GAME_STATS_HISTORY.name)],
    group_name="derived",
    kinds={"deltalake", "polars"},
)
def bronze_skaters_2023_v2(config: SkatersConfig, lakehouse: LakehouseResource) -> dg.MaterializeResult:
    """Season sums per player, team, season and situation from the latest player-game rows in history; a player
    traded mid-season keeps one row per team. The roster index for upcoming games."""
    store = lakehouse.store()
    if not store.exists(PLAYER_GAME_STATS_HISTORY):
        raise dg.Failure(f"{PLAYER_GAME_STATS_HISTORY.name} does not exist yet: materialize history first")
    refreshed = refresh_skaters(store, full=config.full_rebuild)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": refreshed.skaters.height,
            "table_version": store.version(SKATERS),
            "table_path": dg.MetadataValue.path(store.uri(SKATERS)),
            "players": int(refreshed.skaters["playerId"].n_unique()),
            "history_version": refreshed.history_version,
            "games_changed": refreshed.games_changed,
            "rebuilt_from_all_history": refreshed.rebuilt,
        }
    )
