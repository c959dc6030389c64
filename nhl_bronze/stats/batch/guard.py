"""Per-game guards of the batch: decoding a game's bodies, turning malformed input into an error naming it,
and walking the games the batch path flagged one by one.

Bodies may be decoded dicts or JSON bytes (from the raw store or the API): bytes are decoded here, in the
process that parses, and a body that is not JSON fails its game only.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from typing import TypeVar

import orjson

from nhl_bronze.domain.games import classify_schedule_game
from nhl_bronze.stats.errors import GameParseError
from nhl_bronze.stats.model import GameInput

T = TypeVar("T")
R = TypeVar("R")
_MALFORMED = (KeyError, TypeError, ValueError, AttributeError, IndexError)


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


def walk_flagged(games: Iterable[tuple[int, T]], walk: Callable[[int, T], R],
                 failures: list[tuple[int, GameParseError]]) -> dict[int, R]:
    """``walk(gi, game)`` of each game the batch path flagged (gi -> result); a failing game goes to ``failures``."""
    walked: dict[int, R] = {}
    for gi, game in games:
        try:
            walked[gi] = walk(gi, game)
        except GameParseError as error:
            failures.append((gi, error))
    return walked


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


def decoded_input(game: GameInput, play_by_play: dict | None = None) -> GameInput:
    """``game`` with play-by-play and boxscore as dicts; GameParseError naming the game if one is not a dict.

    ``play_by_play``: the play-by-play already decoded (``plays.typed_play_by_play``), used instead of its body.
    """
    game_id = game_id_for_message(game)
    game = dataclasses.replace(
        game,
        play_by_play=play_by_play if play_by_play is not None else decoded_body(game_id, "play-by-play",
                                                                                game.play_by_play),
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
