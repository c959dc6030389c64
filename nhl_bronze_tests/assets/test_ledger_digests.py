"""Every protected commit a Dagster run makes is recorded in the ledger under the run's id, and every asset that
lands raw bodies (staging, ``bronze_schedule_raw``) keeps the raw store's ledger digest in the instance and refuses
to write once the ledger no longer contains it (a raw store rewritten together with its ledger)."""

import shutil

import dagster as dg

from nhl_bronze.assets.schedule_landing import SCHEDULE_LANDING, bronze_schedule_raw
from nhl_bronze.protection.ledger import Ledger
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_STAGING, RAW_API_RESPONSES
from nhl_bronze_tests.support import STAGING_AND_HISTORY, materialize_day, metadata, resources

DAY = "2024-10-09"
RAW = RAW_API_RESPONSES.name


def ledger_entries(data_dir, table: str) -> list[dict]:
    return Ledger(str(data_dir / "_nhl_bronze_ledger")).entries(table)


def rewrite_raw_store_with_its_ledger(data_dir) -> None:
    """The attacker's move: drop the raw store and its ledger; the next honest run elsewhere builds a new chain."""
    shutil.rmtree(data_dir / RAW)
    shutil.rmtree(data_dir / "_nhl_bronze_ledger" / RAW)


def step_failures(result) -> str:
    return "\n".join(e.step_failure_data.error.to_string() for e in result.all_events if e.is_step_failure)


def test_ledger_entries_name_the_run_that_wrote_them(tmp_path):
    result = materialize_day(STAGING_AND_HISTORY, tmp_path / "data", DAY)
    for table in (RAW, GAMES_HISTORICAL_HISTORY.name):
        entries = ledger_entries(tmp_path / "data", table)
        assert entries, table
        assert {entry["run_id"] for entry in entries} == {result.run_id}, table


def test_staging_keeps_the_raw_digest_and_refuses_a_raw_store_rewritten_with_its_ledger(tmp_path):
    data = tmp_path / "data"
    with dg.DagsterInstance.ephemeral() as instance:
        first = materialize_day(STAGING_AND_HISTORY, data, DAY, instance=instance)
        kept = metadata(first, PLAYER_GAME_STATS_STAGING.name)["raw_ledger_digest"]
        assert kept.split()[0] == RAW
        assert kept.split()[2] == ledger_entries(data, RAW)[-1]["entry_hash"]
        assert materialize_day(STAGING_AND_HISTORY, data, DAY, instance=instance).success  # honest: it grew

        rewrite_raw_store_with_its_ledger(data)
        with dg.DagsterInstance.ephemeral() as elsewhere:
            assert materialize_day(STAGING_AND_HISTORY, data, DAY, instance=elsewhere).success
        written = len(ledger_entries(data, RAW))
        refused = materialize_day(STAGING_AND_HISTORY, data, DAY, instance=instance, raise_on_error=False)
        assert not refused.success
        assert f"{RAW}: the ledger does not extend digest" in step_failures(refused)
        assert len(ledger_entries(data, RAW)) == written  # nothing was landed


def test_the_schedule_landing_keeps_the_raw_digest_and_refuses_a_rewritten_raw_ledger(tmp_path):
    data = tmp_path / "data"
    with dg.DagsterInstance.ephemeral() as instance:
        first = dg.materialize([bronze_schedule_raw], resources=resources(data), instance=instance)
        kept = metadata(first, SCHEDULE_LANDING)["raw_ledger_digest"]
        assert kept.split()[0] == RAW
        assert {entry["run_id"] for entry in ledger_entries(data, RAW)} == {first.run_id}

        rewrite_raw_store_with_its_ledger(data)
        assert dg.materialize([bronze_schedule_raw], resources=resources(data)).success  # another instance
        refused = dg.materialize([bronze_schedule_raw], resources=resources(data), instance=instance,
                                 raise_on_error=False)
        assert not refused.success
        assert f"{RAW}: the ledger does not extend digest" in step_failures(refused)
