"""Pure statistics: play-by-play + shift chart + boxscore + schedule entry -> bronze polars frames.

Public API (other modules rely on it exactly)::

    from nhl_bronze.stats import (
        GameInput, GameFrames, compute_game_frames, compute_many, compute_batch, BatchResult, is_countable_game,
    )

Module map (one concern each): ``clock`` (MM:SS), ``situations`` (strength-state rule), ``danger`` (shot
danger on normalised coordinates), ``roster`` (who plays for whom), ``shifts`` (the shift rules, per game) and,
in ``batch``: ``walk`` (a batch -> flat frames + failures), ``guard`` (decoding bodies, errors naming the game,
flagged games walked one by one), one module per input, ``plays`` / ``shift_charts`` (its schema, typed msgspec
decoder, batch rules and per-game walk, the reference), ``decode`` (what they share), ``rosters`` (the game
headers as frames, whether a chart is usable), ``indicators`` (every counted statistic, declared once),
``events`` (credited side and the indicator columns), ``timeline`` (situation segments),
``ice_time``, ``on_ice``, ``individual``, ``teams`` / ``players`` (the two tables), ``rollup`` (``all`` rows,
shares), ``compute`` (the plan), ``api`` (entry points). Column definitions: ``docs/DATA_DICTIONARY.md``.

Bodies may be dicts or JSON bytes. Only the game header (roster, teams) is read per game in Python; plays and
shift charts are decoded by strictly typed decoders and turned into rows for the whole batch with polars; a
game the vectorised path cannot read exactly like the per-game walk is walked (same rows, same error). Then one
polars plan computes all games of the batch (a per-game plan would be dominated by the overhead of ~100 tiny
joins). ``compute_game_frames`` is a batch of one: call ``compute_batch``/``compute_many`` with many games when
throughput matters.
"""

from nhl_bronze.stats.batch.api import BatchResult, compute_batch, compute_game_frames, compute_many, is_countable_game
from nhl_bronze.stats.errors import GameParseError
from nhl_bronze.stats.model import GameFrames, GameInput

__all__ = [
    "BatchResult",
    "GameFrames",
    "GameInput",
    "GameParseError",
    "compute_batch",
    "compute_game_frames",
    "compute_many",
    "is_countable_game",
]
