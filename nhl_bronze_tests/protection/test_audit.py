"""The history audit against real tampering: each attack is done with deltalake or the file system directly,
as an operator (or a bug elsewhere) would, and the next protected write must refuse, naming what happened."""

import os

import polars as pl
import pytest
from deltalake import DeltaTable

from nhl_bronze.protection import audit
from nhl_bronze.protection.audit import HistoryTamperedError, audit_protected, audit_table
from nhl_bronze.protection.merge import merge_new_versions
from nhl_bronze.protection.record import commit_fields
from nhl_bronze.protection.recovery import RecoveryError, recover_history
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.maintenance import maintain_table
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, RAW_API_RESPONSES
from nhl_bronze_tests.storage.rows import D1, D2, D3, NOW, team_rows

HISTORY = GAMES_HISTORICAL_HISTORY


def merge(store, frame, start, end, run_id="r"):
    return merge_new_versions(store, HISTORY, lambda: frame, start, end, run_id, NOW)


@pytest.fixture
def history(store):
    merge(store, team_rows(D1, 1), D1, D2)
    merge(store, team_rows(D2, 2), D2, D3)
    return store


def fresh_process(store: DeltaStore) -> DeltaStore:
    """Forget what this process read of the ledger: the next audit reads it again, as a new run would."""
    audit._ledgers.clear()
    return store


def test_a_clean_table_passes_and_the_projects_maintenance_keeps_it_clean(history):
    assert audit_table(history, HISTORY).ok
    report = maintain_table(history, HISTORY, since_version=0)
    assert report.files_compacted > 0  # maintenance did commit (compaction), and the ledger recorded it
    assert audit_table(fresh_process(history), HISTORY, full=True, deep=True).ok
    merge(history, team_rows(D2, 2, goals=5), D2, D3)  # and writes go on
    assert history.row_count(HISTORY) == 5


def test_a_compaction_committed_outside_the_project_is_reported(history):
    """Even a harmless commit is one the ledger did not record: reported, never assumed honest."""
    history.table(HISTORY).optimize.compact()
    report = audit_table(fresh_process(history), HISTORY)
    version = history.version(HISTORY)
    assert [(p.version, p.operation) for p in report.problems][:1] == [(version, "OPTIMIZE")]
    assert "unknown to the ledger" in report.problems[0].message


def test_restore_is_caught_before_the_next_write(history):
    history.table(HISTORY).restore(0)
    bad = history.version(HISTORY)
    with pytest.raises(HistoryTamperedError, match=rf"{HISTORY.name}.*version {bad} \(RESTORE\)"):
        merge(history, team_rows(D3, 3), D3, D3.replace(day=11))
    assert history.row_count(HISTORY) == 0  # nothing was written on top


def test_append_only_switched_off_and_delete_is_caught(history):
    history.table(HISTORY).alter.set_table_properties({"delta.appendOnly": "false"})
    switched = history.version(HISTORY)
    history.table(HISTORY).delete("gameId = 1")
    report = audit_table(fresh_process(history), HISTORY)
    assert not report.ok
    assert {(p.version, p.operation) for p in report.problems} >= {
        (switched, "SET TBLPROPERTIES"), (switched + 1, "DELETE")}
    with pytest.raises(HistoryTamperedError, match=rf"version {switched} \(SET TBLPROPERTIES\)"):
        merge(history, team_rows(D1, 1, goals=9), D1, D2)


def test_a_data_file_deleted_by_hand_is_caught(history):
    table = history.table(HISTORY)
    victim = table.get_add_actions(flatten=True).column("path").to_pylist()[0]
    os.remove(os.path.join(history.uri(HISTORY), victim))
    report = audit_table(history, HISTORY)
    assert [p.operation for p in report.problems] == ["MERGE (file deleted outside Delta)"]
    assert victim in report.problems[0].message
    with pytest.raises(HistoryTamperedError, match="missing from storage"):
        merge(history, team_rows(D3, 3), D3, D3.replace(day=11))
    with pytest.raises(RecoveryError, match="restore it from a backup"):
        recover_history(history, HISTORY, 0)


def test_the_raw_landing_store_is_audited_before_an_append(store):
    raw = pl.DataFrame({"endpoint": ["schedule"], "key": ["2024-10-08"], "gameDate": [20241008],
                        "fetched_at": [NOW], "body": [b"{}"]}, schema_overrides={"gameDate": pl.Int32})
    store.append(RAW_API_RESPONSES, raw)
    store.append(RAW_API_RESPONSES, raw)
    store.table(RAW_API_RESPONSES).restore(0)
    assert [r.ok for r in audit_protected(store)] == [True, True, False]  # absent history tables are fine
    with pytest.raises(HistoryTamperedError, match=rf"{RAW_API_RESPONSES.name}.*RESTORE"):
        store.append(RAW_API_RESPONSES, raw)


@pytest.mark.parametrize("tamper", ["restore", "delete"])
def test_recovery_brings_the_rows_back_and_the_audit_accepts_the_table_after(history, tamper):
    before = history.scan(HISTORY).collect()
    good = history.version(HISTORY)
    if tamper == "restore":
        history.table(HISTORY).restore(0)
    else:
        history.table(HISTORY).alter.set_table_properties({"delta.appendOnly": "false"})
        history.table(HISTORY).delete("gameId = 1")
    with pytest.raises(RecoveryError, match="not before the bad commits"):
        recover_history(history, HISTORY, good + 1)

    result = recover_history(history, HISTORY, good)

    assert result.rows_restored == (4 if tamper == "restore" else 2)
    after = history.scan(HISTORY).collect()
    assert after.sort(after.columns).equals(before.sort(before.columns))
    assert DeltaTable(history.uri(HISTORY)).metadata().configuration["delta.appendOnly"] == "true"
    assert audit_table(fresh_process(history), HISTORY, full=True).ok
    assert recover_history(history, HISTORY, good).rows_restored == 0  # re-running finds nothing missing
    assert merge(history, team_rows(D3, 3), D3, D3.replace(day=11)).rows_written == 2  # writes resume


def test_a_recovery_interrupted_before_its_acknowledgement_is_reported_until_run_again(history):
    """Recovery records the bad commits (``foreign``) and then the ``recovered`` entry acknowledging them; a crash
    in between must not leave a table the audit accepts."""
    before = history.scan(HISTORY).collect()
    good = history.version(HISTORY)
    history.table(HISTORY).restore(0)
    bad = history.version(HISTORY)
    audit.ledger_of(history).append(HISTORY.name, "commit", foreign=True, **commit_fields(history, HISTORY, bad))

    report = audit_table(fresh_process(history), HISTORY)
    assert [(p.version, p.operation) for p in report.problems] == [(bad, "RECOVERY")]
    with pytest.raises(HistoryTamperedError, match=f"Delta version {bad} \\(RECOVERY\\)"):
        merge(history, team_rows(D3, 3), D3, D3.replace(day=11))

    assert recover_history(history, HISTORY, good).rows_restored == 4
    assert audit_table(fresh_process(history), HISTORY, full=True).ok
    after = history.scan(HISTORY).collect()
    assert after.sort(after.columns).equals(before.sort(before.columns))


def test_an_acknowledgement_without_the_rows_is_not_possible_through_recovery(history):
    """The recovery commit carries the acknowledgement and the rows together; a later deletion is a new
    problem that the old acknowledgement does not cover."""
    good = history.version(HISTORY)
    history.table(HISTORY).restore(0)
    recover_history(history, HISTORY, good)
    history.table(HISTORY).restore(0)
    assert not audit_table(fresh_process(history), HISTORY).ok
