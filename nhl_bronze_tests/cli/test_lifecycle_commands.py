"""``nhl-bronze migrate`` and ``nhl-bronze import`` on copies of real history, through the console script."""

from __future__ import annotations

import shutil

import polars as pl
from deltalake import DeltaTable

from nhl_bronze.contract import GAMES_HISTORICAL_COLUMNS
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY
from nhl_bronze_tests.cli.test_console_script import nhl_bronze

NAME = GAMES_HISTORICAL_HISTORY.name
KEY = ["gameId", "team", "situation", "_version"]


def test_migrate_moves_history_to_another_layout_keeps_a_backup_and_is_idempotent(recorded_history, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(recorded_history.data_dir, data_dir)
    rows_before = pl.read_delta(str(data_dir / NAME)).sort(KEY)
    old_layout = DeltaTable(str(data_dir / NAME)).metadata().partition_columns
    new_layout = "gameDate" if old_layout != ["gameDate"] else "season"

    result = nhl_bronze("migrate", "--table", NAME, "--partition-by", new_layout, "--data-dir", str(data_dir))
    assert result.returncode == 0, result.stderr
    assert DeltaTable(str(data_dir / NAME)).metadata().partition_columns == [new_layout]
    assert pl.read_delta(str(data_dir / NAME)).sort(KEY).equals(rows_before)
    backups = [p.name for p in data_dir.iterdir() if p.name.startswith(f"{NAME}__backup")]
    assert len(backups) == 1 and backups[0] in result.stdout
    assert f"{rows_before.height} rows copied" in result.stdout
    assert f"migrating {NAME}" in result.stderr

    again = nhl_bronze("migrate", "--table", NAME, "--partition-by", new_layout, "-q", "--data-dir", str(data_dir))
    assert again.returncode == 0 and "already partitioned" in again.stdout


def test_import_adds_an_old_export_once_labelled_with_its_source(recorded_history, tmp_path):
    export = tmp_path / "old_system_export.parquet"
    contract = [c.name for c in GAMES_HISTORICAL_COLUMNS]
    current = pl.read_delta(str(recorded_history.data_dir / NAME)).filter(pl.col("_version") == 1)
    current.select(contract).write_parquet(export)
    data_dir = tmp_path / "fresh"

    args = ("import", str(export), "--table", NAME, "--label", "old-system-2024", "-q", "--data-dir", str(data_dir))
    first = nhl_bronze(*args)
    assert first.returncode == 0, first.stderr
    imported = pl.read_delta(str(data_dir / NAME))
    assert imported.height == current.height and imported["_run_id"].unique().to_list() == ["old-system-2024"]
    assert f"{current.height} inserted" in first.stdout

    second = nhl_bronze(*args)  # importing the same export again adds nothing
    assert second.returncode == 0 and pl.read_delta(str(data_dir / NAME)).height == current.height


def test_import_refuses_an_export_off_the_contract_and_names_it(recorded_history, tmp_path):
    export = tmp_path / "broken_export.parquet"
    pl.read_delta(str(recorded_history.data_dir / NAME)).select("gameId", "team", "situation").write_parquet(export)
    result = nhl_bronze("import", str(export), "--table", NAME, "--label", "broken", "-q",
                        "--data-dir", str(tmp_path / "fresh"))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{NAME}: import of {export} failed: ImportValidationError")
