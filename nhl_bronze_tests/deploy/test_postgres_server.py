"""The Postgres fixture gives a real server, and a Dagster instance on it works with the pinned driver."""

from __future__ import annotations

import dagster as dg
import pytest

from nhl_bronze_tests.infra import require_module


@pytest.fixture(autouse=True)
def _deploy_extra_installed():
    require_module("dagster_postgres", "the deploy extra: pip install -e '.[deploy]'")


def test_a_dagster_instance_on_the_test_postgres_records_a_run(postgres_db, tmp_path):
    from dagster_postgres import PostgresRunStorage

    @dg.asset
    def one() -> int:
        return 1

    settings = {"storage": {"postgres": {"postgres_url": postgres_db.url}}}
    with dg.instance_for_test(overrides=settings, temp_dir=str(tmp_path)) as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert dg.materialize([one], instance=instance).success
        assert instance.get_runs_count() == 1
        assert len(instance.fetch_materializations(dg.AssetKey("one"), limit=5).records) == 1
