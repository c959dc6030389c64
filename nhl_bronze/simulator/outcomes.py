"""Final results decided up front, per game, from a seed-derived RNG.

The calendar needs every regular-season result to seed the playoff bracket, and the schedule endpoint shows scores,
so results must be cheap (no play-by-play). The game generator later builds a game that ends exactly this way.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Outcome:
    away_goals: int  # goals actually scored (regulation + OT winner), shootout excluded
    home_goals: int
    last_period_type: str  # REG | OT | SO
    ot_periods: int  # OT periods played (0 for REG; 1 for a regular-season OT or SO game)
    shootout_winner_home: bool | None
    away_starter: int  # index into the roster's goalies
    home_starter: int

    @property
    def home_won(self) -> bool:
        if self.shootout_winner_home is not None:
            return self.shootout_winner_home
        return self.home_goals > self.away_goals

    @property
    def away_score(self) -> int:
        """The header score: the API credits the shootout winner with one extra goal."""
        return self.away_goals + (self.shootout_winner_home is False)

    @property
    def home_score(self) -> int:
        return self.home_goals + (self.shootout_winner_home is True)

    def swapped(self) -> Outcome:
        """Same game with the result mirrored (used to impose a playoff series' predetermined winner)."""
        return Outcome(self.home_goals, self.away_goals, self.last_period_type, self.ot_periods,
                       None if self.shootout_winner_home is None else not self.shootout_winner_home,
                       self.away_starter, self.home_starter)


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for means around 3.
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def draw_outcome(rng: random.Random, playoff: bool, away_strength: float, home_strength: float) -> Outcome:
    away = _poisson(rng, max(1.2, 2.9 + away_strength - home_strength / 2))
    home = _poisson(rng, max(1.2, 3.1 + home_strength - away_strength / 2))
    starters = (0 if rng.random() < 0.72 else 1, 0 if rng.random() < 0.72 else 1)
    if away != home:
        return Outcome(away, home, "REG", 0, None, *starters)
    home_wins = rng.random() < 0.52 + (home_strength - away_strength) / 4
    if playoff:
        # Sudden-death 20-minute periods until someone scores; long ones are rare.
        periods = 1
        while rng.random() < 0.3 and periods < 4:
            periods += 1
        return Outcome(away + (not home_wins), home + home_wins, "OT", periods, None, *starters)
    if rng.random() < 0.62:
        return Outcome(away + (not home_wins), home + home_wins, "OT", 1, None, *starters)
    return Outcome(away, home, "SO", 1, home_wins, *starters)
