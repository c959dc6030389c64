"""The staging assets: a partition window -> ``stage_window`` -> materializations and check results."""


from datetime import timedelta

import dagster as dg

from nhl_bronze.assets.checks import raise_if_blocking_failed, report_check_results, require_all_selected
from nhl_bronze.assets.ledger_digest import ledger_digest_metadata, refuse_unless_ledger_extends
from nhl_bronze.assets.window import partition_window
from nhl_bronze.catalog import games_table
from nhl_bronze.partitions import game_date_partitions
from nhl_bronze.pipeline.report import StagingReport
from nhl_bronze.pipeline.staging import stage_window
from nhl_bronze.resources.ingest import IngestResource
from nhl_bronze.resources.lakehouse import LakehouseResource
from nhl_bronze.resources.nhl_api import NhlApiResource
from nhl_bronze.storage.tables import GAMES_HISTORICAL_STAGING, PLAYER_GAME_STATS_STAGING, RAW_API_RESPONSES

PLAYER_STAGING_KEY = dg.AssetKey(PLAYER_GAME_STATS_STAGING.name)
GAMES_STAGING_KEY = dg.AssetKey(GAMES_HISTORICAL_STAGING.name)
STAGING_KEYS = {PLAYER_GAME_STATS_STAGING.name: PLAYER_STAGING_KEY, GAMES_HISTORICAL_STAGING.name: GAMES_STAGING_KEY}
FAILED_GAMES = "failed_games"  # metadata key: "game <id> (<date>): <step> failed: <reason>", one per failed game
ALL_GAMES_STAGED = "all_games_staged"  # the check whose metadata lists the failed games (read by history's check)
SHIFT_CHART_RULES = "shift_chart_rules"  # warns for games whose chart a best-effort rule repaired
LISTED = 200
LISTS_ON_MATERIALIZATIONS_UP_TO_DAYS = 31  # at most this many entries of a list go into metadata


@dg.multi_asset(
    name="bronze_staging",
    specs=[
        dg.AssetSpec(
            PLAYER_STAGING_KEY,
            description="One row per skater x game x situation (all, 5on5, 5on4, 4on5) for the final regular-season "
            "and playoff games of each date, recomputed from play-by-play, shift charts and boxscores. "
            "Rebuildable: each run overwrites exactly its dates.",
            group_name="staging",
            kinds={"deltalake", "polars"},
        ),
        dg.AssetSpec(
            GAMES_STAGING_KEY,
            description="One row per team x game x situation for the final regular-season and playoff games of "
            "each date. Rebuildable: each run overwrites exactly its dates.",
            group_name="staging",
            kinds={"deltalake", "polars"},
        ),
    ],
    partitions_def=game_date_partitions,
    # One run per backfill (chunked by week inside): the backfill daemon's 30 s tick and ~2 s per run would
    # otherwise dominate a 1,000-day backfill whose real work is API-bound.
    backfill_policy=dg.BackfillPolicy.single_run(),
    check_specs=[
        dg.AssetCheckSpec("boxscore_parity", asset=PLAYER_STAGING_KEY,
                          description="Per game, goals, shots on goal and hits equal the official boxscore."),
        dg.AssetCheckSpec(SHIFT_CHART_RULES, asset=PLAYER_STAGING_KEY, blocking=False,
                          description="Warns (never blocks) for each game whose shift chart broke the on-ice rules "
                          "(more than six skaters of a side): its event statistics are staged, its ice time "
                          "comes from the best-effort rule of docs/DATA_DICTIONARY.md."),
        dg.AssetCheckSpec(ALL_GAMES_STAGED, asset=PLAYER_STAGING_KEY,
                          description="Every final game of the window was fetched and parsed; a failed game keeps "
                          "its date's previous rows and is named here with its date and reason."),
        # Blocking: history is append-only, so a duplicated key or an off-contract column merged into it could
        # never be taken back; a failure stops the run before the history step.
        dg.AssetCheckSpec("unique_keys", asset=PLAYER_STAGING_KEY, description="(playerId, gameId, situation)",
                          blocking=True),
        dg.AssetCheckSpec("unique_keys", asset=GAMES_STAGING_KEY, description="(gameId, team, situation)",
                          blocking=True),
        dg.AssetCheckSpec("column_contract", asset=PLAYER_STAGING_KEY, description="133 columns, names and types",
                          blocking=True),
        dg.AssetCheckSpec("column_contract", asset=GAMES_STAGING_KEY, description="59 columns, names and types",
                          blocking=True),
    ],
    # Subsettable only so that bronze_job can leave the checks out of its selection (assets/checks.py: one
    # evaluation per check and run instead of one planned row per date); both tables are always written together.
    can_subset=True,
    # One staging step at a time (with a pool limit of 1) keeps the whole deployment within the API rate limit.
    pool="nhl_api",
)
def bronze_staging(context: dg.AssetExecutionContext, nhl_api: NhlApiResource, lakehouse: LakehouseResource,
                   ingest: IngestResource):
    """Fetch each date's final games (schedule -> play-by-play, shift chart, boxscore) from the NHL API, or from
    the raw landing store when the ingest source is ``raw``, and overwrite exactly the run's dates.

    A failed game does not fail this step: its date keeps its previous rows, the other dates are written and
    merged into history, and the run fails at the end (``failed_games`` check of the history assets)."""
    require_all_selected(context, STAGING_KEYS.values())
    start, end = partition_window(context)
    store = lakehouse.store(context.run_id)
    # Staging lands every API body in the protected raw store: its ledger must extend the digest the instance kept.
    refuse_unless_ledger_extends(context.instance, PLAYER_STAGING_KEY, store, RAW_API_RESPONSES)
    with ingest.open_source(nhl_api, lakehouse, context.run_id) as source:
        report = stage_window(source, store, start, end, parse_workers=ingest.workers(), progress=context.log.info)
    if report.failures:
        context.log.error(f"{len(report.failed_dates)} date(s) kept their previous staging rows: "
                          f"{report.failure_summary()}")
    results = list(staging_results(report, ledger_digest_metadata(store, RAW_API_RESPONSES)))
    checks = [result for result in results if isinstance(result, dg.AssetCheckResult)]
    selected_checks = report_check_results(context, checks, BLOCKING_CHECKS)  # logged before the yields below
    yield from (result for result in results if isinstance(result, dg.MaterializeResult))
    yield from selected_checks
    raise_if_blocking_failed(context, checks, BLOCKING_CHECKS, start, end)


BLOCKING_CHECKS = frozenset(spec.key for spec in bronze_staging.check_specs if spec.blocking)


def staging_results(report: StagingReport, raw_ledger_digest: dict[str, str] | None = None):
    """The two materializations (each with the raw store's ledger digest), then the check results of the run
    (each naming the run's dates)."""
    lists = {
        "pending_games": games_table(report.pending_games, LISTED),
        "games_without_shift_chart": dg.MetadataValue.json(report.without_shift_chart[:LISTED]),
        "failed_dates": dg.MetadataValue.json([str(day) for day in report.failed_dates]),
        FAILED_GAMES: games_table(report.failures, LISTED),
    }
    common = {
        "source": report.source,
        "games_fetched": report.games_fetched,
        "games_pending": len(report.pending),
        "games_skipped": sum(report.skipped.values()),
        "skipped_reasons": dg.MetadataValue.json(dict(report.skipped)),
        "games_without_shift_chart_count": len(report.without_shift_chart),
        "games_failed": len(report.failures),
        "api_calls": report.api_calls,
        "api_retries": report.api_retries,
        # A run over N dates records N materializations per asset, each with a copy of this metadata: per-game
        # lists on 1,004 dates took ~10x as long to record as counts alone (100 s vs 10 s measured). Longer runs
        # keep the lists once, on the all_games_staged check.
        **(lists if (report.end - report.start).days <= LISTS_ON_MATERIALIZATIONS_UP_TO_DAYS else {}),
    }
    for name, key in STAGING_KEYS.items():
        table = report.tables[name]
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={**common, "dagster/row_count": table.rows, "table_version": table.version,
                      "table_path": dg.MetadataValue.path(table.uri), **(raw_ledger_digest or {})},
        )
    # One evaluation covers every date of the run: each names the dates it judged.
    dates = {"dates": f"{report.start} .. {report.end - timedelta(days=1)}"}
    yield dg.AssetCheckResult(
        asset_key=PLAYER_STAGING_KEY, check_name="boxscore_parity", passed=not report.parity_mismatches,
        metadata={**dates, "mismatches": dg.MetadataValue.json(report.parity_mismatches[:100]),
                  "count": len(report.parity_mismatches)},
    )
    yield dg.AssetCheckResult(
        asset_key=PLAYER_STAGING_KEY, check_name=SHIFT_CHART_RULES, passed=not report.repaired_charts,
        severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(report.repaired_charts[:3]) or None,
        metadata={"games": dg.MetadataValue.json(report.repaired_charts[:LISTED]),
                  "count": len(report.repaired_charts)},
    )
    yield dg.AssetCheckResult(
        asset_key=PLAYER_STAGING_KEY, check_name=ALL_GAMES_STAGED, passed=not report.failures,
        severity=dg.AssetCheckSeverity.ERROR,
        description=report.failure_summary() or None,
        metadata={**dates, **lists},
    )
    for name, key in STAGING_KEYS.items():
        table = report.tables[name]
        yield dg.AssetCheckResult(asset_key=key, check_name="unique_keys", passed=table.duplicate_keys == 0,
                                  metadata={**dates, "duplicate_rows": table.duplicate_keys})
        yield dg.AssetCheckResult(asset_key=key, check_name="column_contract",
                                  passed=table.exists and not table.contract_problems,
                                  metadata={**dates,
                                            "problems": dg.MetadataValue.json(list(table.contract_problems[:50]))})
