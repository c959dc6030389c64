"""A batch of games -> the flat frames of its good games, and its malformed games with their error.

Each game's header and plays are walked in Python (``extract.walk_game``); the shift charts of all games are
then read and checked together as polars expressions (``shift_charts``), which is several times faster than
decoding and walking ~800 rows a game in Python. A game the vectorised path flags (a rule broken, or a value
it does not read exactly like the walk) goes through the per-game walk (``extract.shift_rows``): it then fails
with the same message as before, or gets the same rows. Every failure names its game; a malformed game never
stops the others.

Bodies may be decoded dicts or JSON bytes (from the raw store or the API): bytes are decoded here, in the
process that parses, and a body that is not JSON fails its game only.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from typing import NamedTuple, TypeVar

import orjson
import polars as pl

from nhl_bronze.domain.games import classify_schedule_game
from nhl_bronze.stats.batch.decode import chart_rows, narrow_play_by_play
from nhl_bronze.stats.batch.extract import BatchColumns, WalkedGame, chart_is_usable, shift_rows, walk_game, walked_rows
from nhl_bronze.stats.batch.shift_charts import SHIFT_SCHEMA, batch_shift_rows
from nhl_bronze.stats.errors import GameParseError
from nhl_bronze.stats.model import GameInput

T = TypeVar("T")
# The vectorised chart path has a fixed cost of a few dozen small polars operations (~2-3 ms): a batch of one or
# two games (the single-game API, tests) is walked game by game, which gives the same rows.
MIN_VECTORISED_CHARTS = 3
_MALFORMED = (KeyError, TypeError, ValueError, AttributeError, IndexError)


class WalkedBatch(NamedTuple):
    columns: BatchColumns  # games, skaters, sides and events of the good games (the shifts table stays empty)
    shifts: pl.DataFrame  # merged shift rows of the good games with a usable chart (SHIFT_SCHEMA)
    failures: list[tuple[int, GameParseError]]  # (gi, error) in batch order


def game_id_for_message(game: GameInput) -> object:
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


def guarded(game_id: object, step: Callable[..., T], *args: object) -> T:
    """``step(*args)`` with any sign of malformed input turned into a GameParseError naming the game."""
    try:
        return step(*args)
    except _MALFORMED as exc:
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise GameParseError(game_id, f"malformed input ({type(exc).__name__}: {detail})") from exc


def decoded_body(game_id: object, label: str, body: object) -> object:
    """A JSON body decoded (``orjson``; ``json`` for what only it accepts, e.g. NaN), anything else as it is."""
    if not isinstance(body, bytes | bytearray | memoryview):
        return body
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        try:
            return json.loads(bytes(body))
        except ValueError as exc:
            raise GameParseError(game_id, f"{label} is not valid JSON ({exc})") from exc


def decoded_input(game: GameInput, narrow: bool = False) -> GameInput:
    """``game`` with play-by-play and boxscore as dicts; GameParseError naming the game if one is not a dict.

    ``narrow``: play-by-play bytes keep only the keys the walk reads (``decode.narrow_play_by_play``).
    """
    game_id = game_id_for_message(game)
    pbp = game.play_by_play
    narrowed = narrow_play_by_play(pbp) if narrow and isinstance(pbp, bytes) else None
    game = dataclasses.replace(
        game, play_by_play=narrowed if narrowed is not None else decoded_body(game_id, "play-by-play", pbp),
        boxscore=decoded_body(game_id, "boxscore", game.boxscore),
    )
    game_id = game_id_for_message(game)
    for label, body in (("schedule entry", game.schedule_game), ("play-by-play", game.play_by_play),
                        ("boxscore", game.boxscore)):
        if not isinstance(body, dict):
            raise GameParseError(game_id, f"{label} is a {type(body).__name__}, not a dict")
    chart = game.shift_chart
    if chart is not None and not isinstance(chart, dict | bytes | bytearray | memoryview):
        raise GameParseError(game_id, f"shift chart is a {type(chart).__name__}, not a dict")
    return game


def walk_one(gi: int, game: GameInput) -> WalkedGame | None:
    """The walked game; None for a game that does not count; GameParseError naming the game if malformed."""
    if not is_countable_game(game.schedule_game):
        return None
    return guarded(game_id_for_message(game), walk_game, gi, game)


def _walked_shifts(game: GameInput, walked: WalkedGame) -> list[tuple]:
    """The per-game walk of one game's shift chart (the reference the vectorised path is checked against)."""
    game_id = game_id_for_message(game)
    chart = decoded_body(game_id, "shift chart", game.shift_chart)
    if not isinstance(chart, dict):
        raise GameParseError(game_id, f"shift chart is a {type(chart).__name__}, not a dict")
    return guarded(game_id, shift_rows, walked.gi, walked.ctx, chart, walked.game_seconds)


def _context_frames(walked: list[WalkedGame]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
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


def _chart_shifts(charted: list[tuple[GameInput, WalkedGame]],
                  failures: list[tuple[int, GameParseError]]) -> pl.DataFrame:
    """Merged, checked shift rows of every game in ``charted``; its failing games appended to ``failures``."""
    if len(charted) < MIN_VECTORISED_CHARTS:
        shifts, per_game = pl.DataFrame(schema=SHIFT_SCHEMA), {walked.gi for _, walked in charted}
    else:
        rows, refused = chart_rows([(walked.gi, game.shift_chart) for game, walked in charted])
        shifts, flagged = batch_shift_rows(rows, *_context_frames([w for _, w in charted]))
        per_game = flagged | refused
    parts = [shifts]
    for game, walked in charted:
        if walked.gi in per_game:
            try:
                rows = _walked_shifts(game, walked)
            except GameParseError as error:
                failures.append((walked.gi, error))
                continue
            parts.append(pl.DataFrame(rows, schema=SHIFT_SCHEMA, orient="row"))
    return pl.concat(parts)


def walk_batch(games: Iterable[GameInput]) -> WalkedBatch:
    """The good games' flat frames and the malformed games' errors (see the module docstring)."""
    failures: list[tuple[int, GameParseError]] = []
    walked_games: list[tuple[GameInput, WalkedGame]] = []
    for gi, game in enumerate(games):
        try:
            # the decoded bodies live only while their game is walked: a batch of them kept alive would make
            # every pass of the cyclic garbage collector walk millions of objects
            walked = walk_one(gi, decoded_input(game, narrow=True))
        except GameParseError as error:
            failures.append((gi, error))
            continue
        if walked is not None:
            walked_games.append((game, walked))
    shifts = _chart_shifts([(g, w) for g, w in walked_games if g.shift_chart is not None], failures)
    failed = {gi for gi, _ in failures}
    covered: dict[int, set[int]] = {}
    for gi, player_id in shifts.select("gi", "playerId").unique().iter_rows():
        covered.setdefault(gi, set()).add(player_id)
    columns, usable = BatchColumns(), []
    for _, walked in walked_games:
        if walked.gi in failed:
            continue
        is_usable = chart_is_usable(walked.ctx, covered.get(walked.gi, set()))
        columns.add(walked_rows(walked, is_usable, []))
        if is_usable:
            usable.append(walked.gi)
    shifts = shifts.filter(pl.col("gi").is_in(usable)).sort("gi", maintain_order=True)
    return WalkedBatch(columns, shifts, sorted(failures, key=lambda failure: failure[0]))
