"""``stage_window``: where a window of game dates becomes staging rows.

    fetch a week (source) -> parse its games (stats + boxscore parity, per game) -> overwrite its good dates

Weeks are the unit: one schedule call answers 7 days, and a week of raw bodies (~100 games x ~0.7 MB) bounds
memory where a season at once would be ~1 GB of JSON. The next week is fetched (network-bound, in a thread)
while this one is parsed (CPU-bound, in-process or in a process pool) and written, so a long backfill costs
about max(fetching, parsing), not their sum.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import polars as pl

from nhl_bronze.client.window import WindowFetch
from nhl_bronze.contract import GAMES_HISTORICAL_SCHEMA, PLAYER_GAME_STATS_SCHEMA
from nhl_bronze.domain.dates import chunk_window, contiguous_windows, in_window
from nhl_bronze.pipeline.parse import ParsedGames, PendingParse, game_parser
from nhl_bronze.pipeline.report import StagingReport, TableState
from nhl_bronze.pipeline.source import WindowSource
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import GAMES_HISTORICAL_STAGING, PLAYER_GAME_STATS_STAGING, TableSpec

CHUNK_DAYS = 7
# A process pool repays its workers' start-up only over more than one week of games.
MIN_POOLED_DAYS = CHUNK_DAYS + 1
STAGING_TABLES: tuple[tuple[TableSpec, pl.Schema], ...] = (
    (PLAYER_GAME_STATS_STAGING, PLAYER_GAME_STATS_SCHEMA),
    (GAMES_HISTORICAL_STAGING, GAMES_HISTORICAL_SCHEMA),
)
Progress = Callable[[str], None]


def stage_window(source: WindowSource, store: DeltaStore, start: date, end: date, *, parse_workers: int = 1,
                 progress: Progress | None = None) -> StagingReport:
    """Fetch, parse and write the final games of ``[start, end)`` into the two staging tables.

    Never raises for a game: a game that cannot be fetched or parsed fails its own date, which keeps its
    previous staging rows, and is listed in ``report.failures``; every other date is written.
    """
    report = StagingReport(source.name, start, end)
    written = dict.fromkeys((spec.name for spec, _ in STAGING_TABLES), 0)
    started = time.monotonic()
    chunks = list(chunk_window(start, end, CHUNK_DAYS))
    with ThreadPoolExecutor(1, "prefetch") as prefetch, \
            game_parser(parse_workers, (end - start).days, MIN_POOLED_DAYS) as parser:
        # Up to ``parser.workers`` weeks are parsed at once; they are written in date order.
        in_flight: deque[tuple[date, date, WindowFetch, PendingParse]] = deque()
        upcoming = prefetch.submit(source.fetch, *chunks[0]) if chunks else None
        for index, (chunk_start, chunk_end) in enumerate(chunks):
            window = upcoming.result()
            if index + 1 < len(chunks):
                upcoming = prefetch.submit(source.fetch, *chunks[index + 1])
            in_flight.append((chunk_start, chunk_end, window, parser.submit(window.games)))
            while in_flight and (len(in_flight) >= parser.workers or index + 1 == len(chunks)):
                first, last, fetched, pending = in_flight.popleft()
                for name, rows in _write_chunk(store, report, first, last, fetched, pending.result()).items():
                    written[name] += rows
                if progress is not None:
                    elapsed = time.monotonic() - started
                    progress(f"staging {first}..{last}: dates {(last - start).days}/{(end - start).days}, games "
                             f"{report.games_fetched}, api calls {report.api_calls} "
                             f"({report.api_calls / max(elapsed, 1e-9):.1f} req/s), {elapsed:.1f} s")
    report.tables = {spec.name: _staged_table(store, spec, schema, start, end, written[spec.name])
                     for spec, schema in STAGING_TABLES}
    return report


def _write_chunk(store: DeltaStore, report: StagingReport, start: date, end: date, window: WindowFetch,
                 parsed: ParsedGames) -> dict[str, int]:
    """Write one parsed week's good dates; returns the rows written per table."""
    report.add_fetch(window)
    report.failures += [*window.failures, *parsed.failures]
    report.parity_mismatches += parsed.parity_mismatches
    failed = {failure.game_date for failure in [*window.failures, *parsed.failures]}
    rows = {PLAYER_GAME_STATS_STAGING.name: 0, GAMES_HISTORICAL_STAGING.name: 0}
    # Re-running is safe: each write replaces exactly its own dates. Dates with a failed game keep what
    # staging already holds for them, so a partial date is never written.
    for good_start, good_end in contiguous_windows(start, end, failed):
        for spec, frame in ((PLAYER_GAME_STATS_STAGING, parsed.frames.players),
                            (GAMES_HISTORICAL_STAGING, parsed.frames.teams)):
            within = frame.filter(in_window(good_start, good_end))
            store.overwrite_window(spec, within, good_start, good_end)
            rows[spec.name] += within.height
    return rows


def _staged_table(store: DeltaStore, spec: TableSpec, schema: pl.Schema, start: date, end: date,
                  rows_written: int) -> TableState:
    """The staging table's version and the facts its checks judge: unique keys and the column contract."""
    if not store.exists(spec):
        return TableState(spec.name, store.uri(spec), -1, rows_written, 0, ("table does not exist",), exists=False)
    table = store.table(spec)
    # Lazily, keys only: a rebuild of three seasons would otherwise hold all 600 k staged rows to count them.
    window = store.scan_table(table).filter(in_window(start, end))
    actual = dict(window.collect_schema())
    problems = tuple(f"{name}: {actual.get(name)} != {dtype}" for name, dtype in schema.items()
                     if actual.get(name) != dtype)
    counts = window.select(pl.len().alias("rows"), pl.struct(spec.key).n_unique().alias("keys")).collect()
    duplicates = counts["rows"].item() - counts["keys"].item()
    return TableState(spec.name, store.uri(spec), table.version(), rows_written, duplicates, problems)
