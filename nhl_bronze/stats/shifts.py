"""Shift chart -> ice time, shift counts and on-ice attribution, per situation.

Only ``typeCode 517`` rows are shifts (``505`` rows are goal markers). ``startTime``/``endTime`` are
elapsed time in the period. Exact repeats of a shift (same player, period, start and end) are dropped.

Ice time: every shift [start, end) is split against the situation timeline (see
``situations.timeline_segments``), so a shift that spans the start of a power play gives its first
part to ``5on5`` and the rest to ``5on4``. ``all`` is the plain sum of shift lengths, which reproduces
the boxscore ``toi``. ``shifts`` counts a shift in the situation in force at its start (``all``: every
517 row).

On-ice: an event at clock time t is on-ice for a shift with start <= t < end (half-open, so an
on-the-fly change at the same second is not counted twice). Two deliberate exceptions:
* a goal stops play and the line on the ice is changed at that very second, so a goal at t is on-ice
  for shifts with start < t <= end (the players who were on the ice when it was scored; this is what
  the official plus/minus uses);
* an event at the very end of a period (t equal to the period's last shift end) is on-ice for the shifts
  ending then (otherwise nobody would be on the ice for it).
A player with two overlapping shift rows that both contain t is counted once per row.

Matching is a sweep, not a cross join: per period the skater shifts are sorted by start, and an event at t
can only be on-ice for shifts starting in [t - longest shift of the period, t].
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import NamedTuple

from nhl_bronze.stats.clock import clock_seconds
from nhl_bronze.stats.roster import GameContext
from nhl_bronze.stats.situations import ALL, SITUATIONS

SHIFT_TYPE_CODE = 517
_ROW_OFFSET = {sit: i for i, sit in enumerate(SITUATIONS) if sit != ALL}
ON_ICE_EVENT_TYPES = ("shot-on-goal", "missed-shot", "blocked-shot", "goal", "hit", "takeaway", "giveaway")


Shift = tuple[int, int, int, int]  # player_id, period, start, end (plain tuples: a chart has ~900 of them)


class SkaterShifts(NamedTuple):
    """The skaters' shifts of a usable chart and each period's last shift end (over all 517 rows)."""

    shifts: list[tuple[int, int, int, int, str]]  # player_id, period, start, end, side
    period_end: dict[int, int]


def extract_shifts(shift_chart: dict | None) -> list[Shift]:
    """All 517 rows (skaters and goalies) in chart order: player_id, period, start, end (seconds elapsed)."""
    if shift_chart is None:
        return []
    rows: dict[Shift, None] = {}
    for row in shift_chart["data"]:
        if row["typeCode"] != SHIFT_TYPE_CODE:
            continue
        # the stats API sometimes repeats a shift under the next shiftNumber (seen in 2024020022): the boxscore
        # counts it once, so exact repeats are dropped (first occurrence kept)
        rows[(int(row["playerId"]), int(row["period"]), clock_seconds(row["startTime"]),
              clock_seconds(row["endTime"]))] = None
    shifts = list(rows)
    if any(end < start for _, _, start, end in shifts):
        raise ValueError("a shift ends before it starts")
    return shifts


def skater_shifts(ctx: GameContext, shifts: list[Shift]) -> SkaterShifts | None:
    """The skaters' shifts with their side, or None when the chart is missing or incomplete.

    Incomplete = some skater the boxscore credits with ice time has no shift at all (the stats API
    publishes empty or partial charts for some games); then no shift-derived number is trustworthy.
    """
    if not shifts:
        return None
    covered = {shift[0] for shift in shifts}
    if any(s.boxscore_toi > 0 and s.player_id not in covered for s in ctx.skaters):
        return None
    period_end: dict[int, int] = {}
    for _, period, _, end in shifts:  # over every 517 row, goalies included
        if end > period_end.get(period, -1):
            period_end[period] = end
    side_of = {s.player_id: s.side for s in ctx.skaters}
    return SkaterShifts(
        [(pid, period, start, end, side_of[pid]) for pid, period, start, end in shifts if pid in side_of], period_end
    )


def ice_time(
    shifts: SkaterShifts, timeline: dict[int, list[tuple[int, int, str | None, str | None]]], index_of: dict[int, int]
) -> tuple[list[int], list[int]]:
    """(seconds, shift count) per output row: skater ``index_of[player_id]`` x SITUATIONS (``all`` first)."""
    seconds = [0] * (4 * len(index_of))
    count = [0] * (4 * len(index_of))
    layout = {}
    for period, segments in timeline.items():
        # ordered, disjoint segments (the normal case): only those from the one containing a shift's start
        # up to its end can matter, found by bisection; otherwise every segment of the period is visited
        ordered = all(segments[i][1] <= segments[i + 1][0] for i in range(len(segments) - 1))
        # buckets as row offsets (SITUATIONS order, 0 = none)
        indexed = [(a, b, _ROW_OFFSET.get(home), _ROW_OFFSET.get(away)) for a, b, home, away in segments]
        layout[period] = (indexed, [seg[1] for seg in segments] if ordered else None)
    for pid, period, start, end, side in shifts.shifts:
        base = index_of[pid] * 4
        seconds[base] += end - start
        count[base] += 1
        found = layout.get(period)
        if found is None:
            continue
        segments, seg_ends = found
        own = 2 if side == "home" else 3
        i = 0 if seg_ends is None else bisect_right(seg_ends, start)
        n = len(segments)
        while i < n:
            seg = segments[i]
            i += 1
            seg_start, seg_end = seg[0], seg[1]
            if seg_ends is not None and seg_start >= end and seg_start > start:
                break
            bucket = seg[own]
            if not bucket:
                continue
            row = base + bucket
            overlap = (end if end < seg_end else seg_end) - (start if start > seg_start else seg_start)
            if overlap > 0:
                seconds[row] += overlap
            if seg_start <= start < seg_end:
                count[row] += 1
    return seconds, count


def on_ice_players(shifts: SkaterShifts, events: list) -> Iterator[tuple[object, list[int], list[int]]]:
    """(event, home player ids, away player ids) per counted event: one id per skater shift on the ice at it."""
    by_period: dict[tuple[int, str], list[tuple[int, int, int]]] = {}
    for pid, period, start, end, side in shifts.shifts:
        by_period.setdefault((period, side), []).append((start, end, pid))
    index = {}
    for key, rows in by_period.items():
        rows.sort(key=lambda r: r[0])
        index[key] = ([r[0] for r in rows], rows, max(r[1] - r[0] for r in rows))
    period_end = shifts.period_end
    nobody: tuple = ((), (), 0)
    for ev in events:
        if ev.actor_side is None or ev.type not in ON_ICE_EVENT_TYPES:
            continue
        t, period = ev.t, ev.period
        on_ice = []
        for side in ("home", "away"):
            starts, rows, longest = index.get((period, side), nobody)
            candidates = rows[bisect_left(starts, t - longest):bisect_right(starts, t)]  # start in [t - longest, t]
            if ev.type == "goal":
                on_ice.append([pid for start, end, pid in candidates if start < t <= end])
            else:
                last_end = period_end.get(period)
                on_ice.append([pid for start, end, pid in candidates if t < end or (t == end and end == last_end)])
        yield ev, on_ice[0], on_ice[1]
