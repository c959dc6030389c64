"""The skaters table, kept from running totals that take in only what player history gained since the last run.

Summing the latest version of every player-game row of history on every run grew with the season. Instead the
totals (``derived.skaters.skater_totals``, table ``bronze_skater_totals``) remember the history version they
reflect; a run lists the files history's commits added since (``storage.changes.files_added_since``: new
versions only, compaction skipped), reads the rows of those games, takes out the versions they superseded and
adds the new ones (``derived.skaters.apply_changes``). The result equals summing everything again
(``rebuild_skater_totals``), which is also what happens on the first run, when the log no longer lists the
commits since, or when a superseded row was where a player's name or position came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl
from polars.exceptions import ComputeError

from nhl_bronze.derived.skaters import TOTALS_SCHEMA, apply_changes, skater_totals, skaters_from_totals
from nhl_bronze.storage.changes import files_added_since
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.history import GAME_ID, VERSION, latest_versions, versions_of_games
from nhl_bronze.storage.tables import PLAYER_GAME_STATS_HISTORY, SKATER_TOTALS, SKATERS

if TYPE_CHECKING:
    from nhl_bronze.storage.snapshot import TableSnapshot

HISTORY_VERSION = "history_version"  # the player history version the totals reflect
COLUMNS = ["playerId", "playerTeam", "season", "situation", GAME_ID, "gameDate", "name", "position", "icetime",
           "I_F_goals", "I_F_shotsOnGoal", "I_F_shotAttempts", VERSION]


@dataclass(frozen=True)
class SkatersRefresh:
    skaters: pl.DataFrame
    history_version: int
    games_changed: int  # games with new versions since the previous totals (0 after a full rebuild)
    rebuilt: bool


def refresh_skaters(store: DeltaStore, full: bool = False) -> SkatersRefresh:
    """Bring the totals up to player history's current version and replace the skaters table from them."""
    history = store.open(PLAYER_GAME_STATS_HISTORY)
    version = history.delta_table().version()
    previous = None if full or not store.exists(SKATER_TOTALS) else store.scan(SKATER_TOTALS).collect()
    since = None if previous is None or previous.is_empty() else previous[HISTORY_VERSION].max()
    added = None if since is None else files_added_since(store, PLAYER_GAME_STATS_HISTORY, int(since), version)
    totals, games = None, 0
    if added is not None and previous is not None:
        try:
            totals, games = _updated(history, previous.drop(HISTORY_VERSION), added)
        except (ComputeError, OSError):  # a listed file was vacuumed since (totals older than the retention)
            totals = None
    rebuilt = totals is None
    if totals is None:
        totals = skater_totals(latest_versions(history.scan().select(COLUMNS), PLAYER_GAME_STATS_HISTORY))
    skaters = skaters_from_totals(totals)
    # Skaters first: if the run dies in between, the old totals make the next run redo these changes.
    store.replace(SKATERS, skaters)
    if rebuilt or games or since != version:
        store.replace(SKATER_TOTALS, totals.with_columns(pl.lit(version, pl.Int64).alias(HISTORY_VERSION)))
    return SkatersRefresh(skaters, version, games, rebuilt)


def _updated(history: TableSnapshot, totals: pl.DataFrame, added: list[str]) -> tuple[pl.DataFrame | None, int]:
    """The totals with the versions added in ``added`` files in place of those they superseded; None when a
    superseded row held a name or position no added row replaces."""
    if not added:
        return totals, 0
    key = list(PLAYER_GAME_STATS_HISTORY.key)
    new_versions = history.scan(added).select(*key, VERSION).collect()
    games = new_versions[GAME_ID].unique()
    rows = versions_of_games(history, games.to_list(), COLUMNS)
    before = rows.join(new_versions, on=[*key, VERSION], how="anti")  # what history held at the totals' version
    now = latest_versions(rows.lazy(), PLAYER_GAME_STATS_HISTORY).collect()
    added_rows = now.join(new_versions, on=[*key, VERSION], how="semi")
    removed_rows = (
        latest_versions(before.lazy(), PLAYER_GAME_STATS_HISTORY).collect().join(added_rows, on=key, how="semi")
    )
    return apply_changes(totals.cast(dict(TOTALS_SCHEMA)), removed_rows, added_rows), games.len()
