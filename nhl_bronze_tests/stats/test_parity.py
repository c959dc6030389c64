import copy
import json

import polars as pl
import pytest

from nhl_bronze.stats import GameInput, GameParseError, compute_many
from nhl_bronze.stats.parity import boxscore_totals, parity_mismatches, totals_frame
from nhl_bronze_tests.support import SAMPLES


def load(kind: str, game_id: int):
    path = SAMPLES / f"{kind}_{game_id}.json"
    return json.loads(path.read_text()) if path.exists() else None


def boxscore_mismatches(games, players: pl.DataFrame, teams: pl.DataFrame) -> list[str]:
    """What the pipeline does (``pipeline.parse``): each game's boxscore totals, then one comparison."""
    expected = totals_frame([row for game_id, game in games for row in boxscore_totals(game_id, game.boxscore)])
    return parity_mismatches(expected, players, teams)


def sample_games():
    for game_id in (2024020001, 2024020009, 2024020022, 2025030123):
        boxscore = load("boxscore", game_id)
        header = {"id": game_id, "season": boxscore["season"], "gameType": boxscore["gameType"],
                  "gameState": boxscore["gameState"], "awayTeam": boxscore["awayTeam"],
                  "homeTeam": boxscore["homeTeam"]}
        yield game_id, GameInput(
            pl.Series([boxscore["gameDate"]]).str.to_date()[0], header, load("play-by-play", game_id), boxscore,
            load("shiftcharts", game_id),
        )


def test_real_games_agree_with_their_boxscores():
    games = list(sample_games())
    frames = compute_many(game for _, game in games)
    assert boxscore_mismatches(games, frames.players, frames.teams) == []


def test_a_missing_goal_is_reported_with_game_team_and_stat():
    games = list(sample_games())[:1]
    frames = compute_many(game for _, game in games)
    first_scorer = frames.players.filter(pl.col("situation") == "all", pl.col("I_F_goals") > 0).row(0, named=True)
    broken = frames.players.with_columns(
        pl.when(pl.col("playerId") == first_scorer["playerId"]).then(pl.col("I_F_goals") - 1)
        .otherwise(pl.col("I_F_goals")).alias("I_F_goals")
    )

    problems = boxscore_mismatches(games, broken, frames.teams)

    assert len(problems) == 1
    assert problems[0].startswith(f"game 2024020001 {first_scorer['playerTeam']} goals: ours ")


@pytest.mark.parametrize(
    ("break_it", "problem"),
    [
        (lambda box: box.pop("awayTeam"), "missing key 'awayTeam'"),  # KeyError
        (lambda box: box.update(homeTeam=None), "TypeError"),
        (lambda box: box["playerByGameStats"]["awayTeam"]["forwards"][0].update(goals="two"), "ValueError"),
        (lambda box: box.update(playerByGameStats=[]), "AttributeError"),
    ],
)
def test_an_unreadable_boxscore_fails_naming_its_game(break_it, problem):
    game_id, game = next(sample_games())
    boxscore = copy.deepcopy(game.boxscore)
    break_it(boxscore)
    with pytest.raises(GameParseError, match=rf"^game {game_id}: boxscore totals unreadable \({problem}"):
        boxscore_totals(game_id, boxscore)
