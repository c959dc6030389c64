"""A batch of games -> the flat frames of its good games, and its malformed games with their error.

Each game's header (roster, teams) is read in Python (``roster.build_context``) and the headers of all games
become frames once (``rosters``); its plays and its shift chart are decoded by strictly typed msgspec decoders
and turned into rows for all games at once with polars expressions (``plays``, ``shift_charts``), several
times faster than walking ~300 plays and ~800 shift rows a game in Python. A game the batch path flags (a
rule broken, or a value it does not read exactly like the walk) is walked on its own by the same module: it
then fails with the same message as before, or gets the same rows (a chart with more than six skaters of a side:
the rows the best-effort rule repaired, and a note in ``repaired_charts``). Every failure names its game; a
malformed game never stops the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from nhl_bronze.stats.batch.guard import decoded_input, game_id_for_message, guarded, is_countable_game
from nhl_bronze.stats.batch.plays import PlayColumns, play_events, typed_play_by_play
from nhl_bronze.stats.batch.rosters import BatchFrames, Rosters, chart_is_usable, charted_seconds
from nhl_bronze.stats.batch.shift_charts import chart_shifts
from nhl_bronze.stats.errors import GameParseError
from nhl_bronze.stats.model import GameInput
from nhl_bronze.stats.roster import GameContext, build_context


class WalkedBatch(NamedTuple):
    frames: BatchFrames  # the good games
    failures: list[tuple[int, GameParseError]]  # (gi, error) in batch order
    repaired_charts: list[tuple[int, str]]  # (gi, what the best-effort rule repaired) of the good games


def _read(gi: int, game: GameInput, plays: PlayColumns, flagged: set[int]) -> GameContext | None:
    """The game's roster context (None: it does not count); its typed plays go to ``plays``, else it is flagged."""
    typed = typed_play_by_play(game.play_by_play)
    # decoded bodies live only while their game is read: a batch of them kept alive would make every pass of the
    # cyclic garbage collector walk millions of objects
    decoded = decoded_input(game, play_by_play=typed)
    if not is_countable_game(decoded.schedule_game):
        return None
    ctx = guarded(game_id_for_message(decoded), build_context, decoded.game_date, decoded.schedule_game,
                  decoded.play_by_play, decoded.boxscore)
    if typed is None:
        flagged.add(gi)
    else:
        plays.add(gi, typed["plays"])
    return ctx


def walk_batch(games: Iterable[GameInput]) -> WalkedBatch:
    """The good games' flat frames and the malformed games' errors (see the module docstring)."""
    failures: list[tuple[int, GameParseError]] = []
    plays, flagged = PlayColumns(), set()
    read: list[tuple[int, GameInput, GameContext]] = []
    for gi, game in enumerate(games):
        try:
            ctx = _read(gi, game, plays, flagged)
        except GameParseError as error:
            failures.append((gi, error))
            continue
        if ctx is not None:
            read.append((gi, game, ctx))
    rosters = Rosters([(gi, ctx) for gi, _, ctx in read])
    events = play_events({gi: game for gi, game, _ in read}, plays, flagged, rosters, failures)
    failed = {gi for gi, _ in failures}
    charted = [(gi, game, ctx) for gi, game, ctx in read if gi not in failed and game.shift_chart is not None]
    repaired: list[tuple[int, str]] = []
    shifts = chart_shifts(charted, events.game_seconds, rosters, failures, repaired)
    seconds = charted_seconds(shifts)
    usable = {gi for gi, _, ctx in read if chart_is_usable(ctx, seconds.get(gi, {}))}
    failed = {gi for gi, _ in failures}
    frames = rosters.batch_frames(failed, usable, events.events, shifts)
    return WalkedBatch(frames, sorted(failures, key=lambda failure: failure[0]),
                       [(gi, note) for gi, note in sorted(repaired, key=lambda repair: repair[0])
                        if gi in usable - failed])
