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
    """Bucket of one ``situationCode`` for ``side`` ("home"/"away"); None = counted in ``all`` only.

    Exactly :func:`situation_expr` for one value: four ASCII digits or no bucket.
    """
    pair = situation_pair(code)
    return pair[0] if side == HOME else pair[1]


_PAIRS: dict[str, tuple[str | None, str | None]] = {}


def _decode_pair(code: object) -> tuple[str | None, str | None]:
    if not isinstance(code, str) or len(code) != 4 or not code.isascii() or not code.isdigit():
        return None, None
    away_goalie, away_skaters, home_skaters, home_goalie = (int(c) for c in code)
    if away_goalie != 1 or home_goalie != 1:
        return None, None
    if home_skaters == away_skaters:
        bucket = EVEN if home_skaters == 5 else None
        return bucket, bucket
    if home_skaters > away_skaters:
        return POWER_PLAY, SHORT_HANDED
    return SHORT_HANDED, POWER_PLAY


def situation_pair(code: object) -> tuple[str | None, str | None]:
    """(home bucket, away bucket) of one ``situationCode`` (memoised: a game has a handful of codes)."""
    if code is None or not isinstance(code, str):
        return None, None
    pair = _PAIRS.get(code)
    if pair is None:
        pair = _decode_pair(code)
        if len(_PAIRS) < 10_000:
            _PAIRS[code] = pair
    return pair


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


def timeline_segments(events: list) -> dict[int, list[tuple[int, int, str | None, str | None]]]:
    """Per period, the intervals [seg_start, seg_end) of constant ``situationCode`` with both sides' buckets.

    ``events`` are in ``sortOrder`` order with ``period``, ``t``, ``type`` and ``code`` attributes.
    A new state starts at the clock time of the first event that carries it. This is exact for
    penalties and goals (the penalty event still shows the old code, the faceoff at the same second the
    new one) and lags a little for penalty expiries and goalie pulls, which have no event of their own.
    The first segment of a period starts at 0 and the last one runs to the end of the period (1,000,000).
    Several code changes at the same second: the last one is the state that lasts (empty segments are
    dropped). ``game-end`` codes are meaningless (``0440``) and are ignored; the caller removes shootout
    events. A missing code always starts a new segment (with no bucket).
    """
    changes: dict[int, list[tuple[int, object]]] = {}
    last_code: dict[int, object] = {}
    for ev in events:
        kind = ev.type
        if kind is None or kind == "game-end":
            continue
        period, code = ev.period, ev.code
        if period not in last_code or code is None or last_code[period] is None or code != last_code[period]:
            changes.setdefault(period, []).append((ev.t, code))
        last_code[period] = code
    timeline: dict[int, list[tuple[int, int, str | None, str | None]]] = {}
    for period, rows in changes.items():
        first_t = min(t for t, _ in rows)
        segments = []
        for i, (t, code) in enumerate(rows):
            seg_start = 0 if t == first_t else t
            seg_end = rows[i + 1][0] if i + 1 < len(rows) else 1_000_000
            if seg_end > seg_start:
                segments.append((seg_start, seg_end, *situation_pair(code)))
        timeline[period] = segments
    return timeline
