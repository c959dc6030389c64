"""The public entry points: validation per game, one batch computation for all games.

Every entry point goes through :func:`compute_batch`: each game is validated and flattened (``walk``: each
game's header read on its own, plays and shift charts read and checked for the whole batch), then all games are
computed together (``compute``). A single game is a batch of one. :func:`reference_batch` is the plain per-game
walk of everything (``plays.walk_game``, ``shift_charts.shift_rows``), kept as the reference the batch path is
tested against.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import polars as pl

from nhl_bronze.contract import GAMES_HISTORICAL_SCHEMA, PLAYER_GAME_STATS_SCHEMA
from nhl_bronze.stats.batch.compute import compute_tables, situation_timeline
from nhl_bronze.stats.batch.decode import gc_paused
from nhl_bronze.stats.batch.guard import decoded_input, game_id_for_message, guarded, is_countable_game
from nhl_bronze.stats.batch.plays import EVENT_SCHEMA, events_frame, walk_game
from nhl_bronze.stats.batch.rosters import BatchFrames, Rosters, chart_is_usable, charted_seconds
from nhl_bronze.stats.batch.shift_charts import SHIFT_SCHEMA, shift_rows, shifts_frame
from nhl_bronze.stats.batch.walk import walk_batch
from nhl_bronze.stats.errors import GameParseError
from nhl_bronze.stats.model import GameFrames, GameInput
from nhl_bronze.stats.roster import GameContext

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


def _compute(frames: BatchFrames) -> GameFrames:
    return compute_tables(frames) if frames.games.height else empty_frames()


def compute_batch(games: Iterable[GameInput]) -> BatchResult:
    """All good games' rows (computed together) and the malformed games with their error.

    A malformed game never stops the others: it is reported in ``failures`` (in input order) and has no rows.
    Bodies may be dicts or JSON bytes.
    """
    with gc_paused():
        games = list(games)
        walked = walk_batch(games)
        return BatchResult(_compute(walked.frames), [(games[gi], error) for gi, error in walked.failures],
                           tuple((games[gi], note) for gi, note in walked.repaired_charts))


class _ReferenceGame(NamedTuple):
    ctx: GameContext
    events: list[tuple]
    shifts: list[tuple]
    repairs: list[str]  # what a best-effort rule repaired in the chart


def _reference_game(gi: int, game: GameInput) -> _ReferenceGame | None:
    """One game by the per-game walk; None for a game that does not count; GameParseError if malformed."""
    game = decoded_input(game)
    if not is_countable_game(game.schedule_game):
        return None
    game_id = game_id_for_message(game)
    walked = guarded(game_id, walk_game, gi, game)
    repairs: list[str] = []
    shifts = guarded(game_id, shift_rows, gi, walked.ctx, game.shift_chart, walked.game_seconds, repairs)
    return _ReferenceGame(walked.ctx, walked.events, shifts, repairs)


def _reference_frames(games: Iterable[GameInput], failures: list[tuple[GameInput, GameParseError]],
                      repaired: list[tuple[GameInput, str]] | None = None) -> BatchFrames:
    contexts, usable = [], set()
    events, shifts = [pl.DataFrame(schema=EVENT_SCHEMA)], [pl.DataFrame(schema=SHIFT_SCHEMA)]
    for gi, game in enumerate(games):
        try:
            walked = _reference_game(gi, game)
        except GameParseError as error:
            failures.append((game, error))
            continue
        if walked is None:
            continue
        contexts.append((gi, walked.ctx))
        events.append(events_frame(walked.events))
        chart = shifts_frame(walked.shifts)
        if chart_is_usable(walked.ctx, charted_seconds(chart).get(gi, {})):
            usable.add(gi)
            shifts.append(chart)
            if repaired is not None:
                repaired += [(game, note) for note in walked.repairs]
    return Rosters(contexts).batch_frames(set(), usable, pl.concat(events), pl.concat(shifts))


def reference_batch(games: Iterable[GameInput]) -> BatchResult:
    """:func:`compute_batch` by the plain per-game walk of every game: the reference for tests."""
    failures: list[tuple[GameInput, GameParseError]] = []
    repaired: list[tuple[GameInput, str]] = []
    frames = _compute(_reference_frames(games, failures, repaired))
    return BatchResult(frames, failures, tuple(repaired))


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
    failures: list[tuple[GameInput, GameParseError]] = []
    frames = _reference_frames([game], failures)
    if failures:
        raise failures[0][1]
    return situation_timeline(frames).drop("gi") if frames.games.height else pl.DataFrame()
