"""Shot danger buckets on coordinates normalised to the net the shooter attacks.

api-web coordinates are absolute rink coordinates (x in [-99, 99], y in [-42, 42]); the nets are at
x = -89 and x = +89. ``homeTeamDefendingSide`` (given on every play, it flips every period) tells which
net each team attacks: when the home team defends ``left`` it attacks the net at x = +89, the away team
the one at x = -89, and the other way round for ``right``. Without that field the nearer net is taken.

After mirroring so that the attacked net is at (+89, 0):
distance = hypot(89 - x, |y|), angle = atan2(|y|, 89 - x) in degrees (0 = straight on, 90 = goal line,
> 90 = from behind the net).
high: distance <= 15 ft and angle <= 35 deg; medium: distance <= 35 ft and angle <= 50 deg; else low.
Missing coordinates -> medium (the old system's convention).
"""

from __future__ import annotations

import math

import polars as pl

NET_X = 89.0
HIGH, MEDIUM, LOW = "high", "medium", "low"


def attack_sign(side: pl.Expr, home_defends: pl.Expr, x: pl.Expr) -> pl.Expr:
    """+1 if ``side`` attacks the net at x=+89, -1 if the one at x=-89."""
    home_attacks_positive = home_defends == "left"
    return (
        pl.when(home_defends.is_null() | ~home_defends.is_in(["left", "right"]))
        .then(pl.when(x < 0).then(-1.0).otherwise(1.0))
        .when((side == "home") == home_attacks_positive)
        .then(1.0)
        .otherwise(-1.0)
    )


def danger_expr(x: pl.Expr, y: pl.Expr, sign: pl.Expr) -> pl.Expr:
    """Bucket ("low"/"medium"/"high") of a shot at (x, y) by a team whose attack sign is ``sign``."""
    depth = NET_X - x * sign  # distance from the goal line towards centre ice
    lateral = y.abs()
    distance = (depth.pow(2) + lateral.pow(2)).sqrt()
    angle = pl.arctan2(lateral, depth) * (180.0 / math.pi)
    return (
        pl.when(x.is_null() | y.is_null())
        .then(pl.lit(MEDIUM))
        .when((distance <= 15.0) & (angle <= 35.0))
        .then(pl.lit(HIGH))
        .when((distance <= 35.0) & (angle <= 50.0))
        .then(pl.lit(MEDIUM))
        .otherwise(pl.lit(LOW))
    )
