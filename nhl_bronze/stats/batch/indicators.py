"""The statistics vocabulary: every counted indicator and every statistic derived from them, declared once.

An :class:`Indicator` is a 0/1 column that ``events`` puts on each event row (``when`` the event counts);
a :class:`Derived` statistic is a sum and difference of other statistics' stems (``unblockedShotAttempts`` =
``shotsOnGoal`` + ``missedShots``). Each row of the two tables below says where a statistic appears, and
every aggregation, output name and column list of ``teams``, ``on_ice``, ``individual`` and ``players``
is read from here:

* team table: ``{stem}For`` / ``{stem}Against`` (Against sums ``against``, by default the same column);
* skater rows: ``{skater_team}For`` / ``...Against``, the skater's team's totals in the situation;
* on-ice (shift chart): ``OnIce_F_{stem}`` / ``OnIce_A_{stem}`` (``ON_ICE_SHOTS``) or ``{stem}For`` /
  ``{stem}Against`` (``ON_ICE_EVENTS``); ``off_ice``: ``OffIce_{F,A}_{stem}`` = team total - on-ice;
* individual: ``I_F_{stem}`` when the skater is the shooter.

To add a statistic, add one row here (and its columns to ``contract`` and ``docs/DATA_DICTIONARY.md``:
the contract is the downstream interface; ``nhl_bronze_tests/stats/test_indicators.py`` fails, naming the
column, while the three disagree).

The conditions read the columns ``events.enrich_events`` builds on each event row: ``type``,
``teammateBlocked``, ``danger`` and the sequence flags ``REBOUND``, ``CONTINUED``, ``IN_ZONE``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from nhl_bronze.stats.danger import HIGH, LOW, MEDIUM

SHOT_ON_GOAL, MISSED, BLOCKED, GOAL = "shot-on-goal", "missed-shot", "blocked-shot", "goal"
SHOT_ATTEMPTS = (SHOT_ON_GOAL, MISSED, BLOCKED, GOAL)
# the sequence flags events computes before the indicators (dropped after them)
REBOUND, CONTINUED, IN_ZONE = "_rebound", "_continued", "_inZone"

ON_ICE_SHOTS, ON_ICE_EVENTS = "OnIce", "ForAgainst"
FOR, AGAINST = "For", "Against"

_KIND = pl.col("type")
IS_ATTEMPT = _KIND.is_in(SHOT_ATTEMPTS).fill_null(False)
IS_GOAL = (_KIND == GOAL).fill_null(False)
ON_NET = _KIND.is_in((SHOT_ON_GOAL, GOAL)).fill_null(False)
_DANGER = pl.col("danger")


@dataclass(frozen=True)
class Indicator:
    """A 0/1 column of each event row, summed by the aggregations (see the module docstring for the names)."""

    column: str
    when: pl.Expr
    stem: str | None = None  # None: not a statistic of its own, only another's ``against``
    against: str | None = None  # the indicator summed for the Against column (default: ``column``)
    skater_team: str | None = None  # the stem of the team's total on each of its skaters' rows (None: not there)
    on_ice: str | None = None  # ON_ICE_SHOTS | ON_ICE_EVENTS
    off_ice: bool = False
    individual: bool = False

    @property
    def against_column(self) -> str:
        return self.against or self.column


@dataclass(frozen=True)
class Derived:
    """A statistic that is the sum of some stems minus others, under every name pattern its parts have."""

    stem: str
    plus: tuple[str, ...]
    minus: tuple[str, ...] = ()
    skater_team: bool = True
    on_ice: bool = False
    off_ice: bool = False
    individual: bool = True

    def expr(self, name: Callable[[str], str]) -> pl.Expr:
        """The columns ``name(stem)`` of ``plus`` added, those of ``minus`` subtracted."""
        first, *rest = self.plus
        total = pl.col(name(first))
        for stem in rest:
            total = total + pl.col(name(stem))
        for stem in self.minus:
            total = total - pl.col(name(stem))
        return total


def _team_total(column: str, when: pl.Expr, stem: str, **where) -> Indicator:
    """An indicator whose team totals are also on the skater rows, under the team table's stem."""
    return Indicator(column, when, stem, skater_team=stem, **where)


# ``blocked``: the attempt was blocked (by anybody: it is a blocked attempt of the shooter's team); ``blocks``:
# it was blocked by the OPPONENT (an attempt with reason "teammate-blocked" is not), so each team's
# blockedShotAttemptsAgainst equals the NHL's team ``blockedShots`` while the opponent's For also has its
# teammate-blocked attempts.
INDICATORS: tuple[Indicator, ...] = (
    _team_total("sog", ON_NET, "shotsOnGoal", on_ice=ON_ICE_SHOTS, off_ice=True, individual=True),
    _team_total("missed", _KIND == MISSED, "missedShots", on_ice=ON_ICE_SHOTS, off_ice=True, individual=True),
    _team_total("blocked", _KIND == BLOCKED, "blockedShotAttempts", against="blocks", on_ice=ON_ICE_SHOTS,
                off_ice=True, individual=True),
    _team_total("attempts", IS_ATTEMPT, "shotAttempts", on_ice=ON_ICE_SHOTS, off_ice=True, individual=True),
    Indicator("blocks", (_KIND == BLOCKED) & ~pl.col("teammateBlocked")),
    _team_total("goals", IS_GOAL, "goals", on_ice=ON_ICE_SHOTS, off_ice=True, individual=True),
    _team_total("rebounds", pl.col(REBOUND), "rebounds", individual=True),
    _team_total("rebound_goals", pl.col(REBOUND) & IS_GOAL, "reboundGoals", individual=True),
    _team_total("low_shots", _DANGER == LOW, "lowDangerShots", on_ice=ON_ICE_SHOTS, individual=True),
    _team_total("medium_shots", _DANGER == MEDIUM, "mediumDangerShots", on_ice=ON_ICE_SHOTS, individual=True),
    _team_total("high_shots", _DANGER == HIGH, "highDangerShots", on_ice=ON_ICE_SHOTS, individual=True),
    _team_total("low_goals", (_DANGER == LOW) & IS_GOAL, "lowDangerGoals", on_ice=ON_ICE_SHOTS, individual=True),
    _team_total("medium_goals", (_DANGER == MEDIUM) & IS_GOAL, "mediumDangerGoals", on_ice=ON_ICE_SHOTS,
                individual=True),
    _team_total("high_goals", (_DANGER == HIGH) & IS_GOAL, "highDangerGoals", on_ice=ON_ICE_SHOTS, individual=True),
    Indicator("continued_in", pl.col(CONTINUED) & pl.col(IN_ZONE), "playContinuedInZone",
              skater_team="continuedInZone"),
    Indicator("continued_out", pl.col(CONTINUED) & ~pl.col(IN_ZONE), "playContinuedOutsideZone",
              skater_team="continuedOutOfZone"),
    Indicator("penalties", _KIND == "penalty", "penalties"),
    Indicator("faceoffs", _KIND == "faceoff", "faceOffsWon"),
    Indicator("hits", _KIND == "hit", "hits", on_ice=ON_ICE_EVENTS),
    Indicator("takeaways", _KIND == "takeaway", "takeaways", on_ice=ON_ICE_EVENTS),
    Indicator("giveaways", _KIND == "giveaway", "giveaways", on_ice=ON_ICE_EVENTS),
)

DERIVED: tuple[Derived, ...] = (
    Derived("unblockedShotAttempts", ("shotsOnGoal", "missedShots"), on_ice=True, off_ice=True),
    Derived("savedShotsOnGoal", ("shotsOnGoal",), ("goals",)),
    Derived("savedUnblockedShotAttempts", ("shotsOnGoal", "missedShots"), ("goals",)),
)

INDICATOR_COLUMNS = tuple(i.column for i in INDICATORS)
COUNTED = tuple(i for i in INDICATORS if i.stem)  # the indicators with columns of their own
ON_ICE = tuple(i for i in INDICATORS if i.on_ice)
INDIVIDUAL = tuple(i for i in INDICATORS if i.individual)


def for_against_sums(indicators: tuple[Indicator, ...], is_for: pl.Expr, for_name, against_name) -> list[pl.Expr]:
    """Per group: each indicator summed over the rows where ``is_for`` is 1 (``for_name(indicator)``) and
    its ``against_column`` over the rows where it is 0 (``against_name(indicator)``); ``is_for`` is Int32 0/1."""
    return [
        *(pl.col(i.column).mul(is_for).sum().alias(for_name(i)) for i in indicators),
        *(pl.col(i.against_column).mul(1 - is_for).sum().alias(against_name(i)) for i in indicators),
    ]


def team_columns() -> list[str]:
    """The counted ``{stem}For``, then the ``{stem}Against`` columns of the team table."""
    return [f"{i.stem}{suffix}" for suffix in (FOR, AGAINST) for i in COUNTED]


def on_ice_name(indicator: Indicator | Derived, fa: str) -> str:
    """The skater row's on-ice column of ``indicator``; ``fa``: "F" (his team's) or "A" (the opponent's)."""
    if isinstance(indicator, Indicator) and indicator.on_ice == ON_ICE_EVENTS:
        return f"{indicator.stem}{FOR if fa == 'F' else AGAINST}"
    return f"OnIce_{fa}_{indicator.stem}"


def individual_name(stem: str) -> str:
    return f"I_F_{stem}"
