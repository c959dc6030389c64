"""One game's shift rows, made trustworthy before anything is computed from them.

* Overlapping rows of one player in one period are merged into one shift (a player cannot be on the ice
  twice at once; counting both rows would double his ice time). Rows that only touch (one ends at the
  second the next starts) stay two shifts, as the boxscore counts them.
* Then per game: no player is on the ice longer than the game lasted (a chart breaking this is wrong in a way
  that cannot be repaired here: the game fails, naming the player), and no side ever has more than six
  skaters on the ice (five plus an extra attacker). A chart that puts a seventh skater of a side on the ice is
  repaired by a best-effort rule (``trim_crowded``) instead of keeping the game out of history for good: the
  game lands, and the repair is reported as a warning naming the game, side, period and second.

Per-game Python like the rest of the JSON walk: a chart has ~800 rows, sorting them is microseconds.
"""

from __future__ import annotations

from collections import defaultdict

MAX_SKATERS_A_SIDE = 6

Shift = tuple[int, int, int, int]  # (playerId, period, start, end), clock seconds in the period


def merge_overlapping(shifts: list[Shift]) -> list[Shift]:
    """The shifts with every group of overlapping rows of one player and period replaced by their union."""
    by_player: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for player_id, period, start, end in shifts:
        by_player[(player_id, period)].append((start, end))
    merged: list[Shift] = []
    for (player_id, period), intervals in by_player.items():
        intervals.sort()
        current_start, current_end = intervals[0]
        for start, end in intervals[1:]:
            if start < current_end:  # overlaps (a row merely touching the previous one is a new shift)
                current_end = max(current_end, end)
            else:
                merged.append((player_id, period, current_start, current_end))
                current_start, current_end = start, end
        merged.append((player_id, period, current_start, current_end))
    return merged


def trim_crowded(shifts: list[Shift], side_of_skater: dict[int, str]) -> tuple[list[Shift], str | None]:
    """The best-effort rule for a chart with more than six skaters of a side on the ice (issue 21).

    When a skater comes on while six of his side are already on the ice, the shift of the skater who has been
    on the ice longest (earliest start; ties: the lowest player id) ends at that second: the chart most likely
    missed that player's change, and a shift left open is the usual way a chart overstates a crowd. A shift cut
    to nothing is dropped. Every other shift, and every goalie's, is kept as the chart has it.

    Returns the shifts (merged, as given) and None, or the repaired shifts and a note naming the first moment
    of crowding and how many shifts were cut.
    """
    events: list[tuple[int, str, int, int, int]] = []  # (period, side, second, +1 start / -1 end, shift index)
    for index, (player_id, period, start, end) in enumerate(shifts):
        side = side_of_skater.get(player_id)
        if side is not None and end > start:
            events += [(period, side, start, 1, index), (period, side, end, -1, index)]
    events.sort()  # per period and side, by second; at the same second ends (-1) before starts (+1)
    cut_at: dict[int, int] = {}
    first: str | None = None
    on_ice: dict[int, int] = {}  # shift index -> start, of the period and side being swept
    group = None
    for period, side, second, delta, index in events:
        if (period, side) != group:
            group, on_ice = (period, side), {}
        if delta < 0:
            on_ice.pop(index, None)  # a shift already cut has left the ice
            continue
        on_ice[index] = second
        if len(on_ice) > MAX_SKATERS_A_SIDE:
            if first is None:
                first = (f"the {side} team has {len(on_ice)} skaters on the ice in period {period} at "
                         f"{_clock(second)} in the shift chart (at most {MAX_SKATERS_A_SIDE})")
            longest = min(on_ice, key=lambda i: (on_ice[i], shifts[i][0]))
            del on_ice[longest]
            cut_at[longest] = second
    if first is None:
        return shifts, None
    repaired = [(p, period, start, cut_at.get(i, end)) for i, (p, period, start, end) in enumerate(shifts)]
    repaired = [shift for i, shift in enumerate(repaired) if i not in cut_at or shift[3] > shift[2]]
    return repaired, f"{first}: {len(cut_at)} shift(s) ended when the next skater came on (best-effort rule)"


def _clock(seconds: int) -> str:
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def check_shifts(shifts: list[Shift], side_of_skater: dict[int, str], game_seconds: int) -> None:
    """Raises ValueError if a player outlasts the game or a side has more than six skaters on the ice.

    ``shifts`` are merged (see :func:`merge_overlapping`); ``side_of_skater`` maps skaters (not goalies) to
    their side; ``game_seconds`` is the length of the game (every period's last play).
    """
    seconds_on_ice: dict[int, int] = defaultdict(int)
    changes: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    for player_id, period, start, end in shifts:
        seconds_on_ice[player_id] += end - start
        side = side_of_skater.get(player_id)
        if side is not None and end > start:
            changes[(period, side)] += [(start, 1), (end, -1)]
    for player_id, seconds in seconds_on_ice.items():
        if seconds > game_seconds:
            raise ValueError(
                f"player {player_id} is on the ice for {seconds} s in the shift chart, longer than the game "
                f"({game_seconds} s)"
            )
    for (period, side), deltas in sorted(changes.items()):
        on_ice = 0
        for second, delta in sorted(deltas):  # at the same second, shifts ending (-1) go before starts (+1)
            on_ice += delta
            if on_ice > MAX_SKATERS_A_SIDE:
                raise ValueError(
                    f"the {side} team has {on_ice} skaters on the ice in period {period} at {_clock(second)} "
                    f"in the shift chart (at most {MAX_SKATERS_A_SIDE})"
                )
