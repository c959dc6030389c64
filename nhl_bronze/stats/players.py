"""Skater rows of ``bronze_player_game_stats_v2``: one per boxscore skater x situation.

Four groups of columns, each computed once for the whole game:
* individual (``I_F_*``, faceoffs, penalties): the events whose player field names the skater,
  bucketed in the situation seen from the skater's own team;
* team totals (``shotsOnGoalFor`` ... ``highDangerGoalsAgainst``, ``continued*``): the skater's team's
  totals in that situation, copied from the team aggregation;
* on-ice (``OnIce_*``, ``corsi*``/``fenwick*``, ``hits``/``takeaways``/``giveaways`` For/Against) from
  the shift chart; off-ice = team total - on-ice;
* ice time and shifts from the shift chart.
Without a usable shift chart the shift-derived columns are null (never a misleading 0).
"""

from __future__ import annotations

from collections import Counter

from nhl_bronze.contract import PLAYER_GAME_STATS_SCHEMA
from nhl_bronze.stats.events import FLAG_INDEX, Event
from nhl_bronze.stats.frames import TableColumns, share
from nhl_bronze.stats.roster import GameContext
from nhl_bronze.stats.shifts import SkaterShifts, ice_time, on_ice_players
from nhl_bronze.stats.situations import AWAY, HOME, SITUATIONS
from nhl_bronze.stats.teams import team_columns

_SHOOTER_STATS = {
    "sog": "I_F_shotsOnGoal",
    "missed": "I_F_missedShots",
    "blocked": "I_F_blockedShotAttempts",
    "goals": "I_F_goals",
    "rebounds": "I_F_rebounds",
    "rebound_goals": "I_F_reboundGoals",
    "low_shots": "I_F_lowDangerShots",
    "medium_shots": "I_F_mediumDangerShots",
    "high_shots": "I_F_highDangerShots",
    "low_goals": "I_F_lowDangerGoals",
    "medium_goals": "I_F_mediumDangerGoals",
    "high_goals": "I_F_highDangerGoals",
}
# (event attribute naming the player, event type or None for any, output column, add the penalty minutes)
_SINGLE_ROLE_STATS = (
    ("assist1", None, "I_F_primaryAssists", False),
    ("assist2", None, "I_F_secondaryAssists", False),
    ("hitter", None, "I_F_hits", False),
    ("tg_player", "takeaway", "I_F_takeaways", False),
    ("tg_player", "giveaway", "I_F_giveaways", False),
    ("fo_winner", None, "faceOffsWonFor", False),
    ("fo_loser", None, "faceOffsLostFor", False),
    ("pen_by", None, "penaltiesFor", False),
    ("pen_by", None, "penalityMinutesFor", True),
    ("pen_drawn", None, "penaltiesAgainst", False),
    ("pen_drawn", None, "penalityMinutesAgainst", True),
)
_INDIVIDUAL_COLUMNS = [*_SHOOTER_STATS.values(), *(out for _, _, out, _ in _SINGLE_ROLE_STATS)]
_FLOAT_STATS = ("penalityMinutesFor", "penalityMinutesAgainst")
_NO_INDIVIDUAL = tuple(0.0 if c in _FLOAT_STATS else 0 for c in _INDIVIDUAL_COLUMNS)
_ANY_TYPE_ROLES = tuple(
    (attr, kind, slot, minutes)
    for slot, (attr, kind, _, minutes) in enumerate(_SINGLE_ROLE_STATS, start=len(_SHOOTER_STATS))
)
# the event frame fills each player field for one event type only (assists: goals, hitter: hits, ...)
_ROLE_EVENT_TYPE = {
    "assist1": "goal", "assist2": "goal", "hitter": "hit", "fo_winner": "faceoff", "fo_loser": "faceoff",
    "pen_by": "penalty", "pen_drawn": "penalty",
}
_ROLES_BY_TYPE = {
    event_type: tuple(
        role for role in _ANY_TYPE_ROLES
        if (role[1] or _ROLE_EVENT_TYPE[role[0]]) == event_type
    )
    for event_type in ("goal", "hit", "faceoff", "penalty", "takeaway", "giveaway")
}
_SHOOTER_SLOT = {FLAG_INDEX[flag]: i for i, flag in enumerate(_SHOOTER_STATS)}  # flag index -> vector slot
_ON_ICE_STEMS = {
    "sog": "shotsOnGoal",
    "missed": "missedShots",
    "blocked": "blockedShotAttempts",
    "goals": "goals",
    "low_shots": "lowDangerShots",
    "medium_shots": "mediumDangerShots",
    "high_shots": "highDangerShots",
    "low_goals": "lowDangerGoals",
    "medium_goals": "mediumDangerGoals",
    "high_goals": "highDangerGoals",
}
_ON_ICE_TEAM_EVENTS = {"hits": "hits", "takeaways": "takeaways", "giveaways": "giveaways"}
_ON_ICE_COLUMNS = [
    *(f"OnIce_F_{stem}" for stem in _ON_ICE_STEMS.values()),
    *(f"{stem}For" for stem in _ON_ICE_TEAM_EVENTS.values()),
    *(f"OnIce_A_{stem}" for stem in _ON_ICE_STEMS.values()),
    *(f"{stem}Against" for stem in _ON_ICE_TEAM_EVENTS.values()),
]
_ON_ICE_SLOT = {FLAG_INDEX[flag]: i for i, flag in enumerate([*_ON_ICE_STEMS, *_ON_ICE_TEAM_EVENTS])}
_N_ON_ICE = len(_ON_ICE_SLOT)
_OFF_ICE_STEMS = (
    "shotsOnGoal", "missedShots", "blockedShotAttempts", "shotAttempts", "unblockedShotAttempts", "goals",
)
_TEAM_TOTAL_STEMS = (
    "shotsOnGoal", "missedShots", "blockedShotAttempts", "shotAttempts", "unblockedShotAttempts", "goals",
    "rebounds", "reboundGoals", "savedShotsOnGoal", "savedUnblockedShotAttempts",
    "lowDangerShots", "mediumDangerShots", "highDangerShots",
    "lowDangerGoals", "mediumDangerGoals", "highDangerGoals",
)
SHIFT_DERIVED = (
    "icetime", "iceTimeRank", "shifts",
    *(c for c in PLAYER_GAME_STATS_SCHEMA if c.startswith(("OnIce_", "OffIce_"))),
    "corsiFor", "corsiAgainst", "fenwickFor", "fenwickAgainst",
    "hitsFor", "hitsAgainst", "takeawaysFor", "takeawaysAgainst", "giveawaysFor", "giveawaysAgainst",
    "corsiPercentage", "fenwickPercentage",
    "onIce_corsiPercentage", "offIce_corsiPercentage", "onIce_fenwickPercentage", "offIce_fenwickPercentage",
)
# MoneyPuck counts these from tracked zone entries, which the public feed does not have
ALWAYS_NULL = ("zoneEntriesFor", "zoneEntriesAgainst", "xGoalsFor", "xGoalsAgainst")


_SIT_INDEX = {sit: i for i, sit in enumerate(SITUATIONS)}  # "all" = 0: row = skater index * 4 + this


def _rows_of(base: int, bucket: str | None) -> tuple[int, ...]:
    """Output rows an event of a skater (first row ``base``) counts in: ``all`` and its own bucket."""
    return (base, base + _SIT_INDEX[bucket]) if bucket is not None else (base,)


def individual_counts(ctx: GameContext, events: list[Event]) -> list[list]:
    """The _INDIVIDUAL_COLUMNS, one value per output row (skater x SITUATIONS, boxscore order)."""
    index_of = {s.player_id: i for i, s in enumerate(ctx.skaters)}
    home = [s.side == HOME for s in ctx.skaters]
    n_rows = len(ctx.skaters) * len(SITUATIONS)
    columns = [[zero] * n_rows for zero in _NO_INDIVIDUAL]
    for ev in events:
        shooter = ev.shooter
        if shooter is not None:
            idx = index_of.get(shooter)
            if idx is not None:
                rows = _rows_of(idx * 4, ev.sit_home if home[idx] else ev.sit_away)
                for j in ev.flags:
                    slot = _SHOOTER_SLOT.get(j)
                    if slot is not None:
                        column = columns[slot]
                        for r in rows:
                            column[r] += 1
        for attr, kind, slot, minutes in _ROLES_BY_TYPE.get(ev.type, ()):
            pid = getattr(ev, attr)
            idx = None if pid is None else index_of.get(pid)
            if idx is None or (kind is not None and ev.type != kind):
                continue
            value = (ev.pen_minutes if ev.pen_minutes is not None else 0.0) if minutes else 1
            column = columns[slot]
            for r in _rows_of(idx * 4, ev.sit_home if home[idx] else ev.sit_away):
                column[r] += value
    return columns


def on_ice_counts(ctx: GameContext, shifts: SkaterShifts, events: list[Event]) -> list[list[int]]:
    """The _ON_ICE_COLUMNS (For then Against), one value per output row."""
    # an event counts the same for every skater of one side on the ice: collect the skaters per event class
    # (For/Against offset, bucket, slots) and count them once per class
    players_of: dict[tuple, list[int]] = {}
    for ev, home, away in on_ice_players(shifts, events):
        slots = tuple(_ON_ICE_SLOT[j] for j in ev.flags if j in _ON_ICE_SLOT)
        if not slots:
            continue
        actor = ev.actor_side
        for side, players, bucket in ((HOME, home, ev.sit_home), (AWAY, away, ev.sit_away)):
            if players:
                cls = (0 if actor == side else _N_ON_ICE, bucket, slots)
                found = players_of.get(cls)
                if found is None:
                    players_of[cls] = list(players)
                else:
                    found.extend(players)
    index_of = {s.player_id: i for i, s in enumerate(ctx.skaters)}
    columns = [[0] * (len(ctx.skaters) * len(SITUATIONS)) for _ in range(2 * _N_ON_ICE)]
    for (offset, bucket, slots), players in players_of.items():
        targets = [columns[offset + slot] for slot in slots]
        for pid, times in Counter(players).items():
            for r in _rows_of(index_of[pid] * 4, bucket):
                for column in targets:
                    column[r] += times
    return columns


def _plus(*columns: list) -> list:
    return [sum(values) for values in zip(*columns, strict=True)]


def _minus(left: list, right: list) -> list:
    return [a - b for a, b in zip(left, right, strict=True)]


def _shares(numerators: list, others: list) -> list:
    return [share(a, b) for a, b in zip(numerators, others, strict=True)]


_NO_SHIFT_NULLS = frozenset((*SHIFT_DERIVED, *ALWAYS_NULL))
_ROUNDED = frozenset(
    ("onIce_corsiPercentage", "onIce_fenwickPercentage", "offIce_corsiPercentage", "offIce_fenwickPercentage")
)


def player_columns(
    ctx: GameContext,
    events: list[Event],
    team_counts: dict[tuple[str, str], list[int]],
    shifts: SkaterShifts | None,
    timeline: dict,
) -> TableColumns:
    """``bronze_player_game_stats_v2`` rows of one game (contract columns): boxscore order x SITUATIONS."""
    rows = [(s, sit) for s in ctx.skaters for sit in SITUATIONS]
    n = len(rows)
    other = {HOME: AWAY, AWAY: HOME}
    cols: dict[str, list] = {
        "playerId": [str(s.player_id) for s, _ in rows],
        "playerTeam": [ctx.abbrev[s.side] for s, _ in rows],
        "opposingTeam": [ctx.abbrev[other[s.side]] for s, _ in rows],
        "name": [s.name for s, _ in rows],
        "position": [s.position for s, _ in rows],
        "home_or_away": [s.side.upper() for s, _ in rows],
        "gameId": [ctx.game_id] * n,
        "gameDate": [ctx.game_date] * n,
        "season": [ctx.season] * n,
        "situation": [sit for _, sit in rows],
    }

    cols.update(zip(_INDIVIDUAL_COLUMNS, individual_counts(ctx, events), strict=True))
    sog, missed, blocked, goals = (
        cols["I_F_shotsOnGoal"], cols["I_F_missedShots"], cols["I_F_blockedShotAttempts"], cols["I_F_goals"]
    )
    cols["I_F_points"] = _plus(goals, cols["I_F_primaryAssists"], cols["I_F_secondaryAssists"])
    cols["I_F_shotAttempts"] = _plus(sog, missed, blocked)
    cols["I_F_unblockedShotAttempts"] = _plus(sog, missed)
    cols["I_F_savedShotsOnGoal"] = _minus(sog, goals)
    cols["I_F_savedUnblockedShotAttempts"] = _minus(_plus(sog, missed), goals)

    team = team_columns(team_counts, [(s.side, sit) for s, sit in rows])
    for suffix in ("For", "Against"):
        for stem in _TEAM_TOTAL_STEMS:
            cols[f"{stem}{suffix}"] = team[f"{stem}{suffix}"]
        cols[f"continuedInZone{suffix}"] = team[f"playContinuedInZone{suffix}"]
        cols[f"continuedOutOfZone{suffix}"] = team[f"playContinuedOutsideZone{suffix}"]

    if shifts is None:
        return TableColumns(cols, n, nulls=_NO_SHIFT_NULLS)

    seconds, shift_count = ice_time(shifts, timeline, {s.player_id: i for i, s in enumerate(ctx.skaters)})
    icetime = [float(value) for value in seconds]
    cols["icetime"], cols["shifts"] = icetime, shift_count
    # rank within team and situation, 1 = most, ties share the lowest rank
    groups: dict[tuple[str, str], list[float]] = {}
    for (s, sit), value in zip(rows, icetime, strict=True):
        groups.setdefault((s.side, sit), []).append(value)
    cols["iceTimeRank"] = [
        1 + sum(1 for other_value in groups[s.side, sit] if other_value > value)
        for (s, sit), value in zip(rows, icetime, strict=True)
    ]

    cols.update(zip(_ON_ICE_COLUMNS, on_ice_counts(ctx, shifts, events), strict=True))
    for fa in ("F", "A"):
        sog, missed = cols[f"OnIce_{fa}_shotsOnGoal"], cols[f"OnIce_{fa}_missedShots"]
        cols[f"OnIce_{fa}_shotAttempts"] = _plus(sog, missed, cols[f"OnIce_{fa}_blockedShotAttempts"])
        cols[f"OnIce_{fa}_unblockedShotAttempts"] = _plus(sog, missed)
    # off-ice = the team's total in the situation minus what happened while the skater was on the ice
    for stem in _OFF_ICE_STEMS:
        for fa, suffix in (("F", "For"), ("A", "Against")):
            cols[f"OffIce_{fa}_{stem}"] = _minus(cols[f"{stem}{suffix}"], cols[f"OnIce_{fa}_{stem}"])
    cols["corsiFor"], cols["corsiAgainst"] = cols["OnIce_F_shotAttempts"], cols["OnIce_A_shotAttempts"]
    cols["fenwickFor"] = cols["OnIce_F_unblockedShotAttempts"]
    cols["fenwickAgainst"] = cols["OnIce_A_unblockedShotAttempts"]
    cols["corsiPercentage"] = cols["onIce_corsiPercentage"] = _shares(cols["corsiFor"], cols["corsiAgainst"])
    cols["fenwickPercentage"] = cols["onIce_fenwickPercentage"] = _shares(
        cols["fenwickFor"], cols["fenwickAgainst"]
    )
    cols["offIce_corsiPercentage"] = _shares(cols["OffIce_F_shotAttempts"], cols["OffIce_A_shotAttempts"])
    cols["offIce_fenwickPercentage"] = _shares(
        cols["OffIce_F_unblockedShotAttempts"], cols["OffIce_A_unblockedShotAttempts"]
    )
    return TableColumns(cols, n, nulls=frozenset(ALWAYS_NULL), rounded=_ROUNDED)
