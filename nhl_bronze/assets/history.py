"""The history assets: a partition window -> ``merge_window`` -> materializations and check results.

After both history merges, ``all_games_merged`` fails the run if staging failed any game: the good dates are in
history by then, and the failure names each failed game, its date and the reason.
"""

from datetime import date, timedelta

import dagster as dg

from nhl_bronze.assets.checks import report_check_results, require_all_selected
from nhl_bronze.assets.ledger_digest import ledger_digest_metadata, refuse_unless_ledger_extends
from nhl_bronze.assets.staging import ALL_GAMES_STAGED, FAILED_GAMES, PLAYER_STAGING_KEY
from nhl_bronze.assets.window import partition_window
from nhl_bronze.catalog import GAMES_TABLE_SCHEMA, games_in_table
from nhl_bronze.partitions import game_date_partitions
from nhl_bronze.pipeline.history import STAGING_OF, NothingStagedError, merge_window
from nhl_bronze.pipeline.report import TableMerge
from nhl_bronze.protection.content import SAMPLE_RANDOM_FILES, SAMPLE_RANDOM_ROWS, check_sample
from nhl_bronze.resources.lakehouse import LakehouseResource
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY, TableSpec

ROW_COUNT = "dagster/row_count"
ROWS_MATCH_THEIR_HASH = "rows_match_their_hash"
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

    @dg.multi_asset(
        name=history.name,
        specs=[dg.AssetSpec(
            key,
            deps=[dg.AssetKey(staging.name)],
            description=(
                f"Protected, append-only history of {staging.name}: {grain}. Each run inserts only rows whose "
                "content differs from the latest stored version of their key (_version = previous + 1) and never "
                "updates or deletes; read the latest version per key (nhl_bronze.storage.history.latest_versions)."
            ),
            group_name="history",
            kinds={"deltalake", "polars"},
        )],
        partitions_def=game_date_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool="nhl_bronze_history",
        check_specs=[
            dg.AssetCheckSpec("never_shrinks", asset=key,
                              description="Row count never below the previous run or materialization."),
            dg.AssetCheckSpec(ROWS_MATCH_THEIR_HASH, asset=key,
                              description="Daily sample of the deep check: every row of the window and "
                              f"{SAMPLE_RANDOM_ROWS:,} rows of {SAMPLE_RANDOM_FILES} random file(s) still hash to "
                              "their _row_hash; fails naming each altered row (nhl-bronze verify --deep checks "
                              "every row)."),
            dg.AssetCheckSpec("unique_latest_keys", asset=key,
                              description=f"One latest version per ({', '.join(history.key)}) for the window's games, "
                              "over the whole table (a re-dated game has versions under another date)."),
        ],
        # A multi-asset of one asset, subsettable only so that bronze_job can leave its checks out of its
        # selection and report them once per run (assets/checks.py).
        can_subset=True,
    )
    def _history(context: dg.AssetExecutionContext, lakehouse: LakehouseResource):
        """Merge the run's staged dates into this history table (insert-only, new versions only)."""
        require_all_selected(context, [key])
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
            asset_key=key,
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
        results = [*history_check_results(key, table, recorded_before, start, end),
                   content_sample_result(key, store, history, start, end)]
        yield from report_check_results(context, results)

    return _history


def history_check_results(key: dg.AssetKey, table: TableMerge, recorded_before: int, start: date,
                          end: date) -> list[dg.AssetCheckResult]:
    dates = f"{start} .. {end - timedelta(days=1)}"  # one evaluation judges every date of the run
    return [
        dg.AssetCheckResult(
            asset_key=key, check_name="never_shrinks",
            # Rows can only vanish behind this code's back (protection switched off and rows deleted): the
            # table then holds fewer rows than its last materialization recorded.
            passed=table.rows_before >= recorded_before and table.state.rows >= table.rows_before,
            metadata={"dates": dates, "rows_before": table.rows_before, "recorded_before": recorded_before,
                      "rows_after": table.state.rows},
        ),
        dg.AssetCheckResult(asset_key=key, check_name="unique_latest_keys", passed=table.state.duplicate_keys == 0,
                            metadata={"dates": dates, "duplicate_keys": table.state.duplicate_keys}),
    ]


def content_sample_result(key: dg.AssetKey, store: DeltaStore, history: TableSpec, start: date,
                          end: date) -> dg.AssetCheckResult:
    """The run's sample of the deep check (non-blocking: ERROR severity, the run goes on).

    After the merge, not before: the audit already blocked a write on top of removed data; an altered row is
    repaired by this very merge when its date is in the window (the merge compares against content), and named
    here when it is not (recovery: docs/HISTORY_SAFETY.md)."""
    report = check_sample(store, history, start, end)
    return dg.AssetCheckResult(
        asset_key=key, check_name=ROWS_MATCH_THEIR_HASH, passed=report.ok, severity=dg.AssetCheckSeverity.ERROR,
        metadata={"dates": f"{start} .. {end - timedelta(days=1)}", "rows_checked": report.rows_checked,
                  "files_checked": report.files_checked, "altered_rows": len(report.altered),
                  "restored_by_later_versions": report.restored,
                  "altered": dg.MetadataValue.md("\n".join(f"- {row.describe()}" for row in report.altered[:20])
                                                 or "none")},
    )


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


ALL_GAMES_MERGED = "all_games_merged"
# bronze_job selects only this one of the two: a selected check costs one planned row per date of a range run
# (assets/checks.py); the other is reported as an evaluation of the same step.
ALL_GAMES_MERGED_RUN_KEY = dg.AssetCheckKey(HISTORY_KEYS[0], ALL_GAMES_MERGED)


@dg.multi_asset_check(
    name=ALL_GAMES_MERGED,
    specs=[dg.AssetCheckSpec(ALL_GAMES_MERGED, asset=key, description="Every final game of the run's window "
                             "reached history; fails the run, naming each failed game, its date and the reason, "
                             "after the good dates were merged.") for key in HISTORY_KEYS],
    can_subset=True,
)
def all_games_merged(context: dg.AssetCheckExecutionContext):
    records = failed_games_of_run(context.instance, context.run.run_id)
    table = dg.MetadataValue.table(records, schema=GAMES_TABLE_SCHEMA)
    failed = games_in_table(table)
    failed_dates = sorted({str(record.data["game_date"]) for record in records})
    yield from report_check_results(context, [
        dg.AssetCheckResult(asset_key=key, check_name=ALL_GAMES_MERGED, passed=not failed,
                            metadata={FAILED_GAMES: table, "failed_dates": dg.MetadataValue.json(failed_dates)})
        for key in HISTORY_KEYS
    ])
    if failed:
        # The good dates are in history now; the run still fails so that the failure is seen (and retried).
        raise dg.Failure(description=f"{len(failed)} game(s) failed and kept their dates out of this run: "
                         + "; ".join(failed), metadata={FAILED_GAMES: table})
