"""The maintenance asset through real Dagster runs: it maintains every table and remembers where it stopped."""

from datetime import date

import dagster as dg
import polars as pl
import pytest

from nhl_bronze.assets.maintenance import MAINTAINED_VERSIONS, bronze_table_maintenance
from nhl_bronze.protection import open_store
from nhl_bronze.resources.lakehouse import LakehouseResource
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import GAMES_HISTORICAL_STAGING, RAW_API_RESPONSES

D1, D2, D3 = date(2024, 10, 8), date(2024, 10, 9), date(2024, 10, 10)


def raw_rows(day: int, key: str) -> pl.DataFrame:
    return pl.DataFrame(
        {"endpoint": ["boxscore"], "key": [key], "gameDate": [day], "body": [key.encode()]},
        schema={"endpoint": pl.String, "key": pl.String, "gameDate": pl.Int32, "body": pl.Binary},
    )


def staged(day: date, game_id: int) -> pl.DataFrame:
    return pl.DataFrame({"gameId": [game_id], "gameDate": [int(day.strftime("%Y%m%d"))], "season": [20242025],
                         "team": ["TOR"], "situation": ["all"]},
                        schema_overrides={"gameId": pl.Int32, "gameDate": pl.Int32, "season": pl.Int32})


def maintain(instance: dg.DagsterInstance, data_dir, retention_hours: int = 168) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [bronze_table_maintenance],
        instance=instance,
        resources={"lakehouse": LakehouseResource(data_dir=str(data_dir))},
        run_config={"ops": {"bronze_table_maintenance": {"config": {"retention_hours": retention_hours}}}},
        raise_on_error=False,
    )


def metadata(result: dg.ExecuteInProcessResult) -> dict:
    [materialization] = result.asset_materializations_for_node("bronze_table_maintenance")
    return {k: v.value for k, v in materialization.metadata.items()}


@pytest.fixture
def store(tmp_path) -> DeltaStore:
    store = open_store(tmp_path)
    for i in range(3):  # three landings of one game date: three small files in one partition
        store.append(RAW_API_RESPONSES, raw_rows(20241008, f"g{i}"))
    store.overwrite_window(GAMES_HISTORICAL_STAGING, staged(D1, 1), D1, D2)
    store.overwrite_window(GAMES_HISTORICAL_STAGING, staged(D2, 2), D2, D3)
    return store


def test_maintenance_compacts_every_table_and_records_the_versions(store, tmp_path):
    with dg.instance_for_test() as instance:
        result = maintain(instance, tmp_path)

    assert result.success
    values = metadata(result)
    # raw: three files of one date partition; staging: two dates' files of one season partition
    assert (values["files_before"], values["files_after"]) == (3 + 2, 1 + 1)
    assert values[RAW_API_RESPONSES.name]["files_compacted"] == 3
    assert values[GAMES_HISTORICAL_STAGING.name]["files_compacted"] == 2
    assert values[MAINTAINED_VERSIONS] == {
        RAW_API_RESPONSES.name: store.version(RAW_API_RESPONSES),
        GAMES_HISTORICAL_STAGING.name: store.version(GAMES_HISTORICAL_STAGING),
    }
    assert store.scan(RAW_API_RESPONSES).collect()["key"].sort().to_list() == ["g0", "g1", "g2"]


def test_the_next_run_looks_only_at_partitions_touched_since_the_last_one(store, tmp_path):
    with dg.instance_for_test() as instance:
        maintain(instance, tmp_path)
        store.append(RAW_API_RESPONSES, raw_rows(20241009, "g9"))
        store.append(RAW_API_RESPONSES, raw_rows(20241009, "g10"))

        values = metadata(maintain(instance, tmp_path))

    raw = values[RAW_API_RESPONSES.name]
    assert (raw["partitions_touched"], raw["files_compacted"], raw["files_after"]) == (1, 2, 2)
    assert values[GAMES_HISTORICAL_STAGING.name]["partitions_touched"] == 0


def test_a_retention_below_the_minimum_fails_the_run_naming_the_tables(store, tmp_path):
    with dg.instance_for_test() as instance:
        result = maintain(instance, tmp_path, retention_hours=0)

    assert not result.success
    message = result.failure_data_for_node("bronze_table_maintenance").error.message
    assert RAW_API_RESPONSES.name in message and "minimum is 24 h" in message
