"""The derived assets kept incrementally over two daily runs equal a full rebuild forced by their config."""

import dagster as dg

from nhl_bronze.assets.derived import bronze_schedule_2023_v2, bronze_skaters_2023_v2
from nhl_bronze_tests.support import ALL_ASSETS, materialize_day, materialize_range, metadata, read_table, resources

SCHEDULE, SKATERS = "bronze_schedule_2023_v2", "bronze_skaters_2023_v2"


def test_two_incremental_runs_equal_a_full_rebuild(tmp_path):
    materialize_day(ALL_ASSETS, tmp_path, "2024-10-09")
    second = materialize_range(ALL_ASSETS, tmp_path, "2024-10-10", "2024-10-11")
    incremental = {name: read_table(tmp_path, name) for name in (SCHEDULE, SKATERS)}
    assert metadata(second, SKATERS)["rebuilt_from_all_history"] is False
    assert metadata(second, SKATERS)["games_changed"] == 1  # game 2024020022 added to the totals
    assert metadata(second, SCHEDULE)["schedule_entries_rebuilt"] is False

    rebuilt = dg.materialize(
        [bronze_schedule_2023_v2, bronze_skaters_2023_v2], resources=resources(tmp_path),
        run_config={"ops": {SCHEDULE: {"config": {"full_rebuild": True}}, SKATERS: {"config": {"full_rebuild": True}}}},
    )

    assert metadata(rebuilt, SKATERS)["rebuilt_from_all_history"] is True
    assert metadata(rebuilt, SCHEDULE)["schedule_entries_rebuilt"] is True
    for name, frame in incremental.items():
        assert read_table(tmp_path, name).equals(frame), name
    assert incremental[SKATERS].height > 0 and incremental[SCHEDULE].height > 0
