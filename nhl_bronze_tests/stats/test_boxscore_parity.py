"""The ``all`` rows must reproduce the official boxscore on every recorded real game."""

from __future__ import annotations

import polars as pl
import pytest

from nhl_bronze.contract import GAMES_HISTORICAL_SCHEMA, PLAYER_GAME_STATS_SCHEMA, SITUATIONS
from nhl_bronze.stats.clock import clock_seconds
from nhl_bronze_tests.stats.samples import GAME_IDS, GAMES_WITH_SHIFTS, load_json

SIDES = (("awayTeam", "AWAY"), ("homeTeam", "HOME"))


def boxscore_skaters(boxscore: dict) -> pl.DataFrame:
    rows = []
    for key, home_or_away in SIDES:
        for group in ("forwards", "defense"):
            for row in boxscore["playerByGameStats"][key][group]:
                rows.append({**row, "playerId": str(row["playerId"]), "home_or_away": home_or_away,
                             "toi_s": clock_seconds(row["toi"])})
    return pl.DataFrame(rows).drop("name")


def all_rows(frames, game_id) -> pl.DataFrame:
    return frames[game_id].players.filter(pl.col("situation") == "all")


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_schema_matches_contract(frames_by_game, game_id):
    frames = frames_by_game[game_id]
    assert frames.players.schema == PLAYER_GAME_STATS_SCHEMA
    assert frames.teams.schema == GAMES_HISTORICAL_SCHEMA


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_every_skater_has_exactly_the_four_situations(frames_by_game, boxscores, game_id):
    players = frames_by_game[game_id].players
    expected_ids = set(boxscore_skaters(boxscores[game_id])["playerId"].to_list())
    assert set(players["playerId"].to_list()) == expected_ids  # skaters only, no goalies
    per_player = players.group_by("playerId").agg(pl.col("situation").sort())
    assert all(sorted(s) == sorted(SITUATIONS) for s in per_player["situation"].to_list())
    assert players.height == 4 * len(expected_ids)
    assert players.select(pl.struct("playerId", "situation").is_unique().all()).item()
    teams = frames_by_game[game_id].teams
    assert teams.height == 8
    assert sorted(teams["situation"].to_list()) == sorted(SITUATIONS * 2)


@pytest.mark.parametrize("game_id", GAME_IDS)
@pytest.mark.parametrize(
    ("column", "boxscore_field"),
    [
        ("I_F_goals", "goals"),
        ("I_F_points", "points"),
        ("I_F_shotsOnGoal", "sog"),
        ("I_F_hits", "hits"),
        ("I_F_takeaways", "takeaways"),
        ("I_F_giveaways", "giveaways"),
    ],
)
def test_individual_counts_match_boxscore(frames_by_game, boxscores, game_id, column, boxscore_field):
    merged = boxscore_skaters(boxscores[game_id]).join(all_rows(frames_by_game, game_id), on="playerId")
    mismatches = merged.filter(pl.col(column) != pl.col(boxscore_field))
    assert mismatches.height == 0, mismatches.select("playerId", column, boxscore_field)


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_assists_match_boxscore(frames_by_game, boxscores, game_id):
    merged = boxscore_skaters(boxscores[game_id]).join(all_rows(frames_by_game, game_id), on="playerId")
    assists = merged["I_F_primaryAssists"] + merged["I_F_secondaryAssists"]
    assert (assists == merged["assists"]).all()


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_penalty_minutes_match_boxscore_pim(frames_by_game, boxscores, game_id):
    merged = boxscore_skaters(boxscores[game_id]).join(all_rows(frames_by_game, game_id), on="playerId")
    mismatches = merged.filter(pl.col("penalityMinutesFor") != pl.col("pim").cast(pl.Float64))
    assert mismatches.height == 0, mismatches.select("playerId", "penalityMinutesFor", "pim")


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_power_play_goals_are_the_5on4_goals(frames_by_game, boxscores, game_id):
    pp = frames_by_game[game_id].players.filter(pl.col("situation") == "5on4").select("playerId", "I_F_goals")
    merged = boxscore_skaters(boxscores[game_id]).join(pp, on="playerId")
    mismatches = merged.filter(pl.col("I_F_goals") != pl.col("powerPlayGoals"))
    assert mismatches.height == 0, mismatches.select("playerId", "I_F_goals", "powerPlayGoals")


@pytest.mark.parametrize("game_id", GAMES_WITH_SHIFTS)
def test_ice_time_and_shifts_match_boxscore(frames_by_game, boxscores, game_id):
    merged = boxscore_skaters(boxscores[game_id]).join(all_rows(frames_by_game, game_id), on="playerId")
    too_far = merged.filter((pl.col("icetime") - pl.col("toi_s")).abs() > 1)
    assert too_far.height == 0, too_far.select("playerId", "icetime", "toi_s")
    wrong_shifts = merged.filter(pl.col("shifts") != pl.col("shifts_right"))
    assert wrong_shifts.height == 0, wrong_shifts.select("playerId", "shifts", "shifts_right")


@pytest.mark.parametrize("game_id", GAMES_WITH_SHIFTS)
def test_situation_ice_time_adds_up_to_at_most_all(frames_by_game, game_id):
    players = frames_by_game[game_id].players
    per_player = players.group_by("playerId").agg(
        buckets=pl.col("icetime").filter(pl.col("situation") != "all").sum(),
        total=pl.col("icetime").filter(pl.col("situation") == "all").sum(),
        shifts_buckets=pl.col("shifts").filter(pl.col("situation") != "all").sum(),
        shifts_total=pl.col("shifts").filter(pl.col("situation") == "all").sum(),
    )
    assert (per_player["buckets"] <= per_player["total"]).all()
    assert (per_player["shifts_buckets"] <= per_player["shifts_total"]).all()


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_team_goals_and_shots_match_boxscore(frames_by_game, boxscores, game_id):
    boxscore = boxscores[game_id]
    teams = frames_by_game[game_id].teams.filter(pl.col("situation") == "all")
    shootout_game = boxscore.get("gameOutcome", {}).get("lastPeriodType") == "SO"
    for key, home_or_away in SIDES:
        row = teams.filter(pl.col("home_or_away") == home_or_away).row(0, named=True)
        opponent = boxscore[SIDES[0][0] if key == SIDES[1][0] else SIDES[1][0]]
        assert row["team"] == boxscore[key]["abbrev"]
        assert row["shotsOnGoalFor"] == boxscore[key]["sog"]
        assert row["shotsOnGoalAgainst"] == opponent["sog"]
        skater_goals = sum(
            p["goals"] for g in ("forwards", "defense") for p in boxscore["playerByGameStats"][key][g]
        )
        assert row["goalsFor"] == skater_goals  # the boxscore's player goals exclude the SO winner
        won_shootout = shootout_game and boxscore[key]["score"] > opponent["score"]
        assert row["goalsFor"] == boxscore[key]["score"] - (1 if won_shootout else 0)


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_team_totals_on_player_rows_are_the_team_rows(frames_by_game, game_id):
    frames = frames_by_game[game_id]
    columns = ["shotsOnGoalFor", "goalsAgainst", "shotAttemptsFor", "reboundsFor", "highDangerShotsAgainst"]
    joined = frames.players.join(
        frames.teams.select("team", "situation", *columns),
        left_on=["playerTeam", "situation"], right_on=["team", "situation"], suffix="_team",
    )
    for column in columns:
        assert (joined[column] == joined[f"{column}_team"]).all(), column


@pytest.mark.parametrize("game_id", GAME_IDS)
def test_team_rows_mirror_each_other(frames_by_game, game_id):
    teams = frames_by_game[game_id].teams
    mirror = {"all": "all", "5on5": "5on5", "5on4": "4on5", "4on5": "5on4"}
    for row in teams.iter_rows(named=True):
        other = teams.filter(
            (pl.col("team") == row["opposingTeam"]) & (pl.col("situation") == mirror[row["situation"]])
        ).row(0, named=True)
        # (not blockedShotAttempts: the opponent's teammate-blocked attempts are no blocks of this team)
        for column in ("shotsOnGoal", "goals", "shotAttempts", "unblockedShotAttempts", "rebounds", "hits",
                       "faceOffsWon"):
            assert row[f"{column}For"] == other[f"{column}Against"], (row["situation"], column)


@pytest.mark.parametrize("game_id", GAMES_WITH_SHIFTS)
def test_on_ice_goals_reproduce_plus_minus(frames_by_game, boxscores, game_id):
    """Official +/- = on-ice goals for minus against, excluding power-play goals for and against.

    It checks the on-ice attribution (goals use the shift that ends at the goal's second).
    """
    players = frames_by_game[game_id].players
    wide = players.group_by("playerId").agg(
        *(pl.col(c).filter(pl.col("situation") == s).first().alias(f"{c}_{s}")
          for c in ("OnIce_F_goals", "OnIce_A_goals") for s in SITUATIONS)
    )
    merged = boxscore_skaters(boxscores[game_id]).join(wide, on="playerId")
    computed = (pl.col("OnIce_F_goals_all") - pl.col("OnIce_F_goals_5on4")) - (
        pl.col("OnIce_A_goals_all") - pl.col("OnIce_A_goals_4on5")
    )
    wrong = merged.filter(computed != pl.col("plusMinus"))
    # empty-net power-play goals are outside the 5on4 bucket (goalie pulled), which may leave a few
    assert wrong.height == 0, wrong.select("playerId", "plusMinus", computed.alias("computed"))


def test_sample_loader_gives_fresh_copies():
    assert load_json("boxscore_2024020001.json") is not load_json("boxscore_2024020001.json")
