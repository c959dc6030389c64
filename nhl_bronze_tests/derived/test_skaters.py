"""``build_skaters``: season sums per player, team, season and situation, on hand-made player-game rows."""

import polars as pl

from nhl_bronze.contract import SKATERS_SCHEMA
from nhl_bronze.derived.skaters import build_skaters


def player_game(player, team, game_date, name, goals, shots, icetime, situation="all", season=20242025):
    return {"playerId": player, "playerTeam": team, "season": season, "situation": situation, "gameDate": game_date,
            "name": name, "position": "C", "icetime": icetime, "I_F_goals": goals, "I_F_shotsOnGoal": shots,
            "I_F_shotAttempts": shots + 1}


def test_a_traded_player_keeps_one_row_per_team_with_that_teams_sums():
    rows = pl.LazyFrame([
        player_game(8478402, "EDM", 20241009, "Connor", 1, 4, 1200.0),
        player_game(8478402, "EDM", 20241011, "Connor McDavid", 2, 3, 1100.0),
        player_game(8478402, "TOR", 20250110, "Connor McDavid", 0, 2, 900.0),
    ])

    skaters = build_skaters(rows)

    assert skaters.schema == SKATERS_SCHEMA
    edm = skaters.filter(pl.col("team") == "EDM").row(0, named=True)
    assert (edm["player_I_F_goals"], edm["player_I_F_shotsOnGoal"], edm["player_icetime"]) == (3, 7, 2300.0)
    assert edm["player_I_F_shotAttempts"] == 9  # (4 + 1) + (3 + 1)
    assert edm["name"] == "Connor McDavid"  # the latest name seen
    assert skaters.filter(pl.col("team") == "TOR")["player_I_F_goals"].to_list() == [0]


def test_an_empty_name_never_replaces_a_filled_one_and_situations_stay_apart():
    rows = pl.LazyFrame([
        player_game(1, "VAN", 20241009, "Elias Pettersson", 1, 2, 600.0),
        player_game(1, "VAN", 20241011, "", 0, 1, 500.0),
        player_game(1, "VAN", 20241011, "", 1, 1, 120.0, situation="5on4"),
    ])

    skaters = build_skaters(rows)

    assert skaters.height == 2
    assert skaters.filter(pl.col("situation") == "all")["name"].to_list() == ["Elias Pettersson"]
    assert skaters.filter(pl.col("situation") == "5on4")["player_I_F_goals"].to_list() == [1]
