"""The shift-chart stage of a batch: every chart read and checked at once, flagged games walked one by one.

See ``shift_charts`` (the vectorised rules) and ``extract.shift_rows`` (the per-game walk, the reference): a
game the vectorised path flags or whose body it refuses is walked by ``shift_rows``, which gives the same
rows or fails the game with the same message as before.
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats.batch.decode import chart_rows
from nhl_bronze.stats.batch.extract import WalkedGame, shift_rows
from nhl_bronze.stats.batch.guard import decoded_body, game_id_for_message, guarded
from nhl_bronze.stats.batch.shift_charts import SHIFT_SCHEMA, batch_shift_rows
from nhl_bronze.stats.errors import GameParseError
from nhl_bronze.stats.model import GameInput


def _walked_shifts(game: GameInput, walked: WalkedGame, notes: list[str] | None = None) -> list[tuple]:
    """The per-game walk of one game's shift chart (the reference the vectorised path is checked against)."""
    game_id = game_id_for_message(game)
    chart = decoded_body(game_id, "shift chart", game.shift_chart)
    if not isinstance(chart, dict):
        raise GameParseError(game_id, f"shift chart is a {type(chart).__name__}, not a dict")
    return guarded(game_id, shift_rows, walked.gi, walked.ctx, chart, walked.game_seconds, notes)


def context_frames(walked: list[WalkedGame]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(gi, playerId) of the rosters, (gi, playerId, side) of the skaters, (gi, gameSeconds) of ``walked``."""
    players = pl.DataFrame(
        [(w.gi, pid) for w in walked for pid in w.ctx.side_of_player], schema={"gi": pl.Int32, "playerId": pl.Int64},
        orient="row",
    )
    skater_sides = pl.DataFrame(
        [(w.gi, s.player_id, s.side) for w in walked for s in w.ctx.skaters],
        schema={"gi": pl.Int32, "playerId": pl.Int64, "side": pl.String}, orient="row",
    )
    game_seconds = pl.DataFrame({"gi": [w.gi for w in walked], "gameSeconds": [w.game_seconds for w in walked]},
                                schema={"gi": pl.Int32, "gameSeconds": pl.Int64})
    return players, skater_sides, game_seconds


def chart_shifts(charted: list[tuple[GameInput, WalkedGame]],
                 failures: list[tuple[int, GameParseError]], vectorised: bool,
                 repaired: list[tuple[int, str]] | None = None) -> pl.DataFrame:
    """Merged, checked shift rows of every game in ``charted``; its failing games appended to ``failures``, and
    the games whose chart a best-effort rule repaired (``stats.shifts.trim_crowded``) to ``repaired``."""
    if not vectorised:
        shifts, per_game = pl.DataFrame(schema=SHIFT_SCHEMA), {walked.gi for _, walked in charted}
    else:
        rows, refused = chart_rows([(walked.gi, game.shift_chart) for game, walked in charted])
        shifts, flagged = batch_shift_rows(rows, *context_frames([w for _, w in charted]))
        per_game = flagged | refused
    parts = [shifts]
    for game, walked in charted:
        if walked.gi in per_game:
            notes: list[str] = []
            try:
                rows = _walked_shifts(game, walked, notes)
            except GameParseError as error:
                failures.append((walked.gi, error))
                continue
            if repaired is not None:
                repaired += [(walked.gi, note) for note in notes]
            parts.append(pl.DataFrame(rows, schema=SHIFT_SCHEMA, orient="row"))
    return pl.concat(parts)
