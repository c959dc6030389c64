"""Team totals per situation -> rows of ``bronze_games_historical_v2`` (2 teams x 4 situations).

"For" = events credited to this team (``actor_side``), "Against" = the opponent's, each bucketed in
the situation seen from THIS team's side (a 5-on-4 event is ``5on4`` for one team, ``4on5`` for the
other).
"""

from __future__ import annotations

from nhl_bronze.stats.events import EVENT_COUNTS, Event
from nhl_bronze.stats.frames import TableColumns, share
from nhl_bronze.stats.roster import GameContext
from nhl_bronze.stats.situations import ALL, AWAY, HOME, SITUATIONS

# indicator column -> MoneyPuck stem (the table adds For/Against)
STEMS = {
    "sog": "shotsOnGoal",
    "missed": "missedShots",
    "blocked": "blockedShotAttempts",
    "goals": "goals",
    "rebounds": "rebounds",
    "rebound_goals": "reboundGoals",
    "low_shots": "lowDangerShots",
    "medium_shots": "mediumDangerShots",
    "high_shots": "highDangerShots",
    "low_goals": "lowDangerGoals",
    "medium_goals": "mediumDangerGoals",
    "high_goals": "highDangerGoals",
    "continued_in": "playContinuedInZone",
    "continued_out": "playContinuedOutsideZone",
    "penalties": "penalties",
    "faceoffs": "faceOffsWon",
    "hits": "hits",
    "takeaways": "takeaways",
    "giveaways": "giveaways",
}
assert tuple(STEMS) == EVENT_COUNTS
_N = len(EVENT_COUNTS)
# column names of one count vector: For then Against, each in EVENT_COUNTS order
COUNT_COLUMNS = [f"{stem}For" for stem in STEMS.values()] + [f"{stem}Against" for stem in STEMS.values()]


_NULLS = frozenset(("xGoalsFor", "xGoalsAgainst"))  # MoneyPuck xG: not reproducible from the public feed
_ROUNDED = frozenset(("corsiPercentage", "fenwickPercentage"))


def team_counts(events: list[Event]) -> dict[tuple[str, str], list[int]]:
    """(team side, situation) -> For counts then Against counts (EVENT_COUNTS order), all 8 keys present."""
    counts = {(side, sit): [0] * (2 * _N) for side in (AWAY, HOME) for sit in SITUATIONS}
    for ev in events:
        actor, flags = ev.actor_side, ev.flags
        if actor is None or not flags:
            continue
        for side, bucket in ((HOME, ev.sit_home), (AWAY, ev.sit_away)):
            offset = 0 if actor == side else _N
            targets = (counts[side, ALL], counts[side, bucket]) if bucket is not None else (counts[side, ALL],)
            for vector in targets:
                for j in flags:
                    vector[offset + j] += 1
    return counts


def with_derived_counts(columns: dict[str, list]) -> None:
    """Attempts, unblocked attempts and saved shots from the four base counts (For and Against), in place."""
    for suffix in ("For", "Against"):
        sog, missed = columns[f"shotsOnGoal{suffix}"], columns[f"missedShots{suffix}"]
        blocked, goals = columns[f"blockedShotAttempts{suffix}"], columns[f"goals{suffix}"]
        columns[f"shotAttempts{suffix}"] = [s + m + b for s, m, b in zip(sog, missed, blocked, strict=True)]
        columns[f"unblockedShotAttempts{suffix}"] = [s + m for s, m in zip(sog, missed, strict=True)]
        columns[f"savedShotsOnGoal{suffix}"] = [s - g for s, g in zip(sog, goals, strict=True)]
        columns[f"savedUnblockedShotAttempts{suffix}"] = [s + m - g for s, m, g in zip(sog, missed, goals, strict=True)]


def team_columns(counts: dict[tuple[str, str], list[int]], keys: list[tuple[str, str]]) -> dict[str, list]:
    """Count and derived columns for the given (side, situation) rows."""
    columns = dict(zip(COUNT_COLUMNS, (list(c) for c in zip(*(counts[key] for key in keys), strict=True)), strict=True))
    with_derived_counts(columns)
    return columns


def team_table_columns(ctx: GameContext, counts: dict[tuple[str, str], list[int]]) -> TableColumns:
    """``bronze_games_historical_v2`` rows of one game (contract columns): away then home, SITUATIONS order."""
    keys = [(side, sit) for side in (AWAY, HOME) for sit in SITUATIONS]
    n = len(keys)
    cols = team_columns(counts, keys)
    sides = [side for side, _ in keys]
    other = {HOME: AWAY, AWAY: HOME}
    team = [ctx.abbrev[side] for side in sides]
    cols.update(
        gameId=[ctx.game_id] * n,
        season=[ctx.season] * n,
        gameDate=[ctx.game_date] * n,
        team=team,
        opposingTeam=[ctx.abbrev[other[side]] for side in sides],
        playerTeam=team,
        home_or_away=[side.upper() for side in sides],
        situation=[sit for _, sit in keys],
        playoffGame=[1 if ctx.game_type == 3 else 0] * n,
        corsiPercentage=[
            share(f, a) for f, a in zip(cols["shotAttemptsFor"], cols["shotAttemptsAgainst"], strict=True)
        ],
        fenwickPercentage=[
            share(f, a)
            for f, a in zip(cols["unblockedShotAttemptsFor"], cols["unblockedShotAttemptsAgainst"], strict=True)
        ],
    )
    return TableColumns(cols, n, nulls=_NULLS, rounded=_ROUNDED)
