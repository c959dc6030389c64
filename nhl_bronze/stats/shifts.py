"""One game's shift rows, made trustworthy before anything is computed from them.

* Overlapping rows of one player in one period are merged into one shift (a player cannot be on the ice
  twice at once; counting both rows would double his ice time). Rows that only touch (one ends at the
  second the next starts) stay two shifts, as the boxscore counts them.
* Then per game: no player is on the ice longer than the game lasted, and no side ever has more than six
  skaters on the ice (five plus an extra attacker). A chart that breaks either rule is wrong in a way that
  cannot be repaired here: the game fails, naming the rule, the player or side, the period and the second.

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
