"""The public entry points: validation per game, one batch computation for all games.

Every entry point goes through :func:`compute_batch`: each game is validated and flattened on its own
(``extract``), then all games are computed together (``compute``). A single game is a batch of one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import polars as pl

from nhl_bronze.contract import GAMES_HISTORICAL_SCHEMA, PLAYER_GAME_STATS_SCHEMA
from nhl_bronze.domain.games import classify_schedule_game
from nhl_bronze.stats.batch.compute import compute_tables, situation_timeline
from nhl_bronze.stats.batch.extract import BatchColumns, GameRows, game_rows
from nhl_bronze.stats.errors import GameParseError
from nhl_bronze.stats.model import GameFrames, GameInput


class BatchResult(NamedTuple):
    frames: GameFrames  # rows of every good game, in input order
    failures: list[tuple[GameInput, GameParseError]]  # the malformed games (they have no rows)


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
    """A game the bronze tables count: the domain rule (regular season or playoffs, played as scheduled, over)."""
    if not isinstance(schedule_game, dict):
        raise GameParseError("<unknown id>", f"schedule entry is a {type(schedule_game).__name__}, not a dict")
    # Which games count is a domain rule (nhl_bronze.domain.games), not restated here.
    return classify_schedule_game(schedule_game)[0] == "fetch"


def _rows(gi: int, game: GameInput) -> GameRows | None:
    """One game's flat rows; None for a game that does not count; GameParseError naming the game if malformed."""
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
        return game_rows(gi, game)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise GameParseError(game_id, f"malformed input ({type(exc).__name__}: {detail})") from exc


def _compute(batch: BatchColumns) -> GameFrames:
    return compute_tables(batch) if batch.tables["games"]["gi"] else empty_frames()


def compute_batch(games: Iterable[GameInput]) -> BatchResult:
    """All good games' rows (computed together) and the malformed games with their error.

    A malformed game never stops the others: it is reported in ``failures`` and has no rows.
    """
    batch, failures = BatchColumns(), []
    for gi, game in enumerate(games):
        try:
            rows = _rows(gi, game)
        except GameParseError as error:
            failures.append((game, error))
            continue
        if rows is not None:
            batch.add(rows)
    return BatchResult(_compute(batch), failures)


def compute_many(games: Iterable[GameInput]) -> GameFrames:
    """All games' rows concatenated (empty frames with the contract schema when there are none).

    Equal to concatenating ``compute_game_frames`` of each game. Raises GameParseError on the first
    malformed game (before anything is computed).
    """
    batch = BatchColumns()
    for gi, game in enumerate(games):
        rows = _rows(gi, game)
        if rows is not None:
            batch.add(rows)
    return _compute(batch)


def compute_game_frames(game: GameInput) -> GameFrames:
    """Player and team rows of one game; empty frames for a game that does not count (preseason, live …).

    Raises GameParseError (a ValueError) naming the game when an input is missing keys or malformed.
    """
    return compute_many([game])


def game_timeline(game: GameInput) -> pl.DataFrame:
    """One countable game's situation timeline: (period, segStart, segEnd, code, sitHome, sitAway) per segment.

    For inspection and tests (the tables use the same segments for ice time). Raises GameParseError like
    :func:`compute_game_frames`; a game that does not count has no segments.
    """
    batch = BatchColumns()
    rows = _rows(0, game)
    if rows is not None:
        batch.add(rows)
    return situation_timeline(batch).drop("gi") if rows is not None else pl.DataFrame()
