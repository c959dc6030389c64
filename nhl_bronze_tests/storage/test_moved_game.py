"""Issue 8, black box: a final game that the schedule later lists under another date. History must keep one
latest row per key over the whole table, and the derived tables must count the game once."""

import json

import polars as pl

from nhl_bronze.protection import open_store
from nhl_bronze.readers.history import latest as read_latest
from nhl_bronze.simulator.core import SimResponse, json_response
from nhl_bronze.storage.history import duplicate_latest_keys
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY
from nhl_bronze_tests.support import (
    ALL_ASSETS,
    SAMPLES,
    RecordedApi,
    materialize_day,
    materialize_range,
    read_table,
)

MOVED_GAME, OLD_DATE, NEW_DATE = 2024020009, "2024-10-09", "2024-10-10"


class MovedGame:
    """The schedule lists one game under another date (a re-dated game, or a corrected date)."""

    def __init__(self, inner, game_id: int, old_date: str, new_date: str):
        self.inner, self.game_id, self.old_date, self.new_date = inner, game_id, old_date, new_date

    def handle(self, method: str, path: str, query: dict[str, str]) -> SimResponse:
        response = self.inner.handle(method, path, query)
        if "/schedule/" not in path or response.status != 200:
            return response
        body = json.loads(response.body)
        original = json.loads(self.inner.handle(method, f"/v1/schedule/{self.old_date}", {}).body)
        entry = [g for day in original["gameWeek"] for g in day["games"] if g["id"] == self.game_id]
        for day in body.get("gameWeek", []):
            day["games"] = [g for g in day["games"] if g["id"] != self.game_id]
            if day["date"] == self.new_date:
                day["games"] += entry
        return json_response(body)


class RedatingApi(RecordedApi):
    def make_backend(self):
        return MovedGame(super().make_backend(), MOVED_GAME, OLD_DATE, NEW_DATE)


def test_a_redated_game_is_the_next_version_of_its_keys_and_is_counted_once(tmp_path):
    materialize_range(ALL_ASSETS, tmp_path, "2024-10-04", "2024-10-11")
    teams_before = read_table(tmp_path, GAMES_HISTORICAL_HISTORY.name)
    skaters_before = read_table(tmp_path, "bronze_skaters_2023_v2")

    redating = {"nhl_api": RedatingApi(recorded_dir=str(SAMPLES), max_retries=1, rate_limit=0)}
    materialize_day(ALL_ASSETS, tmp_path, NEW_DATE, resources=redating)

    store = open_store(tmp_path)
    for spec in (GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY):
        latest = read_latest(store, spec).collect()
        assert duplicate_latest_keys(latest, spec) == 0, spec.name
        moved = latest.filter(pl.col("gameId") == MOVED_GAME)
        assert moved["gameDate"].unique().to_list() == [20241010]
        assert moved["_version"].unique().to_list() == [2]
    teams = read_table(tmp_path, GAMES_HISTORICAL_HISTORY.name)
    assert teams.height == teams_before.height + 8  # the 8 team keys of the game gained a version...
    assert teams.filter(pl.col("gameDate") == 20241009).height == 8  # ...and the old date's rows are still there
    schedule = read_table(tmp_path, "bronze_schedule_2023_v2")
    completed = schedule.filter(pl.col("GAME_ID").is_in(teams["gameId"].unique().implode()))
    assert completed.height == teams["gameId"].n_unique() == 3  # each game once
    assert completed.filter(pl.col("GAME_ID") == MOVED_GAME)["DATE"].cast(pl.String).to_list() == [NEW_DATE]
    # The same game under a new date: season sums are unchanged (the game is not counted twice).
    skaters = read_table(tmp_path, "bronze_skaters_2023_v2")
    assert skaters.height == skaters_before.height
    assert skaters["player_icetime"].sum() == skaters_before["player_icetime"].sum()
