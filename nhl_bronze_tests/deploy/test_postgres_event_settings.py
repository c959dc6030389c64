"""deploy/'s Dagster variables on the deployment's PostgreSQL instance: a range run over several dates, with one
planned event per asset and the per-date materializations stored in batches, still records every date of every
asset as materialized (what the UI's partition view and the sensors' run history read)."""

from __future__ import annotations

from datetime import date, timedelta

import dagster as dg
import pytest

from nhl_bronze.settings import DEPLOY_EVENT_BATCH_SIZE, EVENT_BATCH_SIZE, SUBSET_PLANNED_EVENTS
from nhl_bronze_tests.deploy.support import deploy_dagster_home, require_deploy_extra
from nhl_bronze_tests.support import STAGING_AND_HISTORY, materialize_range

pytestmark = pytest.mark.slow

FIRST, LAST = date(2024, 10, 8), date(2024, 10, 11)


def test_a_range_run_with_the_deploy_settings_records_every_date_of_every_asset(postgres_db, tmp_path,
                                                                                monkeypatch):
    require_deploy_extra()
    home, _ = deploy_dagster_home(tmp_path / "home", postgres_db, monkeypatch)
    monkeypatch.setenv(SUBSET_PLANNED_EVENTS, "true")
    monkeypatch.setenv(EVENT_BATCH_SIZE, DEPLOY_EVENT_BATCH_SIZE)
    dates = {str(FIRST + timedelta(days=n)) for n in range((LAST - FIRST).days + 1)}

    with dg.DagsterInstance.from_config(str(home)) as instance:
        result = materialize_range(STAGING_AND_HISTORY, tmp_path / "data", str(FIRST), str(LAST), instance=instance)
        assert result.success
        keys = [key for assets in STAGING_AND_HISTORY for key in assets.keys]
        assert len(keys) == 4
        for key in keys:
            assert instance.get_materialized_partitions(key) == dates, key.to_user_string()
        planned = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED)
        assert len(planned) == len(keys)  # one per asset for the whole range
