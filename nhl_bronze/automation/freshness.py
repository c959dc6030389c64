"""Freshness per partition: a game date that should be in history by now and is not shows red in the UI.

A date's games end by ~1 a.m. US Eastern the next day and the ``daily`` run (default 10:00 UTC, i.e. 5-6 a.m.
Eastern) merges them; by 8 a.m. Eastern each day the previous date's partition of both history tables must
have been materialized. The checks are evaluated by ``bronze_freshness_sensor`` (off by default, like
every sensor that costs a tick; turn it on in the UI next to the ``daily`` schedule).

Dagster 1.13 marks these builders as superseded by ``FreshnessPolicy``; they stay because a policy judges the
asset's newest materialization of any partition, so a backfill of old dates would make a table look fresh
while yesterday is missing. These checks ask for the partition that is due. ``bronze_job`` does not select them
(``automation.jobs``): a run over other dates does not answer that question, the daily run ends before the
deadline, and a range run would record one planned row per date for each check.
"""

from __future__ import annotations

import warnings

import dagster as dg

from nhl_bronze.domain.dates import NHL_TIMEZONE
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY

HISTORY_DEADLINE_CRON = "0 8 * * *"  # US Eastern: two to three hours after the daily run

with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.SupersessionWarning)
    history_freshness_checks = dg.build_time_partition_freshness_checks(
        assets=[dg.AssetKey(PLAYER_GAME_STATS_HISTORY.name), dg.AssetKey(GAMES_HISTORICAL_HISTORY.name)],
        deadline_cron=HISTORY_DEADLINE_CRON,
        timezone=NHL_TIMEZONE,
        severity=dg.AssetCheckSeverity.ERROR,
    )
    bronze_freshness_sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=history_freshness_checks,
        name="bronze_freshness_sensor",
        minimum_interval_seconds=15 * 60,
    )


def freshness_definitions() -> dg.Definitions:
    return dg.Definitions(asset_checks=history_freshness_checks, sensors=[bronze_freshness_sensor])
