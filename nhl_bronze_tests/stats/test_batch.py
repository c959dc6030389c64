"""compute_batch: one polars plan for many games gives exactly the single-game rows; bad games fail alone."""

from __future__ import annotations

import copy
import dataclasses

import polars as pl

from nhl_bronze.contract import GAMES_HISTORICAL_SCHEMA, PLAYER_GAME_STATS_SCHEMA
from nhl_bronze.stats import GameParseError, compute_batch, compute_game_frames
from nhl_bronze_tests.stats.samples import GAME_IDS, game_input


def _real_games_and_variants():
    no_chart = dataclasses.replace(game_input(2024020009), shift_chart=None)
    live = dataclasses.replace(
        game_input(2024020022), schedule_game={**game_input(2024020022).schedule_game, "gameState": "LIVE"}
    )
    return [game_input(g) for g in GAME_IDS] + [no_chart, live, game_input(GAME_IDS[0])]


def test_batch_equals_concatenated_single_games_on_the_real_games():
    games = _real_games_and_variants()
    singles = [compute_game_frames(game) for game in games]
    result = compute_batch(games)
    assert result.failures == []
    assert result.frames.players.equals(pl.concat([f.players for f in singles]))
    assert result.frames.teams.equals(pl.concat([f.teams for f in singles]))
    assert result.frames.players.height == sum(f.players.height for f in singles) > 0


def test_a_malformed_game_fails_alone_and_is_named():
    good = [game_input(2024020009), game_input(2024020022)]
    broken = copy.deepcopy(game_input(2024020001).play_by_play)
    broken["plays"][5]["timeInPeriod"] = "5 minutes"
    bad = dataclasses.replace(game_input(2024020001), play_by_play=broken)
    result = compute_batch([good[0], bad, good[1]])
    assert [game for game, _ in result.failures] == [bad]
    error = result.failures[0][1]
    assert isinstance(error, GameParseError) and "2024020001" in str(error)
    expected = compute_batch(good).frames
    assert result.frames.players.equals(expected.players) and result.frames.teams.equals(expected.teams)


def test_empty_batch_and_batch_of_only_bad_games_have_the_contract_schema():
    bad = dataclasses.replace(game_input(2024020001), boxscore=[])
    for games in ([], [bad]):
        frames = compute_batch(games).frames
        assert frames.players.schema == PLAYER_GAME_STATS_SCHEMA and frames.players.height == 0
        assert frames.teams.schema == GAMES_HISTORICAL_SCHEMA and frames.teams.height == 0
    assert len(compute_batch([bad]).failures) == 1
