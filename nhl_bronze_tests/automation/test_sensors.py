import json

import dagster as dg

from nhl_bronze.automation.sensors import FinalGamesCursor, failure_summary, final_games_sensor
from nhl_bronze_tests.support import STAGING_AND_HISTORY, materialize_day, resources


def evaluate(data_dir, cursor=None, **api):
    context = dg.build_sensor_context(cursor=cursor, resources=resources(data_dir, **api))
    return final_games_sensor(context)


def test_first_tick_requests_recent_final_dates_and_an_older_gap(tmp_path):
    result = evaluate(tmp_path)

    requested = {(r.partition_key, r.tags["nhl_bronze/trigger"]) for r in result.run_requests}
    # today is 2024-10-12: 10-09 and 10-11 are recent; 10-04 is found by the gap scan.
    assert requested == {
        ("2024-10-09", "final_games_sensor:recent"),
        ("2024-10-11", "final_games_sensor:recent"),
        ("2024-10-04", "final_games_sensor:gap0"),
    }
    assert len({r.run_key for r in result.run_requests}) == 3


def test_the_cursor_prevents_requesting_the_same_work_twice(tmp_path):
    first = evaluate(tmp_path)
    second = evaluate(tmp_path, cursor=first.cursor)

    assert second.run_requests == []
    cursor = FinalGamesCursor.parse(second.cursor)
    assert cursor.gap_scan_before < FinalGamesCursor.parse(first.cursor).gap_scan_before


def test_dates_already_in_history_are_not_requested(tmp_path):
    materialize_day(STAGING_AND_HISTORY, tmp_path, "2024-10-09")
    result = evaluate(tmp_path)
    assert "2024-10-09" not in {r.partition_key for r in result.run_requests}


def test_a_date_is_requested_again_when_more_of_its_games_become_final(tmp_path):
    live = evaluate(tmp_path, live_game=2024020022)
    assert "2024-10-11" not in {r.partition_key for r in live.run_requests}

    final = evaluate(tmp_path, cursor=live.cursor)
    assert [r.partition_key for r in final.run_requests] == ["2024-10-11"]


def test_gap_scan_wraps_around_and_starts_a_new_cycle(tmp_path):
    cursor = json.dumps({"requested": {}, "gap_scan_before": "2023-10-01", "cycle": 0})
    result = evaluate(tmp_path, cursor=cursor)
    assert FinalGamesCursor.parse(result.cursor).cycle == 1
    assert {r.tags["nhl_bronze/trigger"] for r in result.run_requests} <= {
        "final_games_sensor:recent", "final_games_sensor:gap1"}


def test_failure_summary_names_dates_and_reasons():
    summary = failure_summary(
        {"dagster/asset_partition_range_start": "2024-10-04", "dagster/asset_partition_range_end": "2024-10-11"},
        [("bronze_staging", "1 date(s) failed: 2024-10-09: game 2024020009 (2024-10-09): boxscore failed\nTrace")],
    )
    assert summary == ("bronze run failed for 2024-10-04..2024-10-11: bronze_staging: 1 date(s) failed: "
                       "2024-10-09: game 2024020009 (2024-10-09): boxscore failed")
