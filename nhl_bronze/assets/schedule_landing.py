"""``bronze_schedule_raw``: the NHL schedule, landed in the raw store for the sensor and the derived schedule.

The only place outside staging that calls the API: the sensor and ``bronze_schedule_2023_v2`` read what this
asset landed, so every API call shows in lineage.
"""

import dagster as dg

from nhl_bronze.assets.ledger_digest import ledger_digest_metadata, refuse_unless_ledger_extends
from nhl_bronze.assets.quarantine import quarantine_check, quarantine_check_spec
from nhl_bronze.partitions import FIRST_DATE
from nhl_bronze.pipeline.schedule import land_schedule
from nhl_bronze.pipeline.source import ApiSource
from nhl_bronze.resources.clock import ClockResource
from nhl_bronze.resources.ingest import IngestResource
from nhl_bronze.resources.lakehouse import LakehouseResource
from nhl_bronze.resources.nhl_api import NhlApiResource
from nhl_bronze.settings import DEFAULT_SENSOR_GAP_SCAN_DAYS, DEFAULT_SENSOR_RECENT_DAYS
from nhl_bronze.storage.tables import RAW_API_RESPONSES

SCHEDULE_LANDING = "bronze_schedule_raw"
SCHEDULE_CONTRACT = "schedule_contract"


class ScheduleLandingConfig(dg.Config):
    recent_days: int = DEFAULT_SENSOR_RECENT_DAYS
    """Past dates asked again on every landing: games become final, or are corrected, after the fact."""
    upcoming_days: int = 7
    """Future dates landed, for the upcoming games of the derived schedule."""
    backfill_days: int = DEFAULT_SENSOR_GAP_SCAN_DAYS
    """Older dates without a stored answer landed per run (newest first), for the sensor's gap scan."""


@dg.asset(
    name=SCHEDULE_LANDING,
    group_name="landing",
    kinds={"deltalake"},
    # Counted with staging against the one API client of a deployment.
    pool="nhl_api",
    description="Every /v1/schedule answer of the recent and upcoming weeks (and of a few older dates no stored "
    "answer covers yet, newest first), appended to the raw landing store raw_nhl_api_responses.",
    check_specs=[quarantine_check_spec(
        SCHEDULE_LANDING, SCHEDULE_CONTRACT,
        "Warns (never blocks) when an answer landed by this run breaks the schedule contract: each quarantined "
        "day or game is named (request, field, value, problem); the rest of the week is kept.")],
)
def bronze_schedule_raw(context: dg.AssetExecutionContext, config: ScheduleLandingConfig, nhl_api: NhlApiResource,
                        lakehouse: LakehouseResource, clock: ClockResource,
                        ingest: IngestResource) -> dg.MaterializeResult:
    store = lakehouse.store(context.run_id)
    # The raw store's ledger must extend the digest the last landing kept in the instance (checked and recorded
    # on a skipped landing too, so that a run that writes nothing never replaces the digest kept).
    refuse_unless_ledger_extends(context.instance, context.asset_key, store, RAW_API_RESPONSES)
    if ingest.is_raw():
        # Offline rebuilds make no API call: the stored answers stay what the readers see.
        return dg.MaterializeResult(metadata={"api_calls": 0, "skipped": "ingest source is 'raw'",
                                              **ledger_digest_metadata(store, RAW_API_RESPONSES)},
                                    check_results=[_contract_check([])])
    with ApiSource(nhl_api.open_session, lakehouse.raw_responses(context.run_id)) as source:
        landed = land_schedule(source, store, clock.eastern_today(), config.recent_days, config.upcoming_days,
                               config.backfill_days, FIRST_DATE)
    start, end = landed.refreshed
    return dg.MaterializeResult(metadata={
        "refreshed_window": f"{start}..{end}",
        "backfilled_dates": landed.backfilled_dates,
        "api_calls": landed.api_calls,
        "quarantined_count": len(landed.quarantined),
        **ledger_digest_metadata(store, RAW_API_RESPONSES),
    }, check_results=[_contract_check(landed.quarantined)])


def _contract_check(quarantined: list[str]) -> dg.AssetCheckResult:
    return quarantine_check(SCHEDULE_LANDING, SCHEDULE_CONTRACT, quarantined, "in the answers landed")
