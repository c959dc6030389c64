"""The store on an S3 root (moto on loopback): history versioning, the audit reading the log over S3, and a
tampered table refused, with credentials from the standard AWS_* variables only."""

import polars as pl
import pytest
from deltalake import DeltaTable

from nhl_bronze.protection import open_store
from nhl_bronze.protection.audit import HistoryTamperedError, audit_table
from nhl_bronze.protection.merge import merge_new_versions
from nhl_bronze.readers.history import latest as read_latest
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, GAMES_HISTORICAL_STAGING
from nhl_bronze_tests.storage.rows import D1, D2, D3, NOW, team_rows

HISTORY = GAMES_HISTORICAL_HISTORY


def test_history_on_s3_versions_audits_and_refuses_a_restore(s3_bucket):
    store = open_store(s3_bucket.uri("lake with space"))
    store.overwrite_window(GAMES_HISTORICAL_STAGING, team_rows(D1, 1), D1, D2)
    staged = store.open(GAMES_HISTORICAL_STAGING)
    merge_new_versions(store, HISTORY, lambda: staged.scan_window(D1, D2).collect(), D1, D2, "r1", NOW)
    merge_new_versions(store, HISTORY, lambda: team_rows(D1, 1, goals=4), D1, D2, "r2", NOW)
    merge_new_versions(store, HISTORY, lambda: team_rows(D2, 2), D2, D3, "r3", NOW)

    assert store.uri(HISTORY) == f"s3://{s3_bucket.name}/lake with space/{HISTORY.name}"
    latest = read_latest(store, HISTORY).collect()
    assert latest.height == 4
    assert latest.filter(pl.col("team") == "TOR", pl.col("gameId") == 1)["goalsFor"].to_list() == [4]
    report = audit_table(store, HISTORY, full=True)
    assert report.ok and report.version == store.version(HISTORY)

    DeltaTable(store.uri(HISTORY)).restore(1)
    restored = store.version(HISTORY)
    with pytest.raises(HistoryTamperedError, match=rf"Delta version {restored} \(RESTORE\)"):
        merge_new_versions(store, HISTORY, lambda: team_rows(D3, 3), D3, D3.replace(day=11), "r4", NOW)
