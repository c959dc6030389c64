"""Issue 12: importing the old system's exports (Parquet or Delta, bronze column contract) into history."""

from datetime import UTC, date, datetime

import polars as pl
import pytest
from deltalake import write_deltalake

from nhl_bronze.contract import GAMES_HISTORICAL_COLUMNS
from nhl_bronze.protection.importer import ImportValidationError, import_into_history
from nhl_bronze.protection.merge import merge_new_versions
from nhl_bronze.readers.history import latest as read_latest
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY

HISTORY = GAMES_HISTORICAL_HISTORY
OLD_RUN = "old-system-export-2024"
FILLER = {pl.Int32: 1, pl.Int64: 1, pl.Float64: 0.5, pl.String: "x", pl.Date: date(2024, 10, 8)}


def export_rows(games: dict[int, int], goals: int = 3) -> pl.DataFrame:
    """Rows with every contract column (two teams x one situation per game), as an old export holds them."""
    rows = []
    for game_id, game_date in games.items():
        for team in ("TOR", "MTL"):
            row = {c.name: FILLER[c.dtype.base_type()] for c in GAMES_HISTORICAL_COLUMNS}
            row |= {"gameId": game_id, "gameDate": game_date, "team": team, "situation": "all", "season": 20242025,
                    "goalsFor": goals}
            rows.append(row)
    return pl.DataFrame(rows, schema={c.name: c.dtype for c in GAMES_HISTORICAL_COLUMNS})


def test_a_parquet_export_becomes_versions_and_a_later_fetch_corrects_on_top(store, tmp_path):
    export = tmp_path / "export.parquet"
    export_rows({1: 20241008, 2: 20241109}).write_parquet(export)

    first = import_into_history(store, HISTORY, str(export), OLD_RUN)
    again = import_into_history(store, HISTORY, str(export), OLD_RUN)

    assert (first.rows_read, first.rows_inserted, again.rows_inserted) == (4, 4, 0)
    history = store.scan(HISTORY).collect()
    assert history["_run_id"].unique().to_list() == [OLD_RUN] and history["_version"].unique().to_list() == [1]
    fetched = export_rows({1: 20241008}, goals=4)
    merge_new_versions(store, HISTORY, lambda: fetched, date(2024, 10, 8), date(2024, 10, 9), "fetch",
                       datetime.now(UTC))
    latest = read_latest(store, HISTORY).collect().filter(pl.col("gameId") == 1)
    assert latest[["goalsFor", "_version", "_run_id"]].unique().rows() == [(4, 2, "fetch")]
    assert store.scan(HISTORY).collect().height == 6  # the imported versions stay


def test_a_delta_export_imports_and_keys_already_fetched_are_not_shadowed(store, tmp_path):
    merge_new_versions(store, HISTORY, lambda: export_rows({1: 20241008}, goals=5), date(2024, 10, 8),
                       date(2024, 10, 9), "fetch", datetime.now(UTC))
    write_deltalake(str(tmp_path / "export"), export_rows({1: 20241008, 2: 20241008}))

    report = import_into_history(store, HISTORY, str(tmp_path / "export"), OLD_RUN)

    assert (report.rows_inserted, report.rows_skipped_existing) == (2, 2)
    latest = read_latest(store, HISTORY).collect()
    assert latest.filter(pl.col("gameId") == 1)["_run_id"].unique().to_list() == ["fetch"]
    superseding = import_into_history(store, HISTORY, str(tmp_path / "export"), "reimport", supersede=True)
    assert superseding.rows_inserted == 2  # game 1's differing rows become version 2; game 2 is unchanged


@pytest.mark.parametrize(("broken", "message"), [
    (lambda f: f.drop("xGoalsFor"), r"missing columns \['xGoalsFor'\]"),
    (lambda f: f.with_columns(pl.lit(1).alias("mystery")), r"unknown columns \['mystery'\]"),
    (lambda f: f.with_columns(pl.lit("n/a").alias("goalsFor")), r"contract types"),
    (lambda f: f.with_columns(pl.lit(None, pl.String).alias("team")), r"required values are null.*team"),
    (lambda f: pl.concat([f, f.head(1)]), r"share a key.*game 1"),
])
def test_an_export_that_breaks_the_contract_is_refused_and_nothing_is_written(store, tmp_path, broken, message):
    export = tmp_path / "broken.parquet"
    broken(export_rows({1: 20241008})).write_parquet(export)
    with pytest.raises(ImportValidationError, match=message):
        import_into_history(store, HISTORY, str(export), OLD_RUN)
    assert not store.exists(HISTORY)
