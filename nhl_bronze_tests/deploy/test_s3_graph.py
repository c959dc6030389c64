"""The whole graph with its tables in S3 (moto in server mode on loopback, the standard AWS_* variables):
staging -> history -> derived, a raw rebuild that makes no API call, concurrent history writers that converge
with no duplicate version, ``delta.appendOnly`` enforced by the protocol on S3, and no secret in metadata."""

from __future__ import annotations

import threading
from datetime import date

import dagster as dg
import polars as pl
import pytest
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError

from nhl_bronze.pipeline.history import merge_window
from nhl_bronze.pipeline.source import StagingSource
from nhl_bronze.protection import open_store
from nhl_bronze.resources.ingest import IngestResource
from nhl_bronze.resources.nhl_api import NhlApiResource
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY, PLAYER_GAME_STATS_STAGING
from nhl_bronze_tests.support import ALL_ASSETS, STAGING_AND_HISTORY, materialize_range

pytestmark = pytest.mark.slow  # a moto server and whole-graph runs

FIRST, LAST = "2024-10-04", "2024-10-11"
GAMES = {2024020001, 2024020009, 2024020022}  # the recorded final games of that range
HISTORY = (PLAYER_GAME_STATS_HISTORY, GAMES_HISTORICAL_HISTORY)
KEYS = {PLAYER_GAME_STATS_HISTORY: ("playerId", "gameId", "situation"),
        GAMES_HISTORICAL_HISTORY: ("gameId", "team", "situation")}


@pytest.fixture
def lake(s3_bucket) -> str:
    return s3_bucket.uri("lake")


def _metadata_text(result: dg.ExecuteInProcessResult) -> str:
    return " ".join(f"{key}={value.value!r}" for event in result.get_asset_materialization_events()
                    for key, value in event.materialization.metadata.items())


def test_the_whole_graph_runs_on_s3_and_a_raw_rebuild_makes_no_api_call(lake, s3_bucket, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a URI mistaken for a path would show up as a local ./s3: folder
    result = materialize_range(ALL_ASSETS, lake, FIRST, LAST)
    store = open_store(lake)

    teams = store.scan(GAMES_HISTORICAL_HISTORY).collect()
    assert set(teams["gameId"].unique().to_list()) == GAMES
    assert teams.height == 8 * len(GAMES)  # 2 teams x 4 situations per game, one version each
    for spec in HISTORY:
        assert store.table(spec).metadata().configuration.get("delta.appendOnly") == "true", spec.name
    keys = s3_bucket.server.keys(s3_bucket.name, "lake/")
    for table in ("bronze_player_game_stats_v2", "bronze_games_historical_v2", "bronze_schedule_2023_v2",
                  "bronze_skaters_2023_v2", "bronze_player_game_stats_v2_staging", "raw_nhl_api_responses"):
        assert any(key.startswith(f"lake/{table}/_delta_log/") for key in keys), f"{table} not in the bucket"
    assert list(tmp_path.iterdir()) == [], f"local files written: {list(tmp_path.iterdir())}"

    secret = s3_bucket.server.secret_access_key
    assert secret not in _metadata_text(result)
    assert not [event for event in result.all_events if secret in str(event)]

    # Rebuild from the raw bodies stored in S3, with an API that cannot answer (nothing listens on port 9):
    # the run succeeds, so it made no call, and history gains nothing because nothing changed. Two parse workers:
    # each reads its week from the bucket itself, with the store's options and the variables it inherited.
    history_rows = {spec.name: store.row_count(spec) for spec in HISTORY}
    offline = {"nhl_api": NhlApiResource(web_api_url="http://127.0.0.1:9/v1", stats_api_url="http://127.0.0.1:9/s",
                                         max_retries=0, timeout_seconds=1),
               "ingest": IngestResource(source=StagingSource.RAW, parse_workers=2)}
    rebuilt = materialize_range(STAGING_AND_HISTORY, lake, FIRST, LAST, resources=offline)
    assert rebuilt.success
    assert set(store.scan(PLAYER_GAME_STATS_STAGING).collect()["gameId"].unique().to_list()) == GAMES
    assert {spec.name: store.row_count(spec) for spec in HISTORY} == history_rows


def test_concurrent_history_writers_on_s3_converge_without_duplicate_versions(lake):
    materialize_range(STAGING_AND_HISTORY[:1], lake, FIRST, LAST)  # staging only: history is still empty
    store, failures = open_store(lake), []

    def merge(run_id: str) -> None:
        try:
            merge_window(store, date.fromisoformat(FIRST), date(2024, 10, 12), run_id)
        except Exception as error:  # reported below with the writer's run id
            failures.append(f"{run_id}: {error!r}")

    writers = [threading.Thread(target=merge, args=(f"writer-{n}",)) for n in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=180)
    assert not failures, failures

    for spec in HISTORY:
        rows = store.scan(spec).collect()
        assert set(rows["gameId"].unique().to_list()) == GAMES, spec.name
        assert rows.select(KEYS[spec]).is_duplicated().sum() == 0, f"{spec.name}: a key stored twice"
        assert rows["_version"].unique().to_list() == [rows["_version"].min()], f"{spec.name}: versions {rows}"


def test_append_only_is_enforced_by_the_protocol_on_s3(lake):
    materialize_range(STAGING_AND_HISTORY, lake, FIRST, FIRST)
    store = open_store(lake)
    uri = store.uri(GAMES_HISTORICAL_HISTORY)
    rows = store.scan(GAMES_HISTORICAL_HISTORY).collect()
    with pytest.raises(CommitFailedError, match="append-only"):
        DeltaTable(uri).delete("gameId = 2024020001")
    with pytest.raises(CommitFailedError, match="append-only"):
        write_deltalake(uri, rows.head(1), mode="overwrite")
    assert pl.read_delta(uri).height == rows.height == 8
