"""The play stage of a batch: every typed play read into event rows at once, flagged games walked one by one.

See ``plays`` (the vectorised rules) and ``extract.event_rows`` (the per-game walk, the reference): a game the
vectorised path flags is walked by ``extract.walk_game``, which gives the same rows or fails the game with
the same message as before.
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats.batch.extract import WalkedGame, walk_game
from nhl_bronze.stats.batch.guard import decoded_input, game_id_for_message, guarded
from nhl_bronze.stats.batch.plays import PlayColumns, batch_event_rows
from nhl_bronze.stats.errors import GameParseError
from nhl_bronze.stats.model import GameInput
from nhl_bronze.stats.roster import GameContext
from nhl_bronze.stats.situations import AWAY, HOME


def _context_frames(fast: list[tuple[GameInput, int, GameContext]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    team_ids = pl.DataFrame(
        [(gi, ctx.team_id[HOME], ctx.team_id[AWAY]) for _, gi, ctx in fast],
        schema={"gi": pl.Int32, "homeId": pl.Int64, "awayId": pl.Int64}, orient="row",
    )
    players = pl.DataFrame(
        [(gi, pid) for _, gi, ctx in fast for pid in ctx.side_of_player],
        schema={"gi": pl.Int32, "playerId": pl.Int64}, orient="row",
    )
    return team_ids, players


def event_stage(fast: list[tuple[GameInput, int, GameContext]], plays: PlayColumns,
                failures: list[tuple[int, GameParseError]]) -> tuple[pl.DataFrame, list[tuple[GameInput, WalkedGame]]]:
    """(event rows of the games read at once; every game of ``fast`` walked, in ``fast`` order).

    ``fast``: (game, gi, roster context) of the games whose plays are in ``plays``. A walked game read at once
    has no event tuples (its rows are in the frame); a flagged one is walked in Python (its rows are tuples),
    or its failure is appended to ``failures``.
    """
    events, game_seconds, flagged = batch_event_rows(plays.frame(), *_context_frames(fast))
    seconds_of = dict(game_seconds.iter_rows())
    walked: list[tuple[GameInput, WalkedGame]] = []
    for game, gi, ctx in fast:
        if gi not in flagged:
            walked.append((game, WalkedGame(gi, ctx, [], seconds_of.get(gi, 0))))
            continue
        try:
            decoded = decoded_input(game, narrow=True)
            walked.append((game, guarded(game_id_for_message(decoded), walk_game, gi, decoded)))
        except GameParseError as error:
            failures.append((gi, error))
    return events, walked
