"""Situation decoding: digits are [away goalie][away skaters][home skaters][home goalie]."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import polars as pl
import pytest

from nhl_bronze.stats.situations import decode_situation, situation_expr, timeline_segments

CASES = [
    # code, home bucket, away bucket
    ("1551", "5on5", "5on5"),
    ("1451", "5on4", "4on5"),  # away short-handed
    ("1541", "4on5", "5on4"),  # home short-handed
    ("1351", "5on4", "4on5"),  # 5 on 3 is a power play too
    ("1531", "4on5", "5on4"),
    ("1341", "5on4", "4on5"),  # 4 on 3
    ("1441", None, None),  # 4 on 4: only in "all"
    ("1331", None, None),  # 3 on 3 overtime
    ("1661", None, None),
    ("1560", None, None),  # home net empty
    ("1460", None, None),
    ("0651", None, None),  # away net empty (delayed penalty / extra attacker)
    ("0641", None, None),
    ("1010", None, None),  # shootout, home shooter
    ("0101", None, None),  # shootout, away shooter
    ("0440", None, None),  # game-end nonsense
    ("0660", None, None),
    ("", None, None),
    ("155", None, None),
    ("15511", None, None),
    ("15a1", None, None),
    (None, None, None),
]


@pytest.mark.parametrize(("code", "home", "away"), CASES)
def test_decode_situation(code, home, away):
    assert decode_situation(code, "home") == home
    assert decode_situation(code, "away") == away


def test_vectorised_rule_equals_scalar_rule_for_every_digit_pattern():
    codes = ["".join(d) for d in itertools.product("0123456789", repeat=4)] + ["", "12", "abcd", None]
    frame = pl.DataFrame({"code": codes}, schema={"code": pl.String}).with_columns(
        home=situation_expr(pl.col("code"), "home"), away=situation_expr(pl.col("code"), "away")
    )
    assert frame["home"].to_list() == [decode_situation(c, "home") for c in codes]
    assert frame["away"].to_list() == [decode_situation(c, "away") for c in codes]


def test_perspectives_are_mirrors():
    for digits in itertools.product("0123456789", repeat=4):
        code = "".join(digits)
        mirrored = code[::-1]  # swap goalies and skaters of the two teams
        assert decode_situation(code, "home") == decode_situation(mirrored, "away")


def test_timeline_starts_each_period_at_zero_and_changes_at_the_first_event_with_the_new_code():
    rows = {
        "period": [1, 1, 1, 1, 1, 2, 2],
        "t": [0, 300, 300, 450, 1200, 10, 50],
        "type": ["faceoff", "penalty", "faceoff", "shot-on-goal", "period-end", "hit", "game-end"],
        "code": ["1551", "1551", "1451", "1551", "1551", "1441", "0440"],
    }
    # in sortOrder order
    events = [SimpleNamespace(**dict(zip(rows, values, strict=True))) for values in zip(*rows.values(), strict=True)]
    timeline = timeline_segments(events)
    assert [(period, start, end, home) for period, segs in timeline.items() for start, end, home, _ in segs] == [
        (1, 0, 300, "5on5"),
        (1, 300, 450, "5on4"),
        (1, 450, 1_000_000, "5on5"),
        (2, 0, 1_000_000, None),  # 4 on 4 from the period start; the game-end code is ignored
    ]
