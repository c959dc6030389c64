import json
import shutil
from datetime import date

import dagster as dg
import pytest

from nhl_bronze.automation.sensors import (
    REQUEST_TAG,
    FinalGamesCursor,
    build_final_games_sensor,
    failure_summary,
    final_games_sensor,
)
from nhl_bronze.settings import SUBSET_PLANNED_EVENTS, AutomationSettings
from nhl_bronze.storage.tables import PLAYER_GAME_STATS_HISTORY
from nhl_bronze_tests.support import STAGING_AND_HISTORY, materialize_day, resources


@pytest.fixture(scope="module")
def landed_schedule(tmp_path_factory):
    """The recorded schedule as bronze_schedule_raw lands it (today 2024-10-12); copied by each test."""
    from nhl_bronze.assets.schedule_landing import bronze_schedule_raw

    data_dir = tmp_path_factory.mktemp("landed") / "data"
    result = dg.materialize([bronze_schedule_raw], resources=resources(data_dir))
    assert result.success
    return data_dir


@pytest.fixture
def data_dir(landed_schedule, tmp_path):
    shutil.copytree(landed_schedule, tmp_path / "data")
    return tmp_path / "data"


def evaluate(data_dir, cursor=None, sensor=final_games_sensor, instance=None, **api):
    context = dg.build_sensor_context(cursor=cursor, resources=resources(data_dir, **api),
                                      instance=instance or dg.DagsterInstance.ephemeral())
    return sensor(context)


def test_first_tick_requests_recent_final_dates_and_an_older_gap(data_dir):
    result = evaluate(data_dir)

    requested = {(r.partition_key, r.tags["nhl_bronze/trigger"]) for r in result.run_requests}
    # today is 2024-10-12: 10-09 and 10-11 are recent; 10-04 is found by the gap scan.
    assert requested == {
        ("2024-10-09", "final_games_sensor:recent"),
        ("2024-10-11", "final_games_sensor:recent"),
        ("2024-10-04", "final_games_sensor:gap0"),
    }
    assert len({r.run_key for r in result.run_requests}) == 3


def test_the_sensor_reads_only_what_was_landed(tmp_path):
    # Nothing landed yet: the sensor asks no API and so knows of no final game.
    assert evaluate(tmp_path / "empty").run_requests == []


def test_the_cursor_prevents_requesting_the_same_work_twice(data_dir):
    first = evaluate(data_dir)
    second = evaluate(data_dir, cursor=first.cursor)

    assert second.run_requests == []
    cursor = FinalGamesCursor.parse(second.cursor)
    assert cursor.gap_scan_before < FinalGamesCursor.parse(first.cursor).gap_scan_before


def test_dates_already_in_history_are_not_requested(data_dir):
    materialize_day(STAGING_AND_HISTORY, data_dir, "2024-10-09")
    result = evaluate(data_dir)
    assert "2024-10-09" not in {r.partition_key for r in result.run_requests}


def test_a_date_missing_from_one_history_table_only_is_requested(data_dir):
    materialize_day(STAGING_AND_HISTORY, data_dir, "2024-10-09")
    shutil.rmtree(data_dir / PLAYER_GAME_STATS_HISTORY.name)  # as if only the player merge had failed

    result = evaluate(data_dir)

    [request] = [r for r in result.run_requests if r.partition_key == "2024-10-09"]
    assert request.tags["nhl_bronze/missing_games"] == "2024020009"


@pytest.mark.parametrize("subset_planned_events", [False, True], ids=["dagster-default", "deploy-setting"])
def test_a_recent_date_whose_run_failed_is_requested_again_with_the_same_games(data_dir, monkeypatch,
                                                                               subset_planned_events):
    # deploy/ sets SUBSET_PLANNED_EVENTS, so Dagster no longer marks a failed run's dates failed: the sensor
    # must not depend on that status.
    monkeypatch.setenv(SUBSET_PLANNED_EVENTS, "true" if subset_planned_events else "false")
    instance = dg.DagsterInstance.ephemeral()
    first = evaluate(data_dir, instance=instance)
    [request] = [r for r in first.run_requests if r.partition_key == "2024-10-09"]
    # Not finished yet: no second request.
    waiting = evaluate(data_dir, first.cursor, instance=instance)
    assert "2024-10-09" not in {r.partition_key for r in waiting.run_requests}

    failed = materialize_day(STAGING_AND_HISTORY, data_dir, "2024-10-09", raise_on_error=False, instance=instance,
                             tags=request.tags, api={"failing_game": 2024020009})
    assert not failed.success
    planned = instance.all_logs(failed.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED)
    ranges = [entry.dagster_event.event_specific_data.partitions_subset for entry in planned]
    assert planned and all((subset is not None) == subset_planned_events for subset in ranges)

    retry = evaluate(data_dir, first.cursor, instance=instance)
    [again] = [r for r in retry.run_requests if r.partition_key == "2024-10-09"]
    assert again.run_key != request.run_key and again.tags["nhl_bronze/missing_games"] == "2024020009"


def test_a_date_is_requested_again_when_more_of_its_games_become_final(tmp_path):
    from nhl_bronze.assets.schedule_landing import bronze_schedule_raw

    live = dg.materialize([bronze_schedule_raw], resources=resources(tmp_path, live_game=2024020022))
    assert live.success
    first = evaluate(tmp_path)
    assert "2024-10-11" not in {r.partition_key for r in first.run_requests}

    assert dg.materialize([bronze_schedule_raw], resources=resources(tmp_path)).success  # the game is final now
    final = evaluate(tmp_path, cursor=first.cursor)
    assert [r.partition_key for r in final.run_requests] == ["2024-10-11"]


def test_gap_scan_wraps_around_and_starts_a_new_cycle(data_dir):
    cursor = json.dumps({"requested": {}, "gap_scan_before": "2023-10-01", "cycle": 0})
    result = evaluate(data_dir, cursor=cursor)
    assert FinalGamesCursor.parse(result.cursor).cycle == 1
    assert {r.tags["nhl_bronze/trigger"] for r in result.run_requests} <= {
        "final_games_sensor:recent", "final_games_sensor:gap1"}


def test_the_sensor_windows_are_configurable(data_dir):
    narrow = build_final_games_sensor(AutomationSettings(sensor_recent_days=2, sensor_gap_scan_days=3))
    result = evaluate(data_dir, sensor=narrow)
    # recent: 10-10..10-11; gap: 10-07..10-09
    assert {r.partition_key for r in result.run_requests} == {"2024-10-11", "2024-10-09"}
    assert REQUEST_TAG in result.run_requests[0].tags


def test_failure_summary_names_dates_and_reasons():
    summary = failure_summary(
        {"dagster/asset_partition_range_start": "2024-10-04", "dagster/asset_partition_range_end": "2024-10-11"},
        [("bronze_staging", "1 date(s) failed: 2024-10-09: game 2024020009 (2024-10-09): boxscore failed\nTrace")],
    )
    assert summary == ("bronze run failed for 2024-10-04..2024-10-11: bronze_staging: 1 date(s) failed: "
                       "2024-10-09: game 2024020009 (2024-10-09): boxscore failed")


def test_the_gap_scan_walks_back_to_the_configured_first_game_date(data_dir):
    cursor = json.dumps({"requested": {}, "gap_scan_before": "2023-10-01", "cycle": 0})
    default = FinalGamesCursor.parse(evaluate(data_dir, cursor=cursor).cursor)
    assert default.cycle == 1  # 2023-10-01 is the default first partition: the scan starts over

    earlier = build_final_games_sensor(AutomationSettings(first_game_date=date(2010, 10, 7)))
    moved = FinalGamesCursor.parse(evaluate(data_dir, cursor=cursor, sensor=earlier).cursor)
    assert (moved.cycle, moved.gap_scan_before) == (0, "2023-09-17")  # 14 dates before 2023-10-01

    at_the_start = json.dumps({"requested": {}, "gap_scan_before": "2010-10-07", "cycle": 0})
    assert FinalGamesCursor.parse(evaluate(data_dir, cursor=at_the_start, sensor=earlier).cursor).cycle == 1
