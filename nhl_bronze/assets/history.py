"""History: merge each staged window into the protected, append-only system-of-record tables."""


from datetime import UTC, datetime

import dagster as dg

from nhl_bronze.assets.window import partition_window
from nhl_bronze.domain.dates import chunk_window
from nhl_bronze.partitions import game_date_partitions
from nhl_bronze.resources.lakehouse import LakehouseResource
from nhl_bronze.storage.history import duplicate_latest_keys, latest_of_window_games, merge_new_versions
from nhl_bronze.storage.tables import (
    GAMES_HISTORICAL_HISTORY,
    GAMES_HISTORICAL_STAGING,
    PLAYER_GAME_STATS_HISTORY,
    PLAYER_GAME_STATS_STAGING,
    TableSpec,
)

# A month of staged rows (~60k player rows) per merge keeps memory flat during a multi-season backfill.
MERGE_CHUNK_DAYS = 31
ROW_COUNT = "dagster/row_count"


def _last_recorded_row_count(context: dg.AssetExecutionContext, key: dg.AssetKey) -> int:
    event = context.instance.get_latest_materialization_event(key)
    if event is None or event.asset_materialization is None:
        return 0
    recorded = event.asset_materialization.metadata.get(ROW_COUNT)
    return int(recorded.value) if recorded is not None else 0


def build_history_asset(history: TableSpec, staging: TableSpec, grain: str) -> dg.AssetsDefinition:
    key = dg.AssetKey(history.name)

    @dg.asset(
        key=key,
        deps=[dg.AssetKey(staging.name)],
        description=(
            f"Protected, append-only history of {staging.name}: {grain}. Each run inserts only rows whose content "
            "differs from the latest stored version of their key (_version = previous + 1) and never updates or "
            "deletes; read the latest version per key (nhl_bronze.storage.delta.latest_versions)."
        ),
        partitions_def=game_date_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="history",
        kinds={"deltalake", "polars"},
        pool="nhl_bronze_history",
        check_specs=[
            dg.AssetCheckSpec("never_shrinks", asset=key,
                              description="Row count never below the previous run or materialization."),
            dg.AssetCheckSpec("unique_latest_keys", asset=key,
                              description=f"One latest version per ({', '.join(history.key)}) in the run's window."),
        ],
    )
    def _history(context: dg.AssetExecutionContext, lakehouse: LakehouseResource):
        start, end = partition_window(context)
        store = lakehouse.store()
        if not store.exists(staging):
            raise dg.Failure(f"{staging.name} does not exist yet: materialize staging for {start}..{end} first")
        rows_before = store.row_count(history)
        recorded_before = _last_recorded_row_count(context, key)
        ingested_at = datetime.now(UTC)
        inserted = unchanged = 0
        # Safe to re-run: rows identical to the latest version of their key are not inserted again, so a
        # re-run, a rebuilt staging table or a full backfill can only add versions, never remove one.
        for chunk_start, chunk_end in chunk_window(start, end, MERGE_CHUNK_DAYS):
            result = merge_new_versions(
                store, history, lambda s=chunk_start, e=chunk_end: store.read_window(staging, s, e),
                chunk_start, chunk_end, context.run_id, ingested_at,
            )
            inserted += result.rows_written
            unchanged += result.rows_unchanged
        rows_after = store.row_count(history)
        # The latest versions of the window's games over the whole table (a moved game has rows elsewhere).
        latest = latest_of_window_games(store, history, start, end)
        duplicates = duplicate_latest_keys(latest, history)

        yield dg.MaterializeResult(
            metadata={
                "rows_inserted": inserted,
                "rows_unchanged": unchanged,
                "rows_before": rows_before,
                ROW_COUNT: rows_after,
                "latest_rows_in_window": latest.height,
                "table_version": store.version(history),
                "table_path": dg.MetadataValue.path(store.uri(history)),
            }
        )
        yield dg.AssetCheckResult(
            check_name="never_shrinks",
            # Rows can only vanish behind this code's back (protection switched off and rows deleted): the
            # table then holds fewer rows than its last materialization recorded.
            passed=rows_before >= recorded_before and rows_after >= rows_before,
            metadata={"rows_before": rows_before, "recorded_before": recorded_before, "rows_after": rows_after},
        )
        yield dg.AssetCheckResult(
            check_name="unique_latest_keys", passed=duplicates == 0, metadata={"duplicate_keys": duplicates}
        )

    return _history


player_game_stats_history = build_history_asset(
    PLAYER_GAME_STATS_HISTORY, PLAYER_GAME_STATS_STAGING, "one row per skater x game x situation and version"
)
games_historical_history = build_history_asset(
    GAMES_HISTORICAL_HISTORY, GAMES_HISTORICAL_STAGING, "one row per team x game x situation and version"
)
