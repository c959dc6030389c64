"""Game situation (strength state) from the play-by-play ``situationCode``, seen from one team's side.

``situationCode`` is four digits: [away goalie][away skaters][home skaters][home goalie]
(e.g. ``1451`` = away team short-handed, home on the power play; ``1560`` = home net empty).

Rule, from the perspective of the row's own team (never copied from the event owner):

* ``5on5``: exactly 5 skaters a side and both goalies in net.
* ``5on4``: own team has more skaters than the opponent and both goalies in net: every power play
  (5v4, 5v3, 4v3, ...).
* ``4on5``: the mirror of ``5on4`` (own team short-handed), both goalies in net.
* Everything else (4v4, 3v3 overtime, 6v6, any empty net incl. the delayed-penalty extra attacker,
  the shootout codes ``1010``/``0101``, a missing or malformed code) has no bucket: such events and
  such ice time count only in ``all``.

``all`` is not a code: every counted event and every second of ice time is in ``all`` as well.
Shootout events (periodType ``SO``) are removed before any of this (they count nowhere).
"""

from __future__ import annotations

import polars as pl

ALL = "all"
EVEN = "5on5"
POWER_PLAY = "5on4"
SHORT_HANDED = "4on5"
SITUATIONS = (ALL, EVEN, POWER_PLAY, SHORT_HANDED)
HOME, AWAY = "home", "away"


def situation_expr(code: pl.Expr, side: str) -> pl.Expr:
    """Bucket of each ``situationCode`` seen from ``side`` ("home"/"away"): String column -> String or null.

    Four ASCII digits or no bucket.
    """
    valid = code.str.contains(r"^[0-9]{4}$").fill_null(False)
    away_goalie = code.str.slice(0, 1)
    home_goalie = code.str.slice(3, 1)
    away_sk = code.str.slice(1, 1).cast(pl.Int32, strict=False)
    home_sk = code.str.slice(2, 1).cast(pl.Int32, strict=False)
    own, other = (home_sk, away_sk) if side == HOME else (away_sk, home_sk)
    goalies_in = (away_goalie == "1") & (home_goalie == "1")
    return (
        pl.when(~valid | ~goalies_in)
        .then(pl.lit(None, dtype=pl.String))
        .when((own == 5) & (other == 5))
        .then(pl.lit(EVEN))
        .when(own > other)
        .then(pl.lit(POWER_PLAY))
        .when(own < other)
        .then(pl.lit(SHORT_HANDED))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
