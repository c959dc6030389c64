"""Staging: fetch a window of game dates and overwrite exactly that window in the two staging tables."""


import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import dagster as dg
import polars as pl

from nhl_bronze.assets.boxscore_parity import boxscore_mismatches
from nhl_bronze.assets.window import partition_window
from nhl_bronze.contract import GAMES_HISTORICAL_SCHEMA, PLAYER_GAME_STATS_SCHEMA
from nhl_bronze.domain.dates import chunk_window, contiguous_windows, in_window
from nhl_bronze.ingest import GameWindowSource
from nhl_bronze.partitions import game_date_partitions
from nhl_bronze.resources.lakehouse import LakehouseResource
from nhl_bronze.resources.nhl_api import GameFetchError, NhlApiResource, WindowFetch
from nhl_bronze.stats import GameFrames, GameInput, compute_batch
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import GAMES_HISTORICAL_STAGING, PLAYER_GAME_STATS_STAGING

# One schedule call answers 7 days, so a week is the natural unit of fetching; it also bounds memory: a week of
# raw bodies is ~100 games x ~0.7 MB, where a season at once would be ~1 GB of JSON.
CHUNK_DAYS = 7

PLAYER_STAGING_KEY = dg.AssetKey(PLAYER_GAME_STATS_STAGING.name)
GAMES_STAGING_KEY = dg.AssetKey(GAMES_HISTORICAL_STAGING.name)


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
        dg.AssetCheckSpec("unique_keys", asset=PLAYER_STAGING_KEY, description="(playerId, gameId, situation)"),
        dg.AssetCheckSpec("unique_keys", asset=GAMES_STAGING_KEY, description="(gameId, team, situation)"),
        dg.AssetCheckSpec("column_contract", asset=PLAYER_STAGING_KEY, description="133 columns, names and types"),
        dg.AssetCheckSpec("column_contract", asset=GAMES_STAGING_KEY, description="59 columns, names and types"),
    ],
    can_subset=False,
    # One staging step at a time (with a pool limit of 1) keeps the whole deployment within the API rate limit.
    pool="nhl_api",
)
def bronze_staging(context: dg.AssetExecutionContext, nhl_api: NhlApiResource, lakehouse: LakehouseResource):
    """Fetch each date's final games (schedule -> play-by-play, shift chart, boxscore) from the NHL API, or from
    the raw landing store when the lakehouse source is ``raw``, and overwrite exactly the run's dates."""
    start, end = partition_window(context)
    store = lakehouse.store()
    stats = StagingStats()
    failed_dates: dict[date, list[str]] = {}
    parity_problems: list[str] = []
    total_days = (end - start).days
    started = time.monotonic()

    chunks = list(chunk_window(start, end, CHUNK_DAYS))
    # The next chunk is fetched (network-bound, in the session's I/O thread) while this one is parsed and written
    # (CPU-bound): a long backfill then costs about max(fetching, parsing), not their sum.
    with GameWindowSource(nhl_api, lakehouse) as source, ThreadPoolExecutor(1, "prefetch") as prefetch:
        upcoming = prefetch.submit(source.fetch, *chunks[0])
        for index, (chunk_start, chunk_end) in enumerate(chunks):
            window = upcoming.result()
            if index + 1 < len(chunks):
                upcoming = prefetch.submit(source.fetch, *chunks[index + 1])
            stats.add_chunk(*_stage_chunk(store, window, chunk_start, chunk_end, failed_dates, parity_problems))
            done = (chunk_end - start).days
            elapsed = time.monotonic() - started
            context.log.info(
                f"staging {chunk_end - timedelta(days=1)}: dates {done}/{total_days}, games {stats.games_fetched}, "
                f"api calls {stats.api_calls} ({stats.api_calls / max(elapsed, 1e-9):.1f} req/s), {elapsed:.1f} s"
            )
        source_name = source.name

    yield from stats.results(store, source_name, failed_dates)
    yield from _checks(store, start, end, parity_problems)
    if failed_dates:
        details = "; ".join(f"{day}: {' | '.join(reasons)}" for day, reasons in sorted(failed_dates.items()))
        raise dg.Failure(
            description=f"{len(failed_dates)} date(s) failed and kept their previous staging rows: {details}",
            metadata={"failed_dates": sorted(str(d) for d in failed_dates)},
        )


def _stage_chunk(store: DeltaStore, window: WindowFetch, chunk_start: date, chunk_end: date,
                 failed_dates: dict[date, list[str]], parity_problems: list[str]) -> tuple[WindowFetch, GameFrames]:
    """Compute and write one fetched chunk of dates; returns the fetch and the rows written."""
    frames, parse_failures = _compute_frames(window)
    for failure in [*window.failures, *parse_failures]:
        failed_dates.setdefault(failure.game_date, []).append(str(failure))
    parity_problems += boxscore_mismatches(
        ((g.game_id, g.boxscore) for g in window.games if g.game_date not in failed_dates), frames.players, frames.teams
    )
    # Re-running is safe: each write replaces exactly its own dates. Dates with a failed game keep what
    # staging already holds for them, so a partial date is never written.
    written = GameFrames(frames.players.clear(), frames.teams.clear())
    for good_start, good_end in contiguous_windows(chunk_start, chunk_end, set(failed_dates)):
        players, teams = (_within(frame, good_start, good_end) for frame in frames)
        store.overwrite_window(PLAYER_GAME_STATS_STAGING, players, good_start, good_end)
        store.overwrite_window(GAMES_HISTORICAL_STAGING, teams, good_start, good_end)
        written = GameFrames(pl.concat([written.players, players]), pl.concat([written.teams, teams]))
    return window, written


class StagingStats:
    def __init__(self) -> None:
        self.games_fetched = 0
        self.api_calls = 0
        self.retries = 0
        self.player_rows = 0
        self.team_rows = 0
        self.pending: list[str] = []
        self.skipped: Counter[str] = Counter()
        self.without_shift_chart: list[str] = []

    def add_chunk(self, window: WindowFetch, frames: GameFrames) -> None:
        self.games_fetched += len(window.games)
        self.api_calls += window.api_calls
        self.retries += window.retries
        self.player_rows += frames.players.height
        self.team_rows += frames.teams.height
        self.pending += [f"{p.game_id} ({p.game_date}): {p.reason}" for p in window.pending]
        self.skipped.update(s.reason for s in window.skipped)
        self.without_shift_chart += [
            f"{g.game_id} ({g.game_date}): shift chart {g.shift_chart_status}"
            for g in window.games
            if g.shift_chart is None or g.shift_chart_status != "ok"
        ]

    def results(self, store: DeltaStore, source_name: str, failed_dates: dict[date, list[str]]):
        common = {
            "source": source_name,
            "games_fetched": self.games_fetched,
            "games_pending": len(self.pending),
            "pending_games": dg.MetadataValue.json(self.pending[:200]),
            "games_skipped": sum(self.skipped.values()),
            "skipped_reasons": dg.MetadataValue.json(dict(self.skipped)),
            "games_without_shift_chart": dg.MetadataValue.json(self.without_shift_chart[:200]),
            "failed_dates": dg.MetadataValue.json(sorted(str(d) for d in failed_dates)),
            "api_calls": self.api_calls,
            "api_retries": self.retries,
        }
        for key, spec, rows in (
            (PLAYER_STAGING_KEY, PLAYER_GAME_STATS_STAGING, self.player_rows),
            (GAMES_STAGING_KEY, GAMES_HISTORICAL_STAGING, self.team_rows),
        ):
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    **common,
                    "dagster/row_count": rows,
                    "table_version": store.version(spec) if store.exists(spec) else -1,
                    "table_path": dg.MetadataValue.path(store.uri(spec)),
                },
            )


def _compute_frames(window: WindowFetch) -> tuple[GameFrames, list[GameFetchError]]:
    """The window's rows, computed in one batch; a malformed game fails alone (its date is not written)."""
    inputs = [
        GameInput(game.game_date, game.schedule_game, game.play_by_play, game.boxscore, game.shift_chart)
        for game in window.games
    ]
    result = compute_batch(inputs)
    game_of = {id(game_input): game for game_input, game in zip(inputs, window.games, strict=True)}
    failures = []
    for game_input, error in result.failures:
        game = game_of[id(game_input)]
        failures.append(GameFetchError(game.game_id, game.game_date, "statistics", "", str(error)))
    return result.frames, failures


def _within(frame: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    return frame.filter(in_window(start, end))


def _checks(store: DeltaStore, start: date, end: date, parity_problems: list[str]):
    yield dg.AssetCheckResult(
        asset_key=PLAYER_STAGING_KEY,
        check_name="boxscore_parity",
        passed=not parity_problems,
        metadata={"mismatches": dg.MetadataValue.json(parity_problems[:100]), "count": len(parity_problems)},
    )
    for key, spec, schema in (
        (PLAYER_STAGING_KEY, PLAYER_GAME_STATS_STAGING, PLAYER_GAME_STATS_SCHEMA),
        (GAMES_STAGING_KEY, GAMES_HISTORICAL_STAGING, GAMES_HISTORICAL_SCHEMA),
    ):
        window = store.read_window(spec, start, end)
        duplicates = 0 if window is None else window.height - window.select(spec.key).unique().height
        yield dg.AssetCheckResult(
            asset_key=key, check_name="unique_keys", passed=duplicates == 0, metadata={"duplicate_rows": duplicates}
        )
        actual = {} if window is None else dict(window.schema)
        missing_or_wrong = [f"{name}: {actual.get(name)} != {dtype}" for name, dtype in schema.items()
                            if actual.get(name) != dtype]
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name="column_contract",
            passed=window is not None and not missing_or_wrong,
            metadata={"problems": dg.MetadataValue.json(missing_or_wrong[:50])},
        )
