"""Shot danger on coordinates normalised to the attacked net (it changes every period)."""

from __future__ import annotations

import polars as pl
import pytest

from nhl_bronze.stats.danger import attack_sign, danger_expr


@pytest.mark.parametrize(
    ("x", "y", "attacks_positive", "expected"),
    [
        (80, 0, True, "high"),  # 9 ft straight on, at the +89 net
        (-80, 0, False, "high"),  # the same shot at the -89 net
        (-80, 0, True, "low"),  # same spot but the shooter attacks the other net: 169 ft away
        (80, 5, True, "high"),
        (-80, -5, False, "high"),  # |y| is used, sign of y does not matter
        (60, 0, True, "medium"),  # 29 ft
        (-60, 10, False, "medium"),
        (85, 14, True, "low"),  # 14.6 ft but at 74 deg from straight on: too wide for medium
        (40, 0, True, "low"),  # 49 ft
        (95, 3, True, "low"),  # behind the net: angle > 90
        (54, 0, True, "medium"),  # exactly 35 ft
        (53.5, 0, True, "low"),  # 35.5 ft
        (79, 7.13, True, "medium"),  # 12.3 ft but 35.5 deg: just too wide for high
        (60, 20, True, "low"),  # 35.2 ft (29 deep, 20 wide)
        (None, 10, True, "medium"),  # missing coordinates
        (10, None, False, "medium"),
    ],
)
def test_classify(x, y, attacks_positive, expected):
    shot = pl.DataFrame({"x": [x], "y": [y], "sign": [1.0 if attacks_positive else -1.0]},
                        schema={"x": pl.Float64, "y": pl.Float64, "sign": pl.Float64})
    assert shot.select(danger_expr(pl.col("x"), pl.col("y"), pl.col("sign"))).item() == expected


def test_vectorised_danger_and_attack_direction_per_period():
    # home defends "left" -> home attacks +89, away attacks -89; flipped when home defends "right"
    shots = pl.DataFrame(
        {
            "side": ["home", "away", "home", "away", "home"],
            "home_defends": ["left", "left", "right", "right", None],
            "x": [80.0, -80.0, -80.0, 80.0, -82.0],
            "y": [2.0, -2.0, 2.0, 2.0, 0.0],
        }
    )
    result = shots.with_columns(
        sign=attack_sign(pl.col("side"), pl.col("home_defends"), pl.col("x"))
    ).with_columns(danger=danger_expr(pl.col("x"), pl.col("y"), pl.col("sign")))
    assert result["sign"].to_list() == [1.0, -1.0, -1.0, 1.0, -1.0]  # no side info: the nearer net
    assert result["danger"].to_list() == ["high"] * 5
