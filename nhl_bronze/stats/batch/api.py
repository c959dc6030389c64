"""The public entry points: validation per game, one batch computation for all games.

Every entry point goes through :func:`compute_batch`: each game is validated and flattened (``walk``: per-game
walk of header and plays, shift charts read and checked for the whole batch), then all games are computed
together (``compute``). A single game is a batch of one. :func:`reference_batch` is the plain per-game walk of
everything (``extract.game_rows``), kept as the reference the batch path is tested against.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import polars as pl

from nhl_bronze.contract import GAMES_HISTORICAL_SCHEMA, PLAYER_GAME_STATS_SCHEMA
from nhl_bronze.stats.batch.compute import compute_tables, situation_timeline
from nhl_bronze.stats.batch.extract import BatchColumns, GameRows, game_rows
from nhl_bronze.stats.batch.guard import decoded_input, game_id_for_message, guarded, is_countable_game
from nhl_bronze.stats.batch.walk import walk_batch
from nhl_bronze.stats.errors import GameParseError
from nhl_bronze.stats.model import GameFrames, GameInput

__all__ = ["BatchResult", "compute_batch", "compute_game_frames", "compute_many", "game_timeline",
           "is_countable_game", "reference_batch"]


class BatchResult(NamedTuple):
    frames: GameFrames  # rows of every good game, in input order
    failures: list[tuple[GameInput, GameParseError]]  # the malformed games (they have no rows)
    # good games whose shift chart a best-effort rule repaired (``stats.shifts.trim_crowded``), with what it did
    repaired_charts: tuple[tuple[GameInput, str], ...] = ()


def empty_frames() -> GameFrames:
    return GameFrames(
        players=pl.DataFrame(schema=PLAYER_GAME_STATS_SCHEMA),
        teams=pl.DataFrame(schema=GAMES_HISTORICAL_SCHEMA),
    )


def _compute(batch: BatchColumns, shifts: pl.DataFrame | None = None, events: pl.DataFrame | None = None) -> GameFrames:
    return compute_tables(batch, shifts, events) if batch.tables["games"]["gi"] else empty_frames()


def compute_batch(games: Iterable[GameInput]) -> BatchResult:
    """All good games' rows (computed together) and the malformed games with their error.

    A malformed game never stops the others: it is reported in ``failures`` (in input order) and has no rows.
    Bodies may be dicts or JSON bytes.
    """
    games = list(games)
    walked = walk_batch(games)
    frames = _compute(walked.columns, walked.shifts, walked.events)
    return BatchResult(frames, [(games[gi], error) for gi, error in walked.failures],
                       tuple((games[gi], note) for gi, note in walked.repaired_charts))


def _rows(gi: int, game: GameInput) -> GameRows | None:
    """One game's flat rows by the per-game walk; None for a game that does not count; GameParseError if malformed."""
    game = decoded_input(game)
    if not is_countable_game(game.schedule_game):
        return None
    return guarded(game_id_for_message(game), game_rows, gi, game)


def reference_batch(games: Iterable[GameInput]) -> BatchResult:
    """:func:`compute_batch` by the plain per-game walk (no vectorised shift charts): the reference for tests."""
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
    malformed game (and then returns no rows at all).
    """
    result = compute_batch(games)
    if result.failures:
        raise result.failures[0][1]
    return result.frames


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
