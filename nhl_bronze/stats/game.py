"""One game in, its bronze rows out: validation, orchestration and the public entry points."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from nhl_bronze.contract import GAMES_HISTORICAL_SCHEMA, PLAYER_GAME_STATS_SCHEMA
from nhl_bronze.stats.errors import GameParseError
from nhl_bronze.stats.events import build_events
from nhl_bronze.stats.frames import TableColumns, build_frame
from nhl_bronze.stats.model import GameFrames, GameInput
from nhl_bronze.stats.players import player_columns
from nhl_bronze.stats.roster import build_context
from nhl_bronze.stats.shifts import extract_shifts, skater_shifts
from nhl_bronze.stats.situations import timeline_segments
from nhl_bronze.stats.teams import team_counts, team_table_columns

COUNTABLE_GAME_TYPES = (2, 3)  # regular season, playoffs
FINISHED_GAME_STATES = ("OFF", "FINAL")


def empty_frames() -> GameFrames:
    return GameFrames(
        players=pl.DataFrame(schema=PLAYER_GAME_STATS_SCHEMA),
        teams=pl.DataFrame(schema=GAMES_HISTORICAL_SCHEMA),
    )


def _game_id_for_message(game: GameInput) -> object:
    for body in (game.schedule_game, game.play_by_play, game.boxscore):
        if isinstance(body, dict) and body.get("id") is not None:
            return body["id"]
    return "<unknown id>"


def is_countable_game(schedule_game: dict) -> bool:
    """Regular-season or playoff game that is over (``gameState`` OFF or FINAL)."""
    if not isinstance(schedule_game, dict):
        raise GameParseError("<unknown id>", f"schedule entry is a {type(schedule_game).__name__}, not a dict")
    return (
        schedule_game.get("gameType") in COUNTABLE_GAME_TYPES
        and schedule_game.get("gameState") in FINISHED_GAME_STATES
    )


def _game_columns(game: GameInput) -> tuple[TableColumns, TableColumns] | None:
    """(player rows, team rows) of one game as columns; None for a game that does not count."""
    game_id = _game_id_for_message(game)
    for label, body in (("schedule entry", game.schedule_game), ("play-by-play", game.play_by_play),
                        ("boxscore", game.boxscore)):
        if not isinstance(body, dict):
            raise GameParseError(game_id, f"{label} is a {type(body).__name__}, not a dict")
    if game.shift_chart is not None and not isinstance(game.shift_chart, dict):
        raise GameParseError(game_id, f"shift chart is a {type(game.shift_chart).__name__}, not a dict")
    if not is_countable_game(game.schedule_game):
        return None
    try:
        ctx = build_context(game.game_date, game.schedule_game, game.play_by_play, game.boxscore)
        events = build_events(ctx, game.play_by_play)
        shifts = skater_shifts(ctx, extract_shifts(game.shift_chart))
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise GameParseError(game_id, f"malformed input ({type(exc).__name__}: {detail})") from exc
    # plain Python over a few hundred events and ~900 shifts; the frames are built by the caller
    counts = team_counts(events)
    timeline = timeline_segments(events) if shifts is not None else {}
    return player_columns(ctx, events, counts, shifts, timeline), team_table_columns(ctx, counts)


def compute_game_frames(game: GameInput) -> GameFrames:
    """Player and team rows of one game; empty frames for a game that does not count (preseason, live …).

    Raises GameParseError (a ValueError) naming the game when an input is missing keys or malformed.
    """
    columns = _game_columns(game)
    if columns is None:
        return empty_frames()
    players, teams = columns
    return GameFrames(
        players=build_frame([players], PLAYER_GAME_STATS_SCHEMA), teams=build_frame([teams], GAMES_HISTORICAL_SCHEMA)
    )


def compute_many(games: Iterable[GameInput]) -> GameFrames:
    """All games' rows concatenated (empty frames with the contract schema when there are none).

    Equal to concatenating ``compute_game_frames`` of each game, but each table is built once for all games,
    which saves the per-game frame construction (~1-2 ms a game). Raises on the first malformed game.
    """
    parts = [columns for columns in map(_game_columns, games) if columns is not None]
    if not parts:
        return empty_frames()
    return GameFrames(
        players=build_frame([p for p, _ in parts], PLAYER_GAME_STATS_SCHEMA),
        teams=build_frame([t for _, t in parts], GAMES_HISTORICAL_SCHEMA),
    )
