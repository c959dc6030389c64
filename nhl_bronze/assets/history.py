"""The history assets: a partition window -> ``merge_window`` -> materializations and check results.

After both history merges, ``all_games_merged`` fails the run if staging failed any game: the good dates are in
history by then, and the failure names each failed game, its date and the reason.
"""


import dagster as dg

from nhl_bronze.assets.ledger_digest import ledger_digest_metadata, refuse_unless_ledger_extends
from nhl_bronze.assets.staging import ALL_GAMES_STAGED, FAILED_GAMES, PLAYER_STAGING_KEY
from nhl_bronze.assets.window import partition_window
from nhl_bronze.catalog import GAMES_TABLE_SCHEMA, games_in_table
from nhl_bronze.partitions import game_date_partitions
from nhl_bronze.pipeline.history import STAGING_OF, NothingStagedError, merge_window
from nhl_bronze.resources.lakehouse import LakehouseResource
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY, TableSpec

ROW_COUNT = "dagster/row_count"
HISTORY_KEYS = (dg.AssetKey(PLAYER_GAME_STATS_HISTORY.name), dg.AssetKey(GAMES_HISTORICAL_HISTORY.name))


def _last_recorded_row_count(context: dg.AssetExecutionContext, key: dg.AssetKey) -> int:
    event = context.instance.get_latest_materialization_event(key)
    if event is None or event.asset_materialization is None:
        return 0
    recorded = event.asset_materialization.metadata.get(ROW_COUNT)
    return int(recorded.value) if recorded is not None else 0


def build_history_asset(history: TableSpec, grain: str) -> dg.AssetsDefinition:
    key = dg.AssetKey(history.name)
    staging = STAGING_OF[history]

    @dg.asset(
        key=key,
        deps=[dg.AssetKey(staging.name)],
        description=(
            f"Protected, append-only history of {staging.name}: {grain}. Each run inserts only rows whose content "
            "differs from the latest stored version of their key (_version = previous + 1) and never updates or "
            "deletes; read the latest version per key (nhl_bronze.storage.history.latest_versions)."
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
                              description=f"One latest version per ({', '.join(history.key)}) for the window's games, "
                              "over the whole table (a re-dated game has versions under another date)."),
        ],
    )
    def _history(context: dg.AssetExecutionContext, lakehouse: LakehouseResource):
        start, end = partition_window(context)
        recorded_before = _last_recorded_row_count(context, key)
        store = lakehouse.store(context.run_id)
        # The instance keeps the ledger digest of every materialization, outside the storage: a table rewritten
        # together with its ledger passes the audit, but its ledger no longer contains that digest.
        refuse_unless_ledger_extends(context.instance, key, store, history)
        try:
            merged = merge_window(store, start, end, context.run_id, tables=[history])
        except NothingStagedError as error:
            raise dg.Failure(str(error)) from error
        table = merged.tables[history.name]
        yield dg.MaterializeResult(
            metadata={
                "rows_inserted": table.rows_inserted,
                "rows_unchanged": table.rows_unchanged,
                "rows_before": table.rows_before,
                ROW_COUNT: table.state.rows,
                "latest_rows_in_window": table.latest_rows_in_window,
                "table_version": table.state.version,
                "table_path": dg.MetadataValue.path(table.state.uri),
                **ledger_digest_metadata(store, history),
            }
        )
        yield dg.AssetCheckResult(
            check_name="never_shrinks",
            # Rows can only vanish behind this code's back (protection switched off and rows deleted): the
            # table then holds fewer rows than its last materialization recorded.
            passed=table.rows_before >= recorded_before and table.state.rows >= table.rows_before,
            metadata={"rows_before": table.rows_before, "recorded_before": recorded_before,
                      "rows_after": table.state.rows},
        )
        yield dg.AssetCheckResult(check_name="unique_latest_keys", passed=table.state.duplicate_keys == 0,
                                  metadata={"duplicate_keys": table.state.duplicate_keys})

    return _history


player_game_stats_history = build_history_asset(
    PLAYER_GAME_STATS_HISTORY, "one row per skater x game x situation and version"
)
games_historical_history = build_history_asset(
    GAMES_HISTORICAL_HISTORY, "one row per team x game x situation and version"
)


def failed_games_of_run(instance: dg.DagsterInstance, run_id: str) -> list[dg.TableRecord]:
    """The games this run's staging step failed (recorded by its ``all_games_staged`` check): game, date, step,
    reason.

    Read from the check's evaluation, one event per run, not from the staging materializations: a run over a
    partition range records one materialization per date and asset (2,000 events for a three-season rebuild,
    each carrying the same list), and reading them all back cost ~9 s.
    """
    failed: list[dg.TableRecord] = []
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = record.dagster_event.event_specific_data if record.dagster_event is not None else None
        if (isinstance(evaluation, dg.AssetCheckEvaluation) and evaluation.asset_key == PLAYER_STAGING_KEY
                and evaluation.check_name == ALL_GAMES_STAGED):
            listed = evaluation.metadata.get(FAILED_GAMES)
            failed += [game for game in (listed.records if listed is not None else []) if game not in failed]
    return failed


@dg.multi_asset_check(
    name="all_games_merged",
    specs=[dg.AssetCheckSpec("all_games_merged", asset=key, description="Every final game of the run's window "
                             "reached history; fails the run, naming each failed game, its date and the reason, "
                             "after the good dates were merged.") for key in HISTORY_KEYS],
)
def all_games_merged(context: dg.AssetCheckExecutionContext):
    records = failed_games_of_run(context.instance, context.run.run_id)
    table = dg.MetadataValue.table(records, schema=GAMES_TABLE_SCHEMA)
    failed = games_in_table(table)
    for key in HISTORY_KEYS:
        yield dg.AssetCheckResult(asset_key=key, check_name="all_games_merged", passed=not failed,
                                  metadata={FAILED_GAMES: table})
    if failed:
        # The good dates are in history now; the run still fails so that the failure is seen (and retried).
        raise dg.Failure(description=f"{len(failed)} game(s) failed and kept their dates out of this run: "
                         + "; ".join(failed), metadata={FAILED_GAMES: table})
