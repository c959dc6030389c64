"""Coverage: the final games the stored schedule answers list, against the games history holds.

The schedule answers come from the raw landing store (every ``/v1/schedule`` body ever fetched), so this needs
no API call: it reports what the pipeline has seen, which is what it could have loaded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from nhl_bronze.domain.games import classify_schedule_game, schedule_games_by_date
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.raw_responses import RawResponseStore
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY


@dataclass(frozen=True)
class MissingGame:
    game_id: int
    game_date: date
    missing_from: tuple[str, ...]  # the history tables that do not hold it


@dataclass
class SeasonCoverage:
    season: int  # e.g. 20242025
    final_in_schedule: int = 0
    in_history: int = 0
    missing: list[MissingGame] = field(default_factory=list)


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


def game_ids_in(store: DeltaStore, spec) -> set[int]:
    if not store.exists(spec):
        return set()
    return set(store.scan(spec).select(pl.col("gameId").unique()).collect()["gameId"].drop_nulls().to_list())


def coverage_by_season(store: DeltaStore, first_date: date | None = None) -> list[SeasonCoverage]:
    """Per season, the final games of the stored schedule answers dated from ``first_date`` (the deployment's
    first partition; a weekly answer also lists the days before it, which no run is asked to load)."""
    finals = final_games_in_schedule(store)
    if first_date is not None:
        finals = {game_id: day for game_id, day in finals.items() if day >= first_date}
    held = {spec.name: game_ids_in(store, spec) for spec in (GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY)}
    seasons: dict[int, SeasonCoverage] = {}
    for game_id, day in sorted(finals.items(), key=lambda item: (item[1], item[0])):
        season = seasons.setdefault(season_of(game_id), SeasonCoverage(season_of(game_id)))
        season.final_in_schedule += 1
        missing_from = tuple(name for name, ids in held.items() if game_id not in ids)
        if missing_from:
            season.missing.append(MissingGame(game_id, day, missing_from))
        else:
            season.in_history += 1
    return [seasons[s] for s in sorted(seasons)]
