"""DuckDB reads current history with the pinned, offline ``delta`` extension; the SQL matches the polars reader."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from nhl_bronze.readers import as_of, latest
from nhl_bronze.readers import duckdb as bronze_duckdb
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY


def _same_rows(left: pl.DataFrame, right: pl.DataFrame, key) -> None:
    # DuckDB names the zone of _ingested_at "Etc/UTC", polars "UTC": the same instants.
    right = right.with_columns(pl.col("_ingested_at").dt.convert_time_zone("UTC"))
    assert_frame_equal(left.sort(list(key)), right.select(left.columns).sort(list(key)))


def test_delta_extension_loads_from_the_installed_wheel_without_downloading(tmp_path):
    import duckdb

    con = duckdb.connect()
    # An empty extension directory and no auto-install: the only way to get `delta` is the wheel's binary.
    con.execute(f"SET extension_directory = '{tmp_path}'")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute(f"LOAD '{bronze_duckdb.delta_extension_path()}'")
    loaded = con.sql("SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'delta'").fetchone()
    assert loaded == (True,)


def test_latest_sql_in_duckdb_equals_the_polars_reader(recorded_history):
    con = bronze_duckdb.connect()
    for spec in (PLAYER_GAME_STATS_HISTORY, GAMES_HISTORICAL_HISTORY):
        uri = str(recorded_history.data_dir / spec.name)
        expected = latest(uri).collect()
        from_duckdb = bronze_duckdb.latest(con, uri).pl()
        assert from_duckdb.height == expected.height and "_latest_version" not in from_duckdb.columns
        _same_rows(expected, from_duckdb, spec.key)
        # The portable (Spark/Databricks) form, run here on DuckDB's scan of the same table.
        spark_form = bronze_duckdb.latest_sql(uri, dialect="spark", scan=f"delta_scan('{uri}')")
        _same_rows(expected, con.sql(spark_form).pl(), spec.key)


def test_latest_sql_as_of_equals_the_polars_as_of(recorded_history):
    con = bronze_duckdb.connect()
    uri = str(recorded_history.data_dir / PLAYER_GAME_STATS_HISTORY.name)
    moment = recorded_history.between_runs.isoformat()
    expected = as_of(uri, moment).collect()
    assert expected["_version"].max() == 1  # the correction came after the moment
    _same_rows(expected, bronze_duckdb.latest(con, uri, as_of=moment).pl(), PLAYER_GAME_STATS_HISTORY.key)


def test_spark_sql_names_the_delta_path_and_keys():
    sql = bronze_duckdb.latest_sql("/lake/bronze_games_historical_v2", dialect="spark")
    assert "delta.`/lake/bronze_games_historical_v2`" in sql
    assert "GROUP BY gameId, team, situation" in sql and "USING (gameId, team, situation, _version)" in sql
