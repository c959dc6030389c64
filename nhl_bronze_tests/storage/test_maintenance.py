"""Maintenance on real Delta tables: fewer files, same rows, time travel kept, killed runs' files removed."""

import os
import time
from pathlib import Path

import polars as pl
import pytest
from deltalake import DeltaTable

from nhl_bronze.protection import open_store
from nhl_bronze.protection.audit import audit_table
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.maintenance import MIN_RETENTION_HOURS, RetentionTooShortError, maintain_table
from nhl_bronze.storage.tables import TableSpec

# Protected like history and the raw store: created with delta.appendOnly=true.
EVENTS = TableSpec("maintenance_events", ("id",), protected=True)
DAY_A, DAY_B = 20241008, 20241009
TEN_DAYS_AGO = time.time() - 10 * 24 * 3600


def rows(day: int, first_id: int, count: int = 4) -> pl.DataFrame:
    return pl.DataFrame(
        {"id": range(first_id, first_id + count), "gameDate": [day] * count, "value": [f"v{first_id}"] * count},
        schema={"id": pl.Int64, "gameDate": pl.Int32, "value": pl.String},
    )


@pytest.fixture
def store(tmp_path) -> DeltaStore:
    return open_store(tmp_path)


def append_three_files(store: DeltaStore, day: int, first_id: int) -> None:
    for i in range(3):
        store.append(EVENTS, rows(day, first_id + 10 * i))


def table_dir(store: DeltaStore) -> Path:
    return Path(store.uri(EVENTS))


def all_rows(store: DeltaStore, version: int | None = None) -> pl.DataFrame:
    return pl.read_delta(str(table_dir(store)), version=version).sort("id")


def test_compaction_leaves_one_file_per_partition_and_the_same_rows(store):
    append_three_files(store, DAY_A, 0)
    append_three_files(store, DAY_B, 100)
    before = all_rows(store)

    report = maintain_table(store, EVENTS)

    assert (report.before.files, report.after.files) == (6, 2)
    assert (report.partitions_compacted, report.files_compacted, report.files_written) == (2, 6, 2)
    assert all_rows(store).equals(before)
    assert report.version_after > report.version_before
    assert DeltaTable(str(table_dir(store))).metadata().configuration.get("delta.appendOnly") == "true"


def test_only_partitions_touched_after_since_version_are_compacted(store):
    append_three_files(store, DAY_A, 0)
    maintained = DeltaTable(str(table_dir(store))).version()
    append_three_files(store, DAY_B, 100)

    report = maintain_table(store, EVENTS, since_version=maintained)

    assert report.partitions_touched == 1
    assert (report.before.files, report.after.files) == (6, 4)  # day A's three files stay as they are


def test_nothing_touched_since_the_last_run_compacts_nothing(store):
    append_three_files(store, DAY_A, 0)
    first = maintain_table(store, EVENTS)

    second = maintain_table(store, EVENTS, since_version=first.version_after)

    assert (second.partitions_touched, second.files_compacted, second.files_vacuumed) == (0, 0, 0)
    assert second.version_after == first.version_after


def test_vacuum_removes_old_unreferenced_files_and_keeps_time_travel(store):
    append_three_files(store, DAY_A, 0)
    for data_file in table_dir(store).rglob("*.parquet"):  # written "ten days ago"
        os.utime(data_file, (TEN_DAYS_AGO, TEN_DAYS_AGO))
    before_compaction = DeltaTable(str(table_dir(store))).version()
    partition = next(table_dir(store).glob("gameDate=*"))
    killed_run_file = partition / "part-killed-run.parquet"
    killed_run_file.write_bytes(b"never committed")
    os.utime(killed_run_file, (TEN_DAYS_AGO, TEN_DAYS_AGO))
    running_writer_file = partition / "part-still-writing.parquet"
    running_writer_file.write_bytes(b"not committed yet")

    report = maintain_table(store, EVENTS)

    assert report.files_vacuumed == 1
    assert not killed_run_file.exists()
    assert running_writer_file.exists()
    # The compacted-away files are old too, but they were removed just now: the version before still reads.
    assert all_rows(store, version=before_compaction).equals(all_rows(store))


def test_checkpoint_is_written_at_the_maintained_version(store):
    append_three_files(store, DAY_A, 0)

    report = maintain_table(store, EVENTS)

    assert report.checkpoint_version == report.version_after
    checkpoint = table_dir(store) / "_delta_log" / f"{report.version_after:020d}.checkpoint.parquet"
    assert checkpoint.exists()
    assert report.after.log_files == report.before.log_files + 3  # optimize commit, checkpoint, _last_checkpoint


@pytest.mark.parametrize("retention_hours", [0, MIN_RETENTION_HOURS - 1])
def test_a_retention_below_the_minimum_is_refused_before_anything_is_done(store, retention_hours):
    append_three_files(store, DAY_A, 0)
    version = DeltaTable(str(table_dir(store))).version()

    with pytest.raises(RetentionTooShortError, match=r"maintenance_events.*minimum is 24 h"):
        maintain_table(store, EVENTS, retention_hours=retention_hours)

    assert DeltaTable(str(table_dir(store))).version() == version


def test_a_table_that_does_not_exist_yet_is_left_alone(store):
    report = maintain_table(store, EVENTS)

    assert report.version_before is None and report.before is None
    assert not table_dir(store).exists()


def test_appends_after_maintenance_keep_working(store):
    append_three_files(store, DAY_A, 0)
    maintain_table(store, EVENTS)

    store.append(EVENTS, rows(DAY_A, 500))

    assert all_rows(store)["id"].to_list() == [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23, 500, 501, 502, 503]


def test_history_audit_stays_green_after_compaction_and_vacuum(store):
    append_three_files(store, DAY_A, 0)
    killed_run_file = next(table_dir(store).glob("gameDate=*")) / "part-killed-run.parquet"
    killed_run_file.write_bytes(b"never committed")
    os.utime(killed_run_file, (TEN_DAYS_AGO, TEN_DAYS_AGO))
    maintain_table(store, EVENTS)

    report = audit_table(store, EVENTS, full=True)
    assert report.ok, report.problems


SEASONS = TableSpec("maintenance_seasons", ("id",), partition_by=("season",), protected=True)


def test_sorted_compaction_writes_files_of_disjoint_date_ranges_and_keeps_every_row_and_the_audit(store):
    # Daily appends arriving out of date order (a re-run of an older day), each its own file
    for day in (3, 1, 4, 2, 6, 5, 8, 7):
        store.append(SEASONS, pl.DataFrame({"id": range(day * 1000, day * 1000 + 400), "gameDate": 20241000 + day,
                                            "season": 20242025, "value": [f"player {i}" for i in range(400)]}))
    before = store.scan(SEASONS).collect().sort("id")

    report = maintain_table(store, SEASONS, sorted_file_bytes=6000)

    files = pl.DataFrame(store.table(SEASONS).get_add_actions(flatten=True)).sort("min.gameDate")
    assert 1 < files.height < 8
    # Each file holds a run of consecutive dates: a file's range ends where the next one's starts (a date may be
    # split between two files), whatever order the days arrived in
    assert (files["max.gameDate"].head(-1) <= files["min.gameDate"].tail(-1)).all()
    assert (files["max.gameDate"] - files["min.gameDate"] < 7).all()
    assert store.scan(SEASONS).collect().sort("id").equals(before)
    assert report.files_compacted == 8
    assert audit_table(store, SEASONS, full=True).ok
