import datetime as dt

import dagster as dg

from nhl_bronze.automation.maintenance import build_maintenance_schedule, maintenance_schedule_from_env
from nhl_bronze.definitions import defs


def tick(schedule, when: dt.datetime) -> list[dg.RunRequest]:
    return schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=when)).run_requests


def test_maintenance_runs_weekly_with_the_default_retention_and_a_stable_run_key():
    schedule = build_maintenance_schedule()
    [request] = tick(schedule, dt.datetime(2024, 10, 13, 6, tzinfo=dt.UTC))

    assert schedule.cron_schedule == "0 6 * * 0"
    assert request.run_config == {"ops": {"bronze_table_maintenance": {"config": {"retention_hours": 168}}}}
    assert request.run_key == tick(schedule, dt.datetime(2024, 10, 13, 6, tzinfo=dt.UTC))[0].run_key


def test_maintenance_schedule_is_configurable_from_the_environment(monkeypatch):
    monkeypatch.setenv("NHL_BRONZE_MAINTENANCE_CRON", "0 3 * * *")
    monkeypatch.setenv("NHL_BRONZE_MAINTENANCE_RETENTION_HOURS", "720")
    schedule = maintenance_schedule_from_env()

    [request] = tick(schedule, dt.datetime(2024, 10, 13, 3, tzinfo=dt.UTC))
    assert schedule.cron_schedule == "0 3 * * *"
    assert request.run_config["ops"]["bronze_table_maintenance"]["config"]["retention_hours"] == 720


def test_the_code_location_has_the_maintenance_job_in_its_own_pool_outside_the_bronze_job():
    maintenance = defs.resolve_job_def("bronze_maintenance_job")
    assert [n.name for n in maintenance.nodes_in_topological_order] == ["bronze_table_maintenance"]
    assert defs.get_assets_def("bronze_table_maintenance").op.pool == "nhl_bronze_maintenance"
    assert "bronze_table_maintenance" not in [n.name for n in defs.resolve_job_def("bronze_job").nodes]
    assert defs.get_schedule_def("maintenance").job_name == "bronze_maintenance_job"
