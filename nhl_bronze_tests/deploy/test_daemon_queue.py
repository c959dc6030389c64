"""A backfill, the daily schedule's run and the sensor's runs, queued together and launched by a real
``dagster-daemon`` on the deployment's instance (deploy/dagster.yaml on PostgreSQL: queued run coordinator,
pools of 1). All three wait in the queue together; once the API pool opens, no two staging steps (API clients)
and no two history writers ever overlap; and history ends up exactly as one sequential run of the same dates
leaves it."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from nhl_bronze.assets.schedule_landing import bronze_schedule_raw
from nhl_bronze.automation.jobs import partition_range_tags
from nhl_bronze.resources.clock import ClockResource
from nhl_bronze.simulator.http import SimulatorServer
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY
from nhl_bronze_tests.deploy.support import deploy_dagster_home, init_pools, require_deploy_extra, run_together
from nhl_bronze_tests.e2e_support import (
    DEFINITIONS_MODULE,
    REPO_ROOT,
    SAMPLES_DIR,
    GroupProcess,
    bronze_env,
    read_table,
    tail,
)
from nhl_bronze_tests.support import STAGING_AND_HISTORY, materialize_range, resources

pytestmark = pytest.mark.slow

# "Today" for the runs and the sensor: the sensor's recent window (the 7 days before) holds one recorded final
# game, 2024020001 on 2024-10-04, so it requests one run, for that date; the backfill covers the same date.
# (The reference run below lands the same schedule answers first, as the daemon's lake has them.)
TODAY = "2024-10-06"
BACKFILL = ("2024-10-01", "2024-10-05")
WAIT_SECONDS = 200
EXPECTED_TRIGGERS = {"backfill", "daily", "final_games_sensor:recent"}
STAGING_STEP = "bronze_staging"
HISTORY_STEPS = (PLAYER_GAME_STATS_HISTORY.name, GAMES_HISTORICAL_HISTORY.name)
LINEAGE = ("_ingested_at", "_run_id")  # differ between any two runs by construction


def _step_intervals(instance: dg.DagsterInstance, run_id: str, step_prefix: str) -> list[tuple[float, float]]:
    starts, intervals = {}, []
    for record in instance.all_logs(run_id, of_type={dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS,
                                                     dg.DagsterEventType.STEP_FAILURE}):
        step = record.step_key or ""
        if not step.startswith(step_prefix):
            continue
        if record.dagster_event_type == dg.DagsterEventType.STEP_START:
            starts[step] = record.timestamp
        else:
            intervals.append((starts.pop(step), record.timestamp))
    return intervals


def _overlaps(intervals: list[tuple[float, float]]) -> list[tuple]:
    """Each interval that starts before an earlier-starting one has ended, with that one."""
    found, latest = [], None
    for interval in sorted(intervals):
        if latest is not None and interval[0] < latest[1]:
            found.append((latest, interval))
        if latest is None or interval[1] > latest[1]:
            latest = interval
    return found


def _wait_for_runs(instance, daemon: GroupProcess, done) -> list:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        assert daemon.poll() is None, f"dagster-daemon exited:\n{tail(daemon.output())}"
        runs = instance.get_runs()
        if done(runs):
            return runs
        time.sleep(2)
    summary = [(run.run_id[:8], run.status.value, run.tags.get("nhl_bronze/trigger")) for run in instance.get_runs()]
    pytest.fail(f"runs not as expected after {WAIT_SECONDS} s: {summary}\n{tail(daemon.output())}")


def _stop_schedule(instance: dg.DagsterInstance, name: str) -> None:
    """What `dagster schedule stop` does, without starting another process."""
    from dagster._core.scheduler.instigation import InstigatorStatus

    for state in instance.all_instigator_state():
        if state.name == name:
            instance.update_instigator_state(state.with_status(InstigatorStatus.STOPPED))


def _history(data_dir: Path, name: str) -> pl.DataFrame:
    frame = read_table(data_dir, name).drop(LINEAGE)
    return frame.sort(frame.columns)


def test_backfill_schedule_and_sensor_runs_share_the_queue_and_the_pools(postgres_db, tmp_path, monkeypatch):
    require_deploy_extra()
    home, environment = deploy_dagster_home(tmp_path / "home", postgres_db, monkeypatch)
    data_dir = tmp_path / "data"
    with SimulatorServer(RecordedNhl(SAMPLES_DIR)) as server:
        # The schedule fires every minute here (its window is the real last 3 days: no recorded games there, a
        # short run); every tick with the same window queues one more run, all of them held by the closed pool.
        env = {**bronze_env(server, data_dir, home, today=TODAY), **environment, "NHL_BRONZE_DAILY_CRON": "* * * * *"}
        init_pools(env, {"nhl_api": 0})
        # The sensor reads the stored schedule (it never calls the API): land it as the refresh schedule would.
        dg.materialize([bronze_schedule_raw], resources=resources(data_dir) | {"clock": ClockResource(today=TODAY)})
        workspace = ["-m", DEFINITIONS_MODULE]
        run_together({
            "schedule": ["schedule", "start", "daily", *workspace],
            "sensor": ["sensor", "start", "final_games_sensor", *workspace],
            # A backfill as the backfill daemon launches one under the single-run policy: one queued run over the
            # partition range (`dagster job backfill` would queue one run per date instead).
            "backfill": ["job", "launch", "-j", "bronze_job", *workspace, "--tags",
                         json.dumps({**partition_range_tags(*BACKFILL), "nhl_bronze/trigger": "backfill"})],
        }, env)
        daemon = GroupProcess([str(Path(sys.executable).parent / "dagster-daemon"), "run", *workspace], env=env,
                              cwd=REPO_ROOT, log_path=tmp_path / "daemon.log")
        try:
            with dg.DagsterInstance.from_config(str(home)) as instance:
                _wait_for_runs(instance, daemon, lambda runs: {
                    run.tags.get("nhl_bronze/trigger", "?") for run in runs if run.status == dg.DagsterRunStatus.QUEUED
                } == EXPECTED_TRIGGERS)
                _stop_schedule(instance, "daily")  # one tick is enough; later ones would queue more runs
                instance.event_log_storage.set_concurrency_slots("nhl_api", 1)
                runs = _wait_for_runs(instance, daemon, lambda runs: all(run.is_finished for run in runs))
                assert {run.tags.get("nhl_bronze/trigger", "?") for run in runs} == EXPECTED_TRIGGERS
                failed = [(run.run_id, run.tags) for run in runs if run.status != dg.DagsterRunStatus.SUCCESS]
                assert not failed, f"{failed}\n{tail(daemon.output())}"
                staging = [i for run in runs for i in _step_intervals(instance, run.run_id, STAGING_STEP)]
                history = [i for run in runs for step in HISTORY_STEPS
                           for i in _step_intervals(instance, run.run_id, step)]
        finally:
            leftover = daemon.stop()
        assert not leftover, f"processes left running: {leftover}"

    assert len(staging) == len(runs), staging
    assert not _overlaps(staging), f"two staging steps (API clients) ran at once: {_overlaps(staging)}"
    assert not _overlaps(history), f"two history writers ran at once: {_overlaps(history)}"

    # The same dates run once, sequentially, in process: history must be identical, version for version.
    reference = tmp_path / "reference"
    reference_resources = resources(reference) | {"clock": ClockResource(today=TODAY)}
    dg.materialize([bronze_schedule_raw], resources=reference_resources)
    materialize_range(STAGING_AND_HISTORY, reference, *BACKFILL, resources=reference_resources)
    for name in HISTORY_STEPS:
        assert _history(data_dir, name).equals(_history(reference, name)), f"{name} differs from the sequential run"
