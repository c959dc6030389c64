"""A batch of games -> the flat frames of its good games, and its malformed games with their error.

Each game's header (roster, teams) is read in Python (``roster.build_context``); its plays and its shift chart
are decoded by strictly typed msgspec decoders and turned into rows for all games at once with polars
expressions (``event_stage``/``plays``, ``chart_stage``/``shift_charts``), several times faster than walking
~300 plays and ~800 shift rows a game in Python. A game the vectorised path flags (a rule broken, or a value
it does not read exactly like the walk) is walked in Python (``extract``): it then fails with the same message
as before, or gets the same rows. Every failure names its game; a malformed game never stops the others.
Batches of fewer than ``MIN_VECTORISED_GAMES`` are walked game by game (same rows): the vectorised path's
fixed cost of a few dozen small polars operations is only repaid over several games.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import polars as pl

from nhl_bronze.stats.batch.chart_stage import chart_shifts
from nhl_bronze.stats.batch.decode import json_bytes
from nhl_bronze.stats.batch.event_stage import event_stage
from nhl_bronze.stats.batch.extract import BatchColumns, WalkedGame, chart_is_usable, walk_game, walked_rows
from nhl_bronze.stats.batch.guard import decoded_input, game_id_for_message, guarded, is_countable_game
from nhl_bronze.stats.batch.plays import PlayColumns, typed_play_by_play
from nhl_bronze.stats.errors import GameParseError
from nhl_bronze.stats.model import GameInput
from nhl_bronze.stats.roster import GameContext, build_context

MIN_VECTORISED_GAMES = 3


class WalkedBatch(NamedTuple):
    columns: BatchColumns  # games, skaters, sides of the good games; events of the games walked in Python
    events: pl.DataFrame | None  # event rows of the good games read at once (None: none were)
    shifts: pl.DataFrame  # merged shift rows of the good games with a usable chart (SHIFT_SCHEMA)
    failures: list[tuple[int, GameParseError]]  # (gi, error) in batch order
    repaired_charts: list[tuple[int, str]]  # (gi, what the best-effort rule repaired) of the good games


def _typed(play_by_play: object) -> dict | None:
    body = json_bytes(play_by_play) if isinstance(play_by_play, dict) else play_by_play
    return typed_play_by_play(body) if isinstance(body, bytes) else None


Walked = list[tuple[GameInput, WalkedGame]]
ToRead = list[tuple[GameInput, int, GameContext]]


def _read_games(games: list[GameInput], vectorised: bool, failures: list[tuple[int, GameParseError]],
                plays: PlayColumns) -> tuple[Walked, ToRead]:
    """(games walked in Python; games whose typed plays went to ``plays``, with their roster context)."""
    walked: Walked = []
    fast: ToRead = []
    for gi, game in enumerate(games):
        try:
            typed = _typed(game.play_by_play) if vectorised else None
            # decoded bodies live only while their game is read: a batch of them kept alive would make every
            # pass of the cyclic garbage collector walk millions of objects
            decoded = decoded_input(game, narrow=True, play_by_play=typed)
            if not is_countable_game(decoded.schedule_game):
                continue
            game_id = game_id_for_message(decoded)
            if typed is None:
                walked.append((game, guarded(game_id, walk_game, gi, decoded)))
                continue
            ctx = guarded(game_id, build_context, decoded.game_date, decoded.schedule_game, typed, decoded.boxscore)
        except GameParseError as error:
            failures.append((gi, error))
            continue
        plays.add(gi, typed["plays"])
        fast.append((game, gi, ctx))
    return walked, fast


def walk_batch(games: Iterable[GameInput]) -> WalkedBatch:
    """The good games' flat frames and the malformed games' errors (see the module docstring)."""
    games = list(games)
    vectorised = len(games) >= MIN_VECTORISED_GAMES
    failures: list[tuple[int, GameParseError]] = []
    plays = PlayColumns()
    walked_games, fast = _read_games(games, vectorised, failures, plays)
    events = None
    if fast:
        events, walked_fast = event_stage(fast, plays, failures)
        walked_games = sorted(walked_games + walked_fast, key=lambda pair: pair[1].gi)
    repaired: list[tuple[int, str]] = []
    shifts = chart_shifts([(g, w) for g, w in walked_games if g.shift_chart is not None], failures, vectorised,
                          repaired)
    failed = {gi for gi, _ in failures}
    charted: dict[int, dict[int, int]] = {}
    per_player = shifts.group_by("gi", "playerId").agg((pl.col("end") - pl.col("start")).sum().alias("seconds"))
    for gi, player_id, seconds in per_player.iter_rows():
        charted.setdefault(gi, {})[player_id] = seconds
    columns, usable = BatchColumns(), []
    for _, walked in walked_games:
        if walked.gi in failed:
            continue
        is_usable = chart_is_usable(walked.ctx, charted.get(walked.gi, {}))
        columns.add(walked_rows(walked, is_usable, []))
        if is_usable:
            usable.append(walked.gi)
    if events is not None:
        events = events.filter(~pl.col("gi").is_in(list(failed)))
    shifts = shifts.filter(pl.col("gi").is_in(usable)).sort("gi", maintain_order=True)
    return WalkedBatch(columns, events, shifts, sorted(failures, key=lambda failure: failure[0]),
                       [(gi, note) for gi, note in repaired if gi in usable])
