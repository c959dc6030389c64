"""Two ``dagster`` processes started together on a fresh instance: on SQLite this corrupts DAGSTER_HOME ("more
than one head" in alembic_version); on PostgreSQL with deploy/dagster.yaml both succeed and the instance stays
healthy. The instance is configured by the deployment's own dagster.yaml, unchanged.

The deployment's init step sets the pool limits explicitly (``dagster instance concurrency set POOL 1``, as
docker-compose.yaml does): Dagster 1.13 creates a pool's default limit lazily on first use, and two runs doing
that at once on PostgreSQL fail (UniqueViolation, then "current transaction is aborted": the insert-or-update
fallback runs inside the aborted transaction). Seen here; docs/DEPLOYMENT.md."""

from __future__ import annotations

import dagster as dg
import pytest

from nhl_bronze.simulator.http import SimulatorServer
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze_tests.deploy.support import (
    POOLS,
    deploy_dagster_home,
    init_pools,
    require_deploy_extra,
    run_together,
)
from nhl_bronze_tests.e2e_support import (
    DEFINITIONS_MODULE,
    SAMPLES_DIR,
    STAGING_AND_HISTORY,
    assert_games_loaded,
    bronze_env,
    tail,
)

pytestmark = pytest.mark.slow

# Two disjoint windows of recorded final games, materialized by two processes at once.
RANGES = {"2024-10-08...2024-10-09": {2024020009: "2024-10-09"}, "2024-10-10...2024-10-11": {2024020022: "2024-10-11"}}


def test_deploy_dagster_yaml_loads_as_a_postgres_instance(postgres_db, tmp_path, monkeypatch):
    require_deploy_extra()
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
    require_deploy_extra()
    home, environment = deploy_dagster_home(tmp_path / "home", postgres_db, monkeypatch)
    data_dir = tmp_path / "data"
    with SimulatorServer(RecordedNhl(SAMPLES_DIR)) as server:
        env = {**bronze_env(server, data_dir, home), **environment}
        # The init step, from two processes at once on the empty database: both create the schema.
        init_pools(env)
        assert postgres_db.query("SELECT count(*) FROM alembic_version") == "1"  # one schema head
        limits = postgres_db.query("SELECT concurrency_key || '=' || \"limit\" FROM concurrency_limits ORDER BY 1")
        assert limits.split() == [f"{pool}=1" for pool in POOLS]

        outputs = run_together({
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
