"""The one error type of the statistics module."""

from __future__ import annotations


class GameParseError(ValueError):
    """Input of one game is missing keys or has a malformed structure.

    The message always starts with ``game <id>:`` so that a pipeline log names the game to re-fetch.
    """

    def __init__(self, game_id: object, problem: str) -> None:
        self.game_id = game_id
        self.problem = problem
        super().__init__(f"game {game_id}: {problem}")
