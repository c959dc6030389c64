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


def decode_situation(code: object, side: str) -> str | None:
    """Bucket of one ``situationCode`` for ``side`` ("home"/"away"); None = counted in ``all`` only."""
    if not isinstance(code, str) or len(code) != 4 or not code.isdigit():
        return None
    away_goalie, away_skaters, home_skaters, home_goalie = (int(c) for c in code)
    if away_goalie != 1 or home_goalie != 1:
        return None
    own, other = (home_skaters, away_skaters) if side == HOME else (away_skaters, home_skaters)
    if own == other:
        return EVEN if own == 5 else None
    return POWER_PLAY if own > other else SHORT_HANDED


def situation_expr(code: pl.Expr, side: str) -> pl.Expr:
    """Vectorised twin of :func:`decode_situation` (String column of codes -> String or null)."""
    valid = code.str.contains(r"^\d{4}$").fill_null(False)
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


def with_situations(frame: pl.DataFrame, code_column: str = "code") -> pl.DataFrame:
    """Add ``sit_home`` and ``sit_away`` (each team's own bucket, null = only ``all``)."""
    code = pl.col(code_column)
    return frame.with_columns(
        situation_expr(code, HOME).alias("sit_home"),
        situation_expr(code, AWAY).alias("sit_away"),
    )


def own_situation(side_column: str) -> pl.Expr:
    """The bucket of the row's own side, picked from ``sit_home``/``sit_away``."""
    return pl.when(pl.col(side_column) == HOME).then(pl.col("sit_home")).otherwise(pl.col("sit_away"))


def situation_timeline(events: pl.DataFrame) -> pl.DataFrame:
    """Per period, the intervals [seg_start, seg_end) of constant ``situationCode``.

    A new state starts at the clock time of the first event that carries it. This is exact for
    penalties and goals (the penalty event still shows the old code, the faceoff at the same second the
    new one) and lags a little for penalty expiries and goalie pulls, which have no event of their own.
    The first segment of a period starts at 0 and the last one runs to the end of the period.
    ``game-end`` codes are meaningless (``0440``) and are ignored; the caller removes shootout events.
    """
    usable = events.filter(pl.col("type") != "game-end").sort("sort_order")
    changes = usable.filter(
        (pl.col("code") != pl.col("code").shift(1).over("period")).fill_null(True)
    ).select("period", "t", "code")
    return (
        changes.with_columns(
            seg_start=pl.when(pl.col("t") == pl.col("t").min().over("period"))
            .then(pl.lit(0, dtype=pl.Int32))
            .otherwise(pl.col("t")),
            seg_end=pl.col("t").shift(-1).over("period").fill_null(1_000_000),
        )
        # several code changes at the same second: the last one is the state that lasts
        .filter(pl.col("seg_end") > pl.col("seg_start"))
        .pipe(with_situations)
        .select("period", "seg_start", "seg_end", "sit_home", "sit_away")
    )
