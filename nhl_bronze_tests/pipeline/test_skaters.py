"""Skaters kept from running totals equal the skaters summed from all of history, run after run."""

from datetime import UTC, date, datetime, timedelta

import polars as pl

from nhl_bronze.derived.skaters import build_skaters
from nhl_bronze.pipeline.skaters import refresh_skaters
from nhl_bronze.protection import open_store
from nhl_bronze.protection.merge import merge_new_versions
from nhl_bronze.storage.history import latest_versions
from nhl_bronze.storage.maintenance import maintain_table
from nhl_bronze.storage.tables import PLAYER_GAME_STATS_HISTORY, SKATERS

SCHEMA = {"playerId": pl.Int32, "gameId": pl.Int32, "situation": pl.String, "gameDate": pl.Int32, "season": pl.Int32,
          "playerTeam": pl.String, "name": pl.String, "position": pl.String, "icetime": pl.Float64,
          "I_F_goals": pl.Int32, "I_F_shotsOnGoal": pl.Int32, "I_F_shotAttempts": pl.Int32}


def row(player, game, day, team, name, goals, icetime=900.0, situation="all"):
    return (player, game, situation, day.year * 10_000 + day.month * 100 + day.day, 20242025, team, name, "C",
            icetime, goals, goals + 2, goals + 3)


def merge(store, day, rows, run):
    staged = pl.DataFrame(rows, schema=SCHEMA, orient="row")
    return merge_new_versions(store, PLAYER_GAME_STATS_HISTORY, lambda: staged, day, day + timedelta(days=1),
                              f"run-{run}", datetime(2024, 10, 20, tzinfo=UTC))


def summed_from_all_history(store):
    return build_skaters(latest_versions(store.scan(PLAYER_GAME_STATS_HISTORY), PLAYER_GAME_STATS_HISTORY))


D1, D2, D3 = date(2024, 10, 8), date(2024, 10, 9), date(2024, 10, 10)


def test_running_totals_equal_a_full_rebuild_through_corrections_a_redated_game_and_a_trade(tmp_path):
    store = open_store(tmp_path)
    merge(store, D1, [row(1, 100, D1, "EDM", "Connor", 1), row(2, 100, D1, "TOR", "Auston", 2, 1000.0),
                      row(3, 101, D1, "VAN", "Elias", 0), row(3, 101, D1, "VAN", "Elias", 1, 120.0, "5on4"),
                      row(4, 101, D1, "CGY", "", 0)], 1)
    first = refresh_skaters(store)
    assert first.rebuilt  # nothing to start from

    merge(store, D2, [row(1, 102, D2, "EDM", "Connor McDavid", 2), row(3, 102, D2, "VAN", "", 1)], 2)
    second = refresh_skaters(store)
    assert (second.rebuilt, second.games_changed) == (False, 1)
    assert second.skaters.equals(summed_from_all_history(store))

    maintain_table(store, PLAYER_GAME_STATS_HISTORY)  # compaction rewrites files: nothing counted twice
    # Game 102 corrected (player 1 scored 3), game 101 re-dated to D3 with a correction, player 2 traded to EDM
    merge(store, D2, [row(1, 102, D2, "EDM", "Connor McDavid", 3), row(3, 102, D2, "VAN", "", 1)], 3)
    merge(store, D3, [row(3, 101, D3, "VAN", "Elias Pettersson", 0), row(3, 101, D3, "VAN", "Elias", 1, 120.0, "5on4"),
                      row(4, 101, D3, "CGY", "", 2), row(2, 103, D3, "EDM", "Auston", 1, 800.0)], 3)
    third = refresh_skaters(store)
    assert (third.rebuilt, third.games_changed) == (False, 3)
    assert third.skaters.equals(summed_from_all_history(store))
    assert store.scan(SKATERS).collect().equals(third.skaters)
    edm = third.skaters.filter(pl.col("team") == "EDM", pl.col("situation") == "all")
    # player 1: 1 + 3 goals over 900 + 900 s; player 2's EDM row is his game after the trade only
    assert edm.select("playerId", "name", "player_I_F_goals", "player_icetime").rows() == [
        ("1", "Connor McDavid", 4, 1800.0), ("2", "Auston", 1, 800.0)]  # playerId: the contract's string
    van = third.skaters.filter(pl.col("playerId") == "3", pl.col("situation") == "all").row(0, named=True)
    assert (van["name"], van["player_I_F_goals"]) == ("Elias Pettersson", 1)  # D3 is now his latest game

    # Nothing new: nothing changed
    assert refresh_skaters(store).games_changed == 0


def test_a_correction_that_takes_away_the_latest_name_sums_everything_again(tmp_path):
    store = open_store(tmp_path)
    merge(store, D1, [row(1, 100, D1, "EDM", "Connor", 1)], 1)
    merge(store, D2, [row(1, 102, D2, "EDM", "Connor McDavid", 2)], 2)
    refresh_skaters(store)
    # The corrected latest game has no name: the name before it is not in the totals, so all is summed again
    merge(store, D2, [row(1, 102, D2, "EDM", "", 2)], 3)

    refreshed = refresh_skaters(store)

    assert refreshed.rebuilt
    assert refreshed.skaters.equals(summed_from_all_history(store))
    assert refreshed.skaters["name"].to_list() == ["Connor"]
    assert refresh_skaters(store, full=True).skaters.equals(refreshed.skaters)


def test_new_versions_whose_files_were_vacuumed_after_compaction_are_summed_from_all_history(tmp_path):
    store = open_store(tmp_path)
    merge(store, D1, [row(1, 100, D1, "EDM", "Connor", 1)], 1)
    refresh_skaters(store)
    merge(store, D2, [row(1, 102, D2, "EDM", "Connor", 2)], 2)
    landed = store.table(PLAYER_GAME_STATS_HISTORY).get_add_actions(flatten=True).column("path").to_pylist()
    maintain_table(store, PLAYER_GAME_STATS_HISTORY)
    for path in landed:  # what a vacuum past the retention removes: the files compaction replaced
        (tmp_path / PLAYER_GAME_STATS_HISTORY.name / path).unlink()

    refreshed = refresh_skaters(store)

    assert refreshed.rebuilt
    assert refreshed.skaters.equals(summed_from_all_history(store))
    assert refreshed.skaters["player_I_F_goals"].to_list() == [3]
