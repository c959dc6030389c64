"""Pure statistics: play-by-play + shift chart + boxscore + schedule entry -> bronze polars frames.

Public API (other modules rely on it exactly)::

    from nhl_bronze.stats import GameInput, GameFrames, compute_game_frames, compute_many, is_countable_game

Module map (one concern each): ``clock`` (MM:SS), ``situations`` (strength-state rule and timeline),
``danger`` (shot danger on normalised coordinates), ``roster`` (who plays for whom), ``events``
(play-by-play -> credited events), ``shifts`` (ice time and on-ice), ``teams`` / ``players`` (the two
tables), ``frames`` (column lists -> one polars frame per table), ``game`` (validation and orchestration).
Column definitions: ``docs/DATA_DICTIONARY.md``.

A game is computed in plain Python (a few hundred events, ~900 shifts: far cheaper than a polars plan of
many tiny joins) and each table is built as one frame; ``compute_many`` builds one frame for all games.
"""

from nhl_bronze.stats.errors import GameParseError
from nhl_bronze.stats.game import compute_game_frames, compute_many, is_countable_game
from nhl_bronze.stats.model import GameFrames, GameInput

__all__ = [
    "GameFrames",
    "GameInput",
    "GameParseError",
    "compute_game_frames",
    "compute_many",
    "is_countable_game",
]
