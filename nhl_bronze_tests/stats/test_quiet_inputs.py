"""Inputs that are wrong in quiet ways (issue 8): a game ends with correct rows or fails naming itself.

Each case is built from a real recorded game by the change the issue describes.
"""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from nhl_bronze.stats import GameParseError, compute_batch, compute_game_frames
from nhl_bronze_tests.stats.samples import game_input

GAME = 2024020001


def _home_skaters(game) -> list[dict]:
    return game.boxscore["playerByGameStats"]["homeTeam"]["forwards"]


def test_a_skater_missing_from_the_boxscore_keeps_his_rows(frames_by_game):
    game = game_input(GAME)
    dropped = _home_skaters(game).pop(0)  # the boxscore lost him; play-by-play and shift chart still have him
    frames = compute_game_frames(game)
    assert frames.players.height == frames_by_game[GAME].players.height == 4 * 36
    his = frames.players.filter(pl.col("playerId") == str(dropped["playerId"])).sort("situation")
    full = frames_by_game[GAME].players.filter(pl.col("playerId") == str(dropped["playerId"])).sort("situation")
    assert his.height == 4
    assert his["position"].to_list() == [dropped["position"]] * 4  # from rosterSpots positionCode
    his_all = his.filter(pl.col("situation") == "all").row(0, named=True)
    assert his_all["I_F_shotsOnGoal"] == dropped["sog"] and his_all["I_F_hits"] == dropped["hits"]
    assert his_all["icetime"] == full.filter(pl.col("situation") == "all")["icetime"].item()
    assert_frame_equal(his.drop("iceTimeRank"), full.drop("iceTimeRank"))


def test_overlapping_shift_rows_of_one_player_are_merged():
    game = game_input(GAME)
    player_id = _home_skaters(game)[0]["playerId"]
    chart = game.shift_chart
    copies = []
    for row in chart["data"]:
        if row["playerId"] == player_id and row["typeCode"] == 517:
            start, end = (int(v[:2]) * 60 + int(v[3:]) for v in (row["startTime"], row["endTime"]))
            if end - start > 2:  # a second row inside the real shift, as a buggy chart would repeat it
                start, end = start + 1, end - 1
                copies.append({**row, "startTime": f"{start // 60:02d}:{start % 60:02d}",
                               "endTime": f"{end // 60:02d}:{end % 60:02d}", "shiftNumber": row["shiftNumber"] + 100})
    assert len(copies) > 10
    chart["data"] += copies
    frames = compute_game_frames(game)
    expected = compute_game_frames(game_input(GAME))
    assert_frame_equal(frames.players, expected.players)  # not 2x his ice time, shifts or on-ice counts


def test_seven_skaters_on_one_side_keep_the_game_with_best_effort_ice_time_and_name_it():
    """Issue 21: a chart putting every home skater on the ice at 10:00 of period 2 used to keep the game out of
    history for good. Its event statistics land; ice time comes from the best-effort rule (the chart's extra
    shifts are cut so that at most six skaters a side are on the ice); the repair names the game and moment."""
    game = game_input(GAME)
    home_ids = [row["playerId"] for group in ("forwards", "defense")
                for row in game.boxscore["playerByGameStats"]["homeTeam"][group]]
    template = next(r for r in game.shift_chart["data"] if r["typeCode"] == 517)
    game.shift_chart["data"] += [
        {**template, "playerId": pid, "period": 2, "startTime": "10:00", "endTime": "10:05"} for pid in home_ids
    ]
    result = compute_batch([game, game_input(2024020009)])
    assert result.failures == [] and result.frames.teams.height == 16  # 2 games x 2 teams x 4 situations
    [(repaired_game, note)] = result.repaired_charts
    assert repaired_game is game
    assert "home team has 7 skaters" in note and "period 2 at 10:00" in note

    clean = compute_game_frames(game_input(GAME)).players.filter(pl.col("situation") == "all")
    crowded = result.frames.players.filter(pl.col("gameId") == GAME, pl.col("situation") == "all")
    individual = [c for c in clean.columns if c.startswith("I_F_")]
    both = clean.join(crowded, on="playerId", suffix="_crowded")
    # The event statistics are the clean chart's; the away side's ice time is untouched by the repair.
    assert all(both[c].equals(both[f"{c}_crowded"], check_names=False) for c in individual)
    away = both.filter(pl.col("home_or_away") == "AWAY")
    assert away["icetime"].equals(away["icetime_crowded"], check_names=False)
    # Every home skater has ice time, at most the 5 extra seconds the corrupted rows can add to his own.
    home = both.filter(pl.col("home_or_away") == "HOME")
    assert home["icetime_crowded"].is_not_null().all()
    assert ((home["icetime_crowded"] - home["icetime"]) <= 5).all()


def test_a_player_on_the_ice_longer_than_the_game_fails_it():
    game = game_input(GAME)
    template = next(r for r in game.shift_chart["data"] if r["typeCode"] == 517)
    game.shift_chart["data"].append({**template, "period": 3, "startTime": "00:00", "endTime": "99:00"})
    with pytest.raises(GameParseError, match=rf"2024020001.*player {template['playerId']} .*longer than the game"):
        compute_game_frames(game)


def test_a_shift_chart_player_on_neither_roster_fails_the_game():
    game = game_input(GAME)
    template = next(r for r in game.shift_chart["data"] if r["typeCode"] == 517)
    game.shift_chart["data"].append({**template, "playerId": 8999999})
    with pytest.raises(GameParseError, match=r"2024020001.*player 8999999 of the shift chart"):
        compute_game_frames(game)


def test_a_play_naming_a_player_on_neither_roster_fails_the_game():
    game = game_input(GAME)
    hit = next(p for p in game.play_by_play["plays"] if p["typeDescKey"] == "hit")
    hit["details"]["hittingPlayerId"] = 8999999
    with pytest.raises(GameParseError, match=r"2024020001.*player 8999999 \(hitter"):
        compute_game_frames(dataclasses.replace(game))
