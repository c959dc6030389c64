"""The registry of indicators against the column contract (the downstream interface, listed by hand).

Every count column of the two tables must come from ``indicators`` and every name the registry makes must be a
contract column, so that adding a statistic in one place and forgetting the other fails here, naming the
column (``test_catalog`` then requires its line in docs/DATA_DICTIONARY.md).
"""

from __future__ import annotations

import polars as pl

from nhl_bronze.contract import GAMES_HISTORICAL_SCHEMA, PLAYER_GAME_STATS_SCHEMA
from nhl_bronze.stats.batch.indicators import COUNTED, DERIVED, INDICATORS, ON_ICE, on_ice_name

# contract columns that are no count of the registry (identity, percentages, always null, per-player roles)
TEAM_OTHER = {
    "gameId", "season", "gameDate", "team", "opposingTeam", "playerTeam", "home_or_away", "situation",
    "playoffGame", "corsiPercentage", "fenwickPercentage", "xGoalsFor", "xGoalsAgainst",
}
PLAYER_OTHER = {
    "playerId", "playerTeam", "opposingTeam", "name", "position", "home_or_away", "gameId", "gameDate", "season",
    "situation", "icetime", "iceTimeRank", "shifts", "I_F_primaryAssists", "I_F_secondaryAssists", "I_F_points",
    "I_F_hits", "I_F_takeaways", "I_F_giveaways", "corsiFor", "corsiAgainst", "fenwickFor", "fenwickAgainst",
    "zoneEntriesFor", "zoneEntriesAgainst", "penaltiesFor", "penaltiesAgainst", "penalityMinutesFor",
    "penalityMinutesAgainst", "faceOffsWonFor", "faceOffsLostFor", "xGoalsFor", "xGoalsAgainst",
    "corsiPercentage", "fenwickPercentage", "onIce_corsiPercentage", "offIce_corsiPercentage",
    "onIce_fenwickPercentage", "offIce_fenwickPercentage",
}


def _team_names() -> list[str]:
    stems = [i.stem for i in COUNTED] + [d.stem for d in DERIVED]
    return [f"{stem}{suffix}" for stem in stems for suffix in ("For", "Against")]


def _player_names() -> list[str]:
    names = [f"I_F_{s.stem}" for s in (*INDICATORS, *DERIVED) if s.individual]
    names += [f"{i.skater_team}{suffix}" for i in COUNTED if i.skater_team for suffix in ("For", "Against")]
    names += [f"{d.stem}{suffix}" for d in DERIVED if d.skater_team for suffix in ("For", "Against")]
    names += [on_ice_name(i, fa) for i in ON_ICE for fa in "FA"]
    names += [f"OnIce_{fa}_{d.stem}" for d in DERIVED if d.on_ice for fa in "FA"]
    names += [f"OffIce_{fa}_{s.stem}" for s in (*ON_ICE, *DERIVED) if s.off_ice for fa in "FA"]
    return names


def test_the_team_tables_counts_are_exactly_the_registrys():
    names = _team_names()
    assert len(names) == len(set(names))
    assert set(names) - set(GAMES_HISTORICAL_SCHEMA) == set()  # made but not in the contract
    assert set(GAMES_HISTORICAL_SCHEMA) - TEAM_OTHER - set(names) == set()  # in the contract, made nowhere
    assert all(GAMES_HISTORICAL_SCHEMA[name] == pl.Int32 for name in names)


def test_the_player_tables_counts_are_exactly_the_registrys():
    names = _player_names()
    assert len(names) == len(set(names))
    assert set(names) - set(PLAYER_GAME_STATS_SCHEMA) == set()
    assert set(PLAYER_GAME_STATS_SCHEMA) - PLAYER_OTHER - set(names) == set()
    assert all(PLAYER_GAME_STATS_SCHEMA[name] == pl.Int32 for name in names)


def test_a_derived_statistic_adds_and_subtracts_its_parts():
    frame = pl.DataFrame({"sogFor": [7], "missedFor": [3], "goalsFor": [2]})
    unblocked, saved, saved_unblocked = DERIVED
    names = {"shotsOnGoal": "sogFor", "missedShots": "missedFor", "goals": "goalsFor"}
    values = frame.select(unblocked.expr(names.get).alias("u"), saved.expr(names.get).alias("s"),
                          saved_unblocked.expr(names.get).alias("su")).row(0)
    assert values == (10, 5, 8)  # 7 + 3, 7 - 2, 7 + 3 - 2
