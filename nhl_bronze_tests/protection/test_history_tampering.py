"""Issue 8, black box: history tampered with outside the project (deltalake directly, the file system), then a
Dagster run of the history asset. The run must fail, naming the table, the Delta version and the operation."""

import os

import dagster as dg
import pytest
from deltalake import DeltaTable

from nhl_bronze.protection import open_store
from nhl_bronze.protection.recovery import recover_history
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY
from nhl_bronze_tests.support import STAGING_AND_HISTORY, copy_of_lake, materialize_day, read_table

DAY = "2024-10-09"
TEAMS = GAMES_HISTORICAL_HISTORY.name


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data = tmp_path_factory.mktemp("built")
    materialize_day(STAGING_AND_HISTORY, data, DAY)
    return data


@pytest.fixture
def data_dir(built, tmp_path):
    return copy_of_lake(built, tmp_path)


def run_history(data_dir) -> dg.ExecuteInProcessResult:
    return materialize_day(STAGING_AND_HISTORY, data_dir, DAY, raise_on_error=False)


def failure_messages(result: dg.ExecuteInProcessResult) -> str:
    return "\n".join(e.step_failure_data.error.to_string() for e in result.all_events if e.is_step_failure)


def test_restore_to_version_zero_fails_the_next_run(data_dir):
    DeltaTable(str(data_dir / TEAMS)).restore(0)
    restored = DeltaTable(str(data_dir / TEAMS)).version()
    result = run_history(data_dir)
    assert not result.success
    assert f"'{TEAMS}' was tampered with: Delta version {restored} (RESTORE)" in failure_messages(result)


def test_append_only_off_then_delete_fails_the_next_run(data_dir):
    table = DeltaTable(str(data_dir / TEAMS))
    table.alter.set_table_properties({"delta.appendOnly": "false"})
    switched = table.version()
    table.delete("situation = 'all'")
    result = run_history(data_dir)
    assert not result.success
    assert f"'{TEAMS}' was tampered with: Delta version {switched} (SET TBLPROPERTIES)" in failure_messages(result)


def test_a_data_file_deleted_by_hand_fails_the_next_run(data_dir):
    table = DeltaTable(str(data_dir / TEAMS))
    victim = table.get_add_actions(flatten=True).column("path").to_pylist()[0]
    os.remove(data_dir / TEAMS / victim)
    result = run_history(data_dir)
    assert not result.success
    messages = failure_messages(result)
    assert f"'{TEAMS}' was tampered with: Delta version" in messages
    assert "(MERGE (file deleted outside Delta))" in messages and victim in messages


def test_after_recovery_the_run_succeeds_with_every_row_back(data_dir):
    before = read_table(data_dir, TEAMS)
    table = DeltaTable(str(data_dir / TEAMS))
    good = table.version()
    table.restore(0)
    assert not run_history(data_dir).success

    recover_history(open_store(data_dir), GAMES_HISTORICAL_HISTORY, good)

    assert run_history(data_dir).success
    after = read_table(data_dir, TEAMS)
    assert after.sort(after.columns).equals(before.sort(before.columns))  # re-run added nothing; rows are back
