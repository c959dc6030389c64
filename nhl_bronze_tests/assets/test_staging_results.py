"""Where staging's per-game lists go: on every date's materialization for a short run, once on the
``all_games_staged`` check for a long one (a range run copies materialization metadata to each of its dates)."""

from datetime import date, timedelta

import dagster as dg

from nhl_bronze.assets.staging import ALL_GAMES_STAGED, FAILED_GAMES, staging_results
from nhl_bronze.client.errors import GameFetchError
from nhl_bronze.client.window import UnfetchedGame
from nhl_bronze.pipeline.report import StagingReport, TableState
from nhl_bronze.storage.tables import GAMES_HISTORICAL_STAGING, PLAYER_GAME_STATS_STAGING

START = date(2024, 10, 1)


def results(days: int) -> tuple[list[dg.MaterializeResult], dg.AssetCheckResult]:
    report = StagingReport("raw", START, START + timedelta(days=days))
    report.pending_games = [UnfetchedGame(START, 2024020005, "gameState LIVE", {})]
    report.pending = ["2024020005 (2024-10-01): gameState LIVE"]
    report.failures = [GameFetchError(2024020009, START, "boxscore", "http://nhl.test/b", "HTTP 500")]
    report.tables = {spec.name: TableState(spec.name, f"/t/{spec.name}", 3, 10, 0)
                     for spec in (PLAYER_GAME_STATS_STAGING, GAMES_HISTORICAL_STAGING)}
    out = list(staging_results(report))
    [check] = [r for r in out if isinstance(r, dg.AssetCheckResult) and r.check_name == ALL_GAMES_STAGED]
    return [r for r in out if isinstance(r, dg.MaterializeResult)], check


def test_a_short_run_lists_the_games_on_each_materialization_and_on_the_check():
    materializations, check = results(days=3)
    for result in materializations:
        assert [r.data["game_id"] for r in result.metadata["pending_games"].records] == [2024020005]
        assert [r.data["game_id"] for r in result.metadata[FAILED_GAMES].records] == [2024020009]
    assert [r.data["game_id"] for r in check.metadata[FAILED_GAMES].records] == [2024020009]


def test_a_long_run_keeps_counts_on_the_materializations_and_the_lists_on_the_check():
    materializations, check = results(days=400)
    for result in materializations:
        assert "pending_games" not in result.metadata and FAILED_GAMES not in result.metadata
        assert (result.metadata["games_pending"], result.metadata["games_failed"]) == (1, 1)
    assert [r.data["game_id"] for r in check.metadata["pending_games"].records] == [2024020005]
    assert [r.data["game_id"] for r in check.metadata[FAILED_GAMES].records] == [2024020009]
    assert check.metadata["failed_dates"].value == ["2024-10-01"]
