"""Who is on the ice, in numbers: penalties, power plays ended by goals, pulled goalies -> situation segments.

Everything here is in absolute game seconds (period 1 starts at 0). The result is a step function over the game,
split per period, that the shift builder (how many skaters to deploy) and the event builder (situationCode,
PPG/SHG/EN classification) both read, so shifts and plays can never disagree about strength.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Period:
    number: int
    type: str  # REG | OT | SO
    length: int  # seconds actually played (an OT winner ends the period early)
    full_length: int  # 1200, or 300 for regular-season OT (timeRemaining counts down from it)
    offset: int  # absolute second at which the period starts


@dataclass(frozen=True, slots=True)
class Goal:
    time: int  # absolute seconds
    home: bool  # scored by the home team


@dataclass(frozen=True, slots=True)
class Penalty:
    time: int  # absolute seconds
    home: bool  # committed by the home team
    minutes: int  # 2 (minor) or 5 (major)


@dataclass(frozen=True, slots=True)
class Situation:
    away_goalie: int  # 1 in net, 0 pulled
    away_skaters: int
    home_skaters: int
    home_goalie: int
    away_base: int  # skaters allowed by penalties alone: decides power play vs even strength
    home_base: int

    @property
    def code(self) -> str:
        """[away goalie][away skaters][home skaters][home goalie], as the API orders the digits."""
        return f"{self.away_goalie}{self.away_skaters}{self.home_skaters}{self.home_goalie}"


class SituationTimeline:
    """Step function of ``Situation`` per period, with lookups just before / at a moment (period-relative)."""

    def __init__(self, per_period: dict[int, list[tuple[int, Situation]]]):
        self._starts = {p: [start for start, _ in segments] for p, segments in per_period.items()}
        self._states = {p: [state for _, state in segments] for p, segments in per_period.items()}

    def before(self, period: int, t: int) -> Situation:
        """State in force up to ``t`` (what a goal, shot or penalty at ``t`` happened in)."""
        index = max(bisect_left(self._starts[period], t) - 1, 0)
        return self._states[period][index]

    def at(self, period: int, t: int) -> Situation:
        """State from ``t`` on (what the faceoff at ``t`` is played in)."""
        return self._states[period][bisect_right(self._starts[period], t) - 1]

    def change_points(self, period: int) -> list[int]:
        return self._starts[period]


def goalie_pulls(goals: list[Goal], regulation_end: int, rng) -> list[tuple[bool, int, int]]:
    """(home team pulled?, from, to) windows: the trailing team pulls its goalie late in the 3rd when down 1 or 2.

    The goalie comes back at the next goal (and goes out again 10 s after the faceoff if still down 1-2).
    """
    pulls = []
    check = regulation_end - rng.randint(90, 180)
    ordered = sorted(goals, key=lambda g: g.time)
    while check < regulation_end - 5:
        home = sum(1 for g in ordered if g.home and g.time <= check)
        away = sum(1 for g in ordered if not g.home and g.time <= check)
        next_goal = next((g for g in ordered if check < g.time < regulation_end), None)
        end = next_goal.time if next_goal else regulation_end
        if 1 <= abs(home - away) <= 2:
            pulls.append((home < away, check, end))
        if next_goal is None:
            break
        check = next_goal.time + 10
    return pulls


def build_timeline(periods: list[Period], goals: list[Goal], penalties: list[Penalty],
                   pulls: list[tuple[bool, int, int]], ot_skaters: int) -> SituationTimeline:
    """Sweep penalties and goals in time order (a power-play goal ends the minor early) into a timeline."""
    game_end = periods[-1].offset + periods[-1].length
    active: dict[bool, list[list]] = {False: [], True: []}  # team -> [[end, minor?, penalty]]
    base_changes: list[tuple[int, int, int]] = [(0, 5, 5)]
    moments = sorted([(g.time, 0, g) for g in goals] + [(p.time, 1, p) for p in penalties], key=lambda m: m[:2])

    def base(home: bool) -> int:
        return 5 - min(2, len(active[home]))

    def expire_until(t: int) -> None:
        while True:
            pending = [(entry[0], team) for team in (False, True) for entry in active[team] if entry[0] <= t]
            if not pending:
                return
            end, team = min(pending)
            active[team] = [entry for entry in active[team] if entry[0] != end]
            base_changes.append((end, base(False), base(True)))

    for t, kind, item in moments:
        expire_until(t)
        if kind == 0:  # a power-play goal releases the earliest-ending minor of the shorthanded side
            scorer, victim = item.home, not item.home
            if base(scorer) > base(victim):
                minors = sorted(entry for entry in active[victim] if entry[1])
                if minors:
                    active[victim].remove(minors[0])
                    base_changes.append((t, base(False), base(True)))
        else:
            active[item.home].append([t + 60 * item.minutes, item.minutes == 2, item])
            base_changes.append((t, base(False), base(True)))
    expire_until(game_end)

    boundaries = {0, game_end} | {t for t, _, _ in base_changes} | {p.offset for p in periods}
    for _, start, end in pulls:
        boundaries |= {start, end}
    ordered_changes = sorted(base_changes, key=lambda c: c[0])
    per_period: dict[int, list[tuple[int, Situation]]] = {}
    for period in periods:
        period_end = period.offset + period.length
        points = sorted(t for t in boundaries if period.offset <= t < period_end) or [period.offset]
        segments = []
        for t in points:
            away_base, home_base = 5, 5
            for change_t, a, h in ordered_changes:
                if change_t > t:
                    break
                away_base, home_base = a, h
            if period.type == "OT":
                away_base, home_base = ot_skaters, ot_skaters
            away_pulled = any(not home and s <= t < e for home, s, e in pulls)
            home_pulled = any(home and s <= t < e for home, s, e in pulls)
            state = Situation(0 if away_pulled else 1, away_base + away_pulled, home_base + home_pulled,
                              0 if home_pulled else 1, away_base, home_base)
            if not segments or segments[-1][1] != state:
                segments.append((t - period.offset, state))
        per_period[period.number] = segments
    return SituationTimeline(per_period)
