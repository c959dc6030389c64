"""Pure statistics: play-by-play + shift chart + boxscore + schedule entry -> bronze polars frames.

Public API (other modules rely on it exactly)::

    from nhl_bronze.stats import GameInput, GameFrames, compute_game_frames, compute_many, is_countable_game

Module map (one concern each): ``clock`` (MM:SS), ``situations`` (strength-state rule and timeline),
``danger`` (shot danger on normalised coordinates), ``roster`` (who plays for whom), ``events``
(play-by-play -> credited events), ``shifts`` (ice time and on-ice), ``teams`` / ``players`` (the two
tables), ``game`` (validation and orchestration). Column definitions: ``docs/DATA_DICTIONARY.md``.
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
