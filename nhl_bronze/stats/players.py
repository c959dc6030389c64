"""Skater rows of ``bronze_player_game_stats_v2``: one per boxscore skater x situation.

Four groups of columns, each computed once for the whole game (no per-player loop):
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

import polars as pl

from nhl_bronze.contract import PLAYER_GAME_STATS_SCHEMA
from nhl_bronze.stats.roster import GameContext
from nhl_bronze.stats.shifts import ice_time, on_ice_events
from nhl_bronze.stats.situations import ALL, SITUATIONS, own_situation
from nhl_bronze.stats.teams import share, sum_for_against, with_derived_counts

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
# (player column of the event frame, event type or None for any, output column, value column or None = 1)
_SINGLE_ROLE_STATS = (
    ("assist1", None, "I_F_primaryAssists", None),
    ("assist2", None, "I_F_secondaryAssists", None),
    ("hitter", None, "I_F_hits", None),
    ("tg_player", "takeaway", "I_F_takeaways", None),
    ("tg_player", "giveaway", "I_F_giveaways", None),
    ("fo_winner", None, "faceOffsWonFor", None),
    ("fo_loser", None, "faceOffsLostFor", None),
    ("pen_by", None, "penaltiesFor", None),
    ("pen_by", None, "penalityMinutesFor", "pen_minutes"),
    ("pen_drawn", None, "penaltiesAgainst", None),
    ("pen_drawn", None, "penalityMinutesAgainst", "pen_minutes"),
)
_FLOAT_STATS = ("penalityMinutesFor", "penalityMinutesAgainst")
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


def _shift_inputs() -> list[str]:
    """Columns that only the shift chart can provide (inputs of the derived on/off-ice columns)."""
    on_ice = [f"OnIce_{fa}_{stem}" for stem in _ON_ICE_STEMS.values() for fa in ("F", "A")]
    team_events = [f"{stem}{x}" for stem in _ON_ICE_TEAM_EVENTS.values() for x in ("For", "Against")]
    return ["icetime", "shifts", *on_ice, *team_events]


def skater_base(ctx: GameContext) -> pl.DataFrame:
    """Every skater x the four situations, with identity columns."""
    n = len(SITUATIONS)
    return pl.DataFrame(
        {
            "player_id": [s.player_id for s in ctx.skaters for _ in range(n)],
            "side": [s.side for s in ctx.skaters for _ in range(n)],
            "position": [s.position for s in ctx.skaters for _ in range(n)],
            "name": [s.name for s in ctx.skaters for _ in range(n)],
            "situation": [sit for _ in ctx.skaters for sit in SITUATIONS],
        },
        schema={
            "player_id": pl.Int64, "side": pl.String, "position": pl.String, "name": pl.String,
            "situation": pl.String,
        },
    ).with_row_index("row_order")


def _with_all(rows: pl.DataFrame) -> pl.DataFrame:
    """Bucket rows by the own-side situation and add the ``all`` copy of every row."""
    bucketed = rows.with_columns(situation=own_situation("side"))
    return pl.concat(
        [bucketed.filter(pl.col("situation").is_not_null()), bucketed.with_columns(situation=pl.lit(ALL))]
    )


def individual_counts(events: pl.DataFrame, sides: pl.DataFrame) -> pl.DataFrame:
    """player_id, situation and every individual column (summed)."""
    keep = [pl.col("sit_home"), pl.col("sit_away")]
    parts = [
        events.filter(pl.col("shooter").is_not_null()).select(
            pl.col("shooter").alias("player_id"), *keep,
            *(pl.col(src).alias(dst) for src, dst in _SHOOTER_STATS.items()),
        )
    ]
    for player_col, kind, out, value in _SINGLE_ROLE_STATS:
        chosen = events.filter(pl.col(player_col).is_not_null())
        if kind is not None:
            chosen = chosen.filter(pl.col("type") == kind)
        val = pl.col(value).fill_null(0.0) if value else pl.lit(1, dtype=pl.Int32)
        parts.append(chosen.select(pl.col(player_col).alias("player_id"), *keep, val.alias(out)))
    long = pl.concat(parts, how="diagonal_relaxed").join(sides, on="player_id", how="inner")
    stat_columns = [*_SHOOTER_STATS.values(), *dict.fromkeys(out for _, _, out, _ in _SINGLE_ROLE_STATS)]
    return _with_all(long).group_by("player_id", "situation").agg(pl.col(stat_columns).sum())


def on_ice_counts(on_ice: pl.DataFrame) -> pl.DataFrame:
    """player_id, situation and OnIce_F/A_* plus hits/takeaways/giveaways For/Against."""
    rows = _with_all(on_ice).with_columns(is_for=pl.col("actor_side") == pl.col("side"))
    keys = ["player_id", "situation"]
    shots = sum_for_against(rows, keys, _ON_ICE_STEMS, "OnIce_F_{}", "OnIce_A_{}")
    team_events = sum_for_against(rows, keys, _ON_ICE_TEAM_EVENTS, "{}For", "{}Against")
    return shots.join(team_events, on=keys, how="full", coalesce=True)


def _team_columns(team_counts: pl.DataFrame) -> pl.DataFrame:
    """The skater's team totals, renamed to the player-table names, keyed by side + situation."""
    teams = with_derived_counts(team_counts)
    cols = [pl.col("team_side").alias("side"), pl.col("situation")]
    for suffix in ("For", "Against"):
        cols += [pl.col(f"{stem}{suffix}") for stem in _TEAM_TOTAL_STEMS]
        cols += [
            pl.col(f"playContinuedInZone{suffix}").alias(f"continuedInZone{suffix}"),
            pl.col(f"playContinuedOutsideZone{suffix}").alias(f"continuedOutOfZone{suffix}"),
        ]
    return teams.select(cols)


def player_rows(
    ctx: GameContext,
    events: pl.DataFrame,
    team_counts: pl.DataFrame,
    shifts: pl.DataFrame | None,
    timeline: pl.DataFrame,
) -> pl.DataFrame:
    """Final ``bronze_player_game_stats_v2`` rows (exact contract schema)."""
    base = skater_base(ctx)
    sides = base.filter(pl.col("situation") == ALL).select("player_id", "side")
    frame = base.lazy().join(individual_counts(events, sides.lazy()), on=["player_id", "situation"], how="left")
    frame = frame.join(_team_columns(team_counts), on=["side", "situation"], how="left")

    if shifts is not None:
        frame = frame.join(ice_time(shifts, timeline), on=["player_id", "situation"], how="left")
        frame = frame.join(
            on_ice_counts(on_ice_events(shifts, events)), on=["player_id", "situation"], how="left"
        )
    else:
        # placeholders so the arithmetic below runs; every shift-derived column is nulled at the end
        frame = frame.with_columns(pl.lit(0).alias(c) for c in _shift_inputs())

    # counts are 0, not null, when a skater simply had no such event (shift-derived nulls are restored below)
    count_columns = [c for c in frame.collect_schema().names() if c not in base.columns]
    frame = frame.with_columns(pl.col(count_columns).fill_null(0))
    on_ice_attempts = [
        (
            pl.col(f"OnIce_{fa}_shotsOnGoal") + pl.col(f"OnIce_{fa}_missedShots")
            + pl.col(f"OnIce_{fa}_blockedShotAttempts")
        ).alias(f"OnIce_{fa}_shotAttempts")
        for fa in ("F", "A")
    ] + [
        (pl.col(f"OnIce_{fa}_shotsOnGoal") + pl.col(f"OnIce_{fa}_missedShots")).alias(
            f"OnIce_{fa}_unblockedShotAttempts"
        )
        for fa in ("F", "A")
    ]
    frame = frame.with_columns(
        on_ice_attempts,
        I_F_points=pl.col("I_F_goals") + pl.col("I_F_primaryAssists") + pl.col("I_F_secondaryAssists"),
        I_F_shotAttempts=pl.col("I_F_shotsOnGoal") + pl.col("I_F_missedShots")
        + pl.col("I_F_blockedShotAttempts"),
        I_F_unblockedShotAttempts=pl.col("I_F_shotsOnGoal") + pl.col("I_F_missedShots"),
        I_F_savedShotsOnGoal=pl.col("I_F_shotsOnGoal") - pl.col("I_F_goals"),
        I_F_savedUnblockedShotAttempts=pl.col("I_F_shotsOnGoal") + pl.col("I_F_missedShots")
        - pl.col("I_F_goals"),
    )
    # off-ice = the team's total in the situation minus what happened while the skater was on the ice
    off_ice = [
        (pl.col(f"{stem}{suffix}") - pl.col(f"OnIce_{fa}_{stem}")).alias(f"OffIce_{fa}_{stem}")
        for stem in _OFF_ICE_STEMS
        for fa, suffix in (("F", "For"), ("A", "Against"))
    ]
    frame = frame.with_columns(
        off_ice,
        corsiFor=pl.col("OnIce_F_shotAttempts"),
        corsiAgainst=pl.col("OnIce_A_shotAttempts"),
        fenwickFor=pl.col("OnIce_F_unblockedShotAttempts"),
        fenwickAgainst=pl.col("OnIce_A_unblockedShotAttempts"),
        iceTimeRank=pl.col("icetime").rank(method="min", descending=True).over("side", "situation"),
    )
    frame = frame.with_columns(
        corsiPercentage=share(pl.col("corsiFor"), pl.col("corsiAgainst")),
        fenwickPercentage=share(pl.col("fenwickFor"), pl.col("fenwickAgainst")),
        offIce_corsiPercentage=share(pl.col("OffIce_F_shotAttempts"), pl.col("OffIce_A_shotAttempts")).round(2),
        offIce_fenwickPercentage=share(
            pl.col("OffIce_F_unblockedShotAttempts"), pl.col("OffIce_A_unblockedShotAttempts")
        ).round(2),
    ).with_columns(
        onIce_corsiPercentage=pl.col("corsiPercentage").round(2),
        onIce_fenwickPercentage=pl.col("fenwickPercentage").round(2),
    )
    if shifts is None:
        frame = frame.with_columns(pl.lit(None).alias(c) for c in SHIFT_DERIVED)

    frame = frame.with_columns(
        [pl.lit(None).alias(c) for c in ALWAYS_NULL],
        playerId=pl.col("player_id").cast(pl.String),
        playerTeam=pl.col("side").replace_strict(ctx.abbrev),
        opposingTeam=pl.col("side").replace_strict({"home": ctx.abbrev["away"], "away": ctx.abbrev["home"]}),
        home_or_away=pl.col("side").str.to_uppercase(),
        gameId=pl.lit(ctx.game_id),
        gameDate=pl.lit(ctx.game_date),
        season=pl.lit(ctx.season),
    )
    # joins of a lazy plan do not promise an order: restore the boxscore order x SITUATIONS (determinism)
    return frame.sort("row_order").select(
        [pl.col(name).cast(dtype) for name, dtype in PLAYER_GAME_STATS_SCHEMA.items()]
    )
