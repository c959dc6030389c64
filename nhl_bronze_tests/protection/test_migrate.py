"""Issue 12: moving history from day partitions to season partitions, on a copy, with simulated crashes."""

import dataclasses
import os
import shutil
from datetime import date, timedelta

import polars as pl
import pytest
from deltalake import DeltaTable

from nhl_bronze.protection import audit, open_store
from nhl_bronze.protection.audit import audit_table
from nhl_bronze.protection.merge import merge_new_versions
from nhl_bronze.protection.migrate import MigrationError, migrate_history_layout, table_digest
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY
from nhl_bronze_tests.storage.rows import NOW, team_rows

HISTORY = GAMES_HISTORICAL_HISTORY
BY_DAY = dataclasses.replace(HISTORY, partition_by=("gameDate",))
DAYS = [date(2024, 4, 10), date(2024, 4, 11), date(2024, 10, 8), date(2024, 10, 9)]  # two seasons


class Crash(Exception):
    pass


def season_rows(day: date, game_id: int, goals: int = 3) -> pl.DataFrame:
    season = day.year * 10000 + day.year + 1 if day.month >= 9 else (day.year - 1) * 10000 + day.year
    return team_rows(day, game_id, goals).with_columns(pl.lit(season, pl.Int32).alias("season"))


@pytest.fixture(scope="module")
def built_by_day(tmp_path_factory):
    """A history table created by the old layout (one partition per day), with corrected versions."""
    store = open_store(tmp_path_factory.mktemp("by_day"))
    for n, day in enumerate(DAYS):
        merge_new_versions(store, BY_DAY, lambda d=day, n=n: season_rows(d, n + 1), day, day + timedelta(days=1),
                           f"run-{n}", NOW)
    merge_new_versions(store, BY_DAY, lambda: season_rows(DAYS[0], 1, goals=7), DAYS[0], DAYS[1], "fix", NOW)
    return store.root


@pytest.fixture
def store(built_by_day, tmp_path):
    shutil.copytree(built_by_day, tmp_path / "lake")
    audit._ledgers.clear()
    return open_store(tmp_path / "lake")


def snapshot(store) -> pl.DataFrame:
    rows = store.scan(HISTORY).collect()
    return rows.select(sorted(rows.columns)).sort("gameId", "team", "_version")


def test_migration_moves_every_version_of_every_row_and_keeps_a_backup(store):
    before = snapshot(store)
    report = migrate_history_layout(store, HISTORY)

    assert (report.old_partition_by, report.new_partition_by) == (("gameDate",), ("season",))
    assert report.rows_copied == before.height == 9  # 4 games x 2 teams + 1 correction
    assert DeltaTable(store.uri(HISTORY)).metadata().partition_columns == ["season"]
    assert sorted(os.listdir(store.uri(HISTORY))) == ["_delta_log", "season=20232024", "season=20242025"]
    assert snapshot(store).equals(before)
    backup = DeltaTable(report.backup)
    assert backup.metadata().partition_columns == ["gameDate"] and backup.metadata().configuration[
        "delta.appendOnly"] == "true"
    assert audit_table(store, HISTORY, full=True).ok
    merged = merge_new_versions(store, HISTORY, lambda: season_rows(DAYS[1], 2, goals=9), DAYS[1], DAYS[2], "after",
                                NOW)
    assert merged.rows_written == 1  # history goes on in the new layout
    assert migrate_history_layout(store, HISTORY).already_done


@pytest.mark.parametrize("crash_at", ["copied {'season': 20242025}", "verified", "backed up"])
def test_a_migration_interrupted_at_any_step_completes_when_run_again(store, crash_at):
    before = snapshot(store)

    def crash(step: str) -> None:
        if step == crash_at:
            raise Crash(step)

    with pytest.raises(Crash):
        migrate_history_layout(store, HISTORY, on_step=crash)
    report = migrate_history_layout(store, HISTORY)

    assert DeltaTable(store.uri(HISTORY)).metadata().partition_columns == ["season"]
    assert snapshot(store).equals(before)
    assert report.digest == table_digest(store.scan(HISTORY), HISTORY)
    assert not os.path.exists(store.uri(HISTORY) + "__migrating")


def test_a_new_table_missing_a_row_is_not_switched_in(store, monkeypatch):
    real_append = store.append

    def lossy_append(spec, frame, **options):  # every chunk copied to the new table loses its last row on the way
        return real_append(spec, frame.head(frame.height - 1) if spec.name.endswith("__migrating") else frame,
                           **options)

    monkeypatch.setattr(store, "append", lossy_append)
    with pytest.raises(MigrationError, match="does not hold every version of every row"):
        migrate_history_layout(store, HISTORY)
    assert DeltaTable(store.uri(HISTORY)).metadata().partition_columns == ["gameDate"]  # live table untouched
