"""Two ``dagster`` processes started together on a fresh instance: on SQLite this corrupts DAGSTER_HOME ("more
than one head" in alembic_version); on PostgreSQL with deploy/dagster.yaml both succeed and the instance stays
healthy. The instance is configured by the deployment's own dagster.yaml, unchanged.

The deployment's init step sets the pool limits explicitly (``dagster instance concurrency set POOL 1``, as
docker-compose.yaml does): Dagster 1.13 creates a pool's default limit lazily on first use, and two runs doing
that at once on PostgreSQL fail (UniqueViolation, then "current transaction is aborted": the insert-or-update
fallback runs inside the aborted transaction). Seen here; docs/DEPLOYMENT.md."""

from __future__ import annotations

import shutil
import subprocess

import dagster as dg
import pytest

from nhl_bronze.simulator.http import SimulatorServer
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze_tests.e2e_support import (
    DEFINITIONS_MODULE,
    REPO_ROOT,
    SAMPLES_DIR,
    STAGING_AND_HISTORY,
    assert_games_loaded,
    bronze_env,
    dagster_command,
    tail,
)
from nhl_bronze_tests.infra import require_module

pytestmark = pytest.mark.slow

DEPLOY_DAGSTER_YAML = REPO_ROOT / "deploy" / "dagster.yaml"
# Two disjoint windows of recorded final games, materialized by two processes at once.
RANGES = {"2024-10-08...2024-10-09": {2024020009: "2024-10-09"}, "2024-10-10...2024-10-11": {2024020022: "2024-10-11"}}
TIMEOUT_SECONDS = 180
POOLS = ("nhl_api", "nhl_bronze_history")


def deploy_dagster_home(path, postgres_db, monkeypatch) -> tuple:
    """A DAGSTER_HOME holding the deployment's dagster.yaml, and the environment it reads (also set here, so
    that this process can open the same instance)."""
    path.mkdir(parents=True)
    shutil.copy(DEPLOY_DAGSTER_YAML, path / "dagster.yaml")
    environment = postgres_db.dagster_environment()
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    return path, environment


def _run_together(commands: dict[str, list[str]], env: dict[str, str]) -> dict[str, str]:
    """Start every ``dagster ...`` command at once; each must exit 0. Returns each one's output."""
    processes = {
        name: subprocess.Popen(dagster_command(*args), cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)
        for name, args in commands.items()
    }
    outputs = {}
    try:
        for name, process in processes.items():
            try:
                outputs[name] = process.communicate(timeout=TIMEOUT_SECONDS)[0]
            except subprocess.TimeoutExpired:
                pytest.fail(f"`dagster {' '.join(commands[name])}` did not finish in {TIMEOUT_SECONDS} s")
            assert process.returncode == 0, (
                f"`dagster {' '.join(commands[name])}` exited {process.returncode}:\n{tail(outputs[name])}"
            )
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
    return outputs


def test_deploy_dagster_yaml_loads_as_a_postgres_instance(postgres_db, tmp_path, monkeypatch):
    require_module("dagster_postgres", "the deploy extra: pip install -e '.[deploy]'")
    from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

    home, _ = deploy_dagster_home(tmp_path / "home", postgres_db, monkeypatch)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        assert instance.get_runs_count() == 0


def test_two_runs_started_together_on_a_fresh_instance_both_succeed(postgres_db, tmp_path, monkeypatch):
    require_module("dagster_postgres", "the deploy extra: pip install -e '.[deploy]'")
    home, environment = deploy_dagster_home(tmp_path / "home", postgres_db, monkeypatch)
    data_dir = tmp_path / "data"
    with SimulatorServer(RecordedNhl(SAMPLES_DIR)) as server:
        env = {**bronze_env(server, data_dir, home), **environment}
        # The init step, from two processes at once on the empty database: both create the schema.
        _run_together({pool: ["instance", "concurrency", "set", pool, "1"] for pool in POOLS}, env)
        assert postgres_db.query("SELECT count(*) FROM alembic_version") == "1"  # one schema head
        limits = postgres_db.query("SELECT concurrency_key || '=' || \"limit\" FROM concurrency_limits ORDER BY 1")
        assert limits.split() == [f"{pool}=1" for pool in POOLS]

        outputs = _run_together({
            partition_range: ["asset", "materialize", "-m", DEFINITIONS_MODULE,
                              "--select", ",".join(STAGING_AND_HISTORY), "--partition-range", partition_range]
            for partition_range in RANGES
        }, env)
        for partition_range, output in outputs.items():
            assert "RUN_SUCCESS" in output, f"{partition_range}:\n{tail(output)}"

    assert postgres_db.query("SELECT count(*) FROM alembic_version") == "1"
    for games in RANGES.values():
        assert_games_loaded(data_dir, games)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        assert [run.status for run in runs] == [dg.DagsterRunStatus.SUCCESS] * 2
        ranges = sorted((run.tags.get("dagster/asset_partition_range_start"),
                         run.tags.get("dagster/asset_partition_range_end")) for run in runs)
        assert ranges == [("2024-10-08", "2024-10-09"), ("2024-10-10", "2024-10-11")]
