"""Line deployment: who of a team is on the ice at every moment, and the shift chart that follows from it.

Forwards roll four lines (the fourth line sometimes skipped) and defence three pairs, on separate ~45 s cadences;
lines also change after every goal. The number of skaters comes from the situation timeline (penalty kill: 2F+2D,
3-on-3 OT: 2F+1D, extra attacker: the next line's centre joins), so the shift chart always matches situationCode.
Shifts are built first; plays are then placed with whoever is on the ice (see game_gen).
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from nhl_bronze.simulator.league import Player, Roster
from nhl_bronze.simulator.strength import Period, SituationTimeline


@dataclass(frozen=True, slots=True)
class Shift:
    player: Player
    period: int
    start: int  # seconds elapsed in the period
    end: int


@dataclass
class Deployment:
    """One team's on-ice units per period as a step function, plus the resulting shifts."""

    starts: dict[int, list[int]]
    skaters: dict[int, list[tuple[Player, ...]]]
    goalies: dict[int, list[Player | None]]
    shifts: list[Shift]

    def _index_before(self, period: int, t: int) -> int:
        return max(bisect_left(self.starts[period], t) - 1, 0)

    def _index_at(self, period: int, t: int) -> int:
        return bisect_right(self.starts[period], t) - 1

    def skaters_before(self, period: int, t: int) -> tuple[Player, ...]:
        """On ice up to ``t``: the players a shot, hit or goal at ``t`` can involve."""
        return self.skaters[period][self._index_before(period, t)]

    def skaters_at(self, period: int, t: int) -> tuple[Player, ...]:
        """On ice from ``t``: the players taking the faceoff at ``t``."""
        return self.skaters[period][self._index_at(period, t)]

    def goalie_before(self, period: int, t: int) -> Player | None:
        return self.goalies[period][self._index_before(period, t)]


def _change_times(rng: random.Random, length: int, low: int, high: int, forced: list[int]) -> list[int]:
    times, t = [0], 0
    while True:
        t += rng.randint(low, high)
        if t >= length:
            break
        times.append(t)
    return sorted(set(times) | {f for f in forced if 0 < f < length})


def deploy(rng: random.Random, roster: Roster, starter: Player, periods: list[Period], timeline: SituationTimeline,
           home: bool, goal_times: dict[int, list[int]]) -> Deployment:
    lines = [roster.forwards[i:i + 3] for i in range(0, 12, 3)]
    pairs = [roster.defense[i:i + 2] for i in range(0, 6, 2)]
    starts: dict[int, list[int]] = {}
    skaters: dict[int, list[tuple[Player, ...]]] = {}
    goalies: dict[int, list[Player | None]] = {}
    shifts: list[Shift] = []

    for period in periods:
        length = period.length
        three_on_three = period.type == "OT" and period.full_length == 300
        forced = goal_times.get(period.number, [])
        f_low, f_high = (25, 45) if three_on_three else (36, 52)
        d_low, d_high = (25, 45) if three_on_three else (40, 56)
        f_changes = set(_change_times(rng, length, f_low, f_high, forced))
        d_changes = set(_change_times(rng, length, d_low, d_high, forced))
        boundaries = sorted(f_changes | d_changes | {t for t in timeline.change_points(period.number) if t < length})

        line, pair = 0, 0  # top line and pair start every period
        period_starts, period_units, period_goalies = [], [], []
        on_since: dict[Player, int] = {}
        for t in boundaries:
            if t in f_changes and t > 0:
                line = (line + 1) % 4
                if line == 3 and rng.random() < 0.35:
                    line = 0
            if t in d_changes and t > 0:
                pair = (pair + 1) % 3
            state = timeline.at(period.number, t)
            count = state.home_skaters if home else state.away_skaters
            in_net = state.home_goalie if home else state.away_goalie
            forwards, defense = lines[line], pairs[pair]
            if count >= 6:
                unit = (*forwards, lines[(line + 1) % 4][0], *defense)
            elif count == 5:
                unit = (*forwards, *defense)
            elif count == 4:
                unit = (*forwards[:2], *defense)
            elif three_on_three:
                unit = (*forwards[:2], defense[0])
            else:
                unit = (forwards[0], *defense)
            goalie = starter if in_net else None
            period_starts.append(t)
            period_units.append(unit)
            period_goalies.append(goalie)

            # Ordered containers only: set iteration order varies with string hashing between processes.
            on_now = (*unit, goalie) if goalie else unit
            for player in [p for p in on_since if p not in on_now]:
                shifts.append(Shift(player, period.number, on_since.pop(player), t))
            for player in on_now:
                on_since.setdefault(player, t)
        for player, since in on_since.items():
            shifts.append(Shift(player, period.number, since, length))
        starts[period.number] = period_starts
        skaters[period.number] = period_units
        goalies[period.number] = period_goalies
    return Deployment(starts, skaters, goalies, shifts)
