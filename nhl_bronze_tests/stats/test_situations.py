"""Situation decoding: digits are [away goalie][away skaters][home skaters][home goalie]."""

from __future__ import annotations

import itertools

import polars as pl
import pytest

from nhl_bronze.stats.batch.timeline import timeline_segments
from nhl_bronze.stats.situations import situation_expr


def decode(codes: list[str | None]) -> list[tuple[str | None, str | None]]:
    """(home bucket, away bucket) of each code, through the vectorised rule."""
    frame = pl.DataFrame({"code": codes}, schema={"code": pl.String}).select(
        home=situation_expr(pl.col("code"), "home"), away=situation_expr(pl.col("code"), "away")
    )
    return list(frame.iter_rows())

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
    assert decode([code]) == [(home, away)]


def test_non_ascii_digits_have_no_bucket():
    assert decode(["1\u0665\u06651", "\uff11\uff15\uff15\uff11"]) == [(None, None), (None, None)]


def test_perspectives_are_mirrors():
    codes = ["".join(d) for d in itertools.product("0123456789", repeat=4)]
    decoded = dict(zip(codes, decode(codes), strict=True))
    for code, (home, away) in decoded.items():
        mirrored = code[::-1]  # swap goalies and skaters of the two teams
        assert decoded[mirrored] == (away, home)


def test_without_a_chart_the_timeline_changes_at_the_first_event_with_the_new_code():
    rows = {
        "gi": [0] * 7,
        "period": [1, 1, 1, 1, 1, 2, 2],
        "t": [0, 300, 300, 450, 1200, 10, 50],
        "type": ["faceoff", "penalty", "faceoff", "shot-on-goal", "period-end", "hit", "game-end"],
        "code": ["1551", "1551", "1451", "1551", "1551", "1441", "0440"],
    }
    # in sortOrder order
    events = pl.LazyFrame(rows).with_row_index("sortOrder").with_columns(
        sitHome=situation_expr(pl.col("code"), "home"), sitAway=situation_expr(pl.col("code"), "away")
    )
    timeline = timeline_segments(events).collect()
    assert timeline.select("period", "segStart", "segEnd", "sitHome").rows() == [
        (1, 0, 300, "5on5"),
        (1, 300, 450, "5on4"),
        (1, 450, 1_000_000, "5on5"),
        (2, 0, 1_000_000, None),  # 4 on 4 from the period start; the game-end code is ignored
    ]


def test_timeline_missing_codes_and_same_second_changes():
    rows = {
        "gi": [0, 0, 0, 0, 0, 1],
        "period": [1, 1, 1, 1, 1, 1],
        "t": [0, 100, 100, 200, 250, 0],
        "type": ["faceoff", "hit", "faceoff", "hit", "hit", "faceoff"],
        "code": ["1551", None, "1541", None, None, "1451"],
    }
    events = pl.LazyFrame(rows).with_row_index("sortOrder").with_columns(
        sitHome=situation_expr(pl.col("code"), "home"), sitAway=situation_expr(pl.col("code"), "away")
    )
    timeline = timeline_segments(events).collect()
    assert timeline.select("gi", "segStart", "segEnd", "sitHome").rows() == [
        (0, 0, 100, "5on5"),
        (0, 100, 200, "4on5"),  # the empty [100, 100) no-code segment is dropped: the last change lasts
        (0, 200, 250, None),  # a missing code always starts a new segment
        (0, 250, 1_000_000, None),
        (1, 0, 1_000_000, "5on4"),  # each game has its own timeline
    ]
