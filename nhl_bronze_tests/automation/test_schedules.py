import datetime as dt

import dagster as dg

from nhl_bronze.automation.freshness import history_freshness_checks
from nhl_bronze.automation.jobs import bronze_job
from nhl_bronze.automation.schedules import build_daily_schedule, lookback_window
from nhl_bronze_tests.support import ALL_ASSETS, resources


def tick(schedule, when: dt.datetime):
    return schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=when)).run_requests


def test_daily_tick_requests_one_run_over_the_lookback_with_a_stable_key():
    schedule = build_daily_schedule()
    [request] = tick(schedule, dt.datetime(2024, 10, 12, 10, tzinfo=dt.UTC))

    assert request.tags["dagster/asset_partition_range_start"] == "2024-10-09"
    assert request.tags["dagster/asset_partition_range_end"] == "2024-10-11"
    assert request.run_key == "daily:2024-10-09..2024-10-11"
    assert tick(schedule, dt.datetime(2024, 10, 12, 10, tzinfo=dt.UTC))[0].run_key == request.run_key
    assert schedule.cron_schedule == "0 10 * * *"


def test_daily_window_follows_the_us_eastern_date_not_utc():
    # 03:00 UTC on Oct 12 is still Oct 11 in New York: yesterday is Oct 10 there.
    assert lookback_window(dt.datetime(2024, 10, 12, 3, tzinfo=dt.UTC), 3) == (dt.date(2024, 10, 8),
                                                                                 dt.date(2024, 10, 10))
    assert lookback_window(dt.datetime(2023, 10, 2, 12, tzinfo=dt.UTC), 3) == (dt.date(2023, 10, 1),
                                                                                dt.date(2023, 10, 1))


def daily_schedule_from_settings():
    from nhl_bronze.settings import automation_settings

    settings = automation_settings()
    return build_daily_schedule(settings.daily_cron, settings.lookback_days)


def test_daily_schedule_is_configurable_from_the_environment(monkeypatch):
    monkeypatch.setenv("NHL_BRONZE_DAILY_CRON", "30 14 * * *")
    monkeypatch.setenv("NHL_BRONZE_LOOKBACK_DAYS", "5")
    schedule = daily_schedule_from_settings()
    [request] = tick(schedule, dt.datetime(2024, 10, 12, 14, 30, tzinfo=dt.UTC))
    assert schedule.cron_schedule == "30 14 * * *"
    assert request.tags["dagster/asset_partition_range_start"] == "2024-10-07"


def test_the_daily_run_request_executes_as_one_range_run(tmp_path):
    [request] = tick(build_daily_schedule(), dt.datetime(2024, 10, 12, 10, tzinfo=dt.UTC))
    # bronze_job leaves out the freshness checks by key: like the code location, these Definitions supply them.
    defs = dg.Definitions(assets=ALL_ASSETS, asset_checks=history_freshness_checks, jobs=[bronze_job],
                          resources=resources(tmp_path), executor=dg.in_process_executor)

    result = defs.resolve_job_def("bronze_job").execute_in_process(tags=request.tags)

    assert result.success
    import polars as pl

    games = pl.read_delta(str(tmp_path / "bronze_games_historical_v2"))["gameId"].unique().sort().to_list()
    assert games == [2024020009, 2024020022]


def test_the_daily_window_starts_no_earlier_than_the_configured_first_game_date():
    when = dt.datetime(2010, 10, 8, 12, tzinfo=dt.UTC)  # yesterday (Eastern) is 2010-10-07
    schedule = build_daily_schedule(lookback_days=3, first_game_date=dt.date(2010, 10, 7))
    [request] = tick(schedule, when)
    assert (request.tags["dagster/asset_partition_range_start"],
            request.tags["dagster/asset_partition_range_end"]) == ("2010-10-07", "2010-10-07")
    # A later first date cuts the same lookback shorter.
    assert lookback_window(dt.datetime(2024, 10, 12, 10, tzinfo=dt.UTC), 3, dt.date(2024, 10, 10)) == (
        dt.date(2024, 10, 10), dt.date(2024, 10, 11))
