"""``stage_window``: where a window of game dates becomes staging rows.

    fetch a week (source) -> parse its games (stats + boxscore parity, per game) -> overwrite its good dates

Weeks are the unit of fetching and parsing: one schedule call answers 7 days, and a week of raw bodies
(~100 games x ~0.7 MB) bounds memory where a season at once would be ~1 GB of JSON. The next week is fetched
(network-bound, in a thread) while this one is parsed (CPU-bound, in-process or in a process pool), so a long
backfill costs about max(fetching, parsing), not their sum; a rebuild from the raw store with a process pool
has each worker read its own weeks instead (``source.RawWindowReader``). Parsed rows (small next to the bodies)
are written up to twelve weeks at a time (``WRITE_DAYS``): fewer Delta commits."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

import polars as pl

from nhl_bronze.client.errors import GameFetchError
from nhl_bronze.client.window import WindowFetch
from nhl_bronze.contract import GAMES_HISTORICAL_SCHEMA, PLAYER_GAME_STATS_SCHEMA
from nhl_bronze.domain.dates import chunk_window, contiguous_windows, in_window
from nhl_bronze.pipeline.parse import GameParser, ParsedGames, concat_parsed, game_parser
from nhl_bronze.pipeline.report import StagingReport, TableState
from nhl_bronze.pipeline.source import WindowSource
from nhl_bronze.stats import GameFrames
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import GAMES_HISTORICAL_STAGING, PLAYER_GAME_STATS_STAGING, TableSpec

if TYPE_CHECKING:
    from nhl_bronze.storage.snapshot import TableSnapshot

CHUNK_DAYS = 7
# Parsed weeks are written together, up to this many days per write: each overwrite is a Delta commit with a
# fixed cost, and staging laid out by season makes a write one file whatever its length (by date, deltalake's
# writer held ~17 MB per date partition and bounded this at 28). A three-season rebuild, 3 alternated pairs:
# 84 days 50.9-52.7 s against 53.5-53.6 s at 28, peak RSS 611 MB against 614-634 MB. The buffer holds ~60 k
# parsed player rows (~35 MB) at most.
WRITE_DAYS = 84
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
    started = time.monotonic()
    with ThreadPoolExecutor(1, "staging-writer") as writer, \
            game_parser(parse_workers, (end - start).days, MIN_POOLED_DAYS) as parser:
        unwritten = _Unwritten(store, report, writer)
        games_parsed = 0
        for chunk in _parsed_chunks(source, parser, start, end):
            report.add_fetch(chunk.fetch)
            unwritten.add(chunk.start, chunk.end, chunk.fetch.failures, chunk.parsed)
            games_parsed += len(chunk.fetch.games)
            if unwritten.days >= WRITE_DAYS or chunk.last:
                written_start = unwritten.write()
                if progress is not None:
                    elapsed = time.monotonic() - started
                    progress(f"staging {written_start}..{chunk.end}: dates {(chunk.end - start).days}/"
                             f"{(end - start).days}, games {games_parsed}, api calls {report.api_calls} "
                             f"({report.api_calls / max(elapsed, 1e-9):.1f} req/s), {elapsed:.1f} s")
        unwritten.wait()
    report.tables = {spec.name: _staged_table(store, spec, schema, start, end, unwritten.rows_written[spec.name])
                     for spec, schema in STAGING_TABLES}
    return report


class ParsedChunk(NamedTuple):
    start: date
    end: date
    fetch: WindowFetch  # without its bodies
    parsed: ParsedGames
    last: bool


def _parsed_chunks(source: WindowSource, parser: GameParser, start: date, end: date) -> Iterator[ParsedChunk]:
    """Every chunk of ``[start, end)`` fetched and parsed, in date order, with one chunk more in flight than there
    are workers.

    A source a worker can read itself (the raw store) is read in the workers, beside the parsing: the bodies
    never enter this process. Otherwise (the API) the next week is fetched in a thread while
    this one is parsed, so a long backfill costs about max(fetching, parsing), not their sum; only each fetch's
    facts are kept here once its games went to be parsed, not its bodies.
    """
    reader = source.reader() if parser.pooled else None
    chunks = list(chunk_window(start, end, CHUNK_DAYS))
    in_flight: deque[tuple[date, date, Callable[[], tuple[WindowFetch, ParsedGames]]]] = deque()
    with ThreadPoolExecutor(1, "prefetch") as prefetch:
        upcoming = prefetch.submit(source.fetch, *chunks[0]) if chunks and reader is None else None
        for index, (chunk_start, chunk_end) in enumerate(chunks):
            if reader is not None:
                in_flight.append((chunk_start, chunk_end, parser.submit_window(reader, chunk_start, chunk_end).result))
            else:
                window = upcoming.result()
                if index + 1 < len(chunks):
                    upcoming = prefetch.submit(source.fetch, *chunks[index + 1])
                facts, pending = window.without_bodies(), parser.submit(window.games)
                del window
                in_flight.append((chunk_start, chunk_end, lambda f=facts, p=pending: (f, p.result())))
            last_chunk = index + 1 == len(chunks)
            while in_flight and (len(in_flight) > parser.workers or last_chunk):
                first, last, result = in_flight.popleft()
                yield ParsedChunk(first, last, *result(), last=last_chunk and not in_flight)


class _Unwritten:
    """Consecutive parsed weeks not written yet, and what was written so far per table.

    Writes run in the ``writer`` thread (deltalake releases the GIL while it encodes and commits), so the main
    thread goes on feeding the parse workers; one write at a time, in date order, and the next waits for the
    previous one (at most one write's rows are held besides the buffer).
    """

    def __init__(self, store: DeltaStore, report: StagingReport, writer: Executor):
        self.store, self.report, self.writer = store, report, writer
        self.rows_written = dict.fromkeys((spec.name for spec, _ in STAGING_TABLES), 0)
        self._start: date | None = None
        self._end: date | None = None
        self._parsed: list[ParsedGames] = []
        self._failed: set[date] = set()
        self._writing: Future[None] | None = None
        self._snapshots: dict[str, TableSnapshot] = {}

    @property
    def days(self) -> int:
        return 0 if self._start is None or self._end is None else (self._end - self._start).days

    def add(self, start: date, end: date, fetch_failures: list[GameFetchError], parsed: ParsedGames) -> None:
        self._start = self._start or start
        self._end = end
        self.report.failures += [*fetch_failures, *parsed.failures]
        self.report.parity_mismatches += parsed.parity_mismatches
        self.report.repaired_charts += parsed.repaired_charts
        self._failed |= {failure.game_date for failure in [*fetch_failures, *parsed.failures]}
        self._parsed.append(parsed)

    def write(self) -> date | None:
        """Start writing the good dates of the buffered weeks; returns the first date they cover."""
        first, end = self._start, self._end
        if first is None or end is None:
            return first
        frames, failed = concat_parsed(self._parsed).frames, self._failed
        self._start = self._end = None
        self._parsed, self._failed = [], set()
        self.wait()
        self._writing = self.writer.submit(self._write, frames, first, end, failed)
        return first

    def wait(self) -> None:
        """Wait for the write in progress (its error, if any, is raised here)."""
        if self._writing is not None:
            self._writing.result()
            self._writing = None

    def _write(self, frames: GameFrames, start: date, end: date, failed: set[date]) -> None:
        # Re-running is safe: each write replaces exactly its own dates. Dates with a failed game keep what
        # staging already holds for them, so a partial date is never written.
        for good_start, good_end in contiguous_windows(start, end, failed):
            for spec, frame in ((PLAYER_GAME_STATS_STAGING, frames.players), (GAMES_HISTORICAL_STAGING, frames.teams)):
                within = frame.filter(in_window(good_start, good_end))
                # Opened once, then brought up to date and written through by every later write.
                if spec.name not in self._snapshots:
                    self._snapshots[spec.name] = self.store.open(spec)
                self.store.overwrite_window(self._snapshots[spec.name], within, good_start, good_end)
                self.rows_written[spec.name] += within.height


def _staged_table(store: DeltaStore, spec: TableSpec, schema: pl.Schema, start: date, end: date,
                  rows_written: int) -> TableState:
    """The staging table's version and the facts its checks judge: unique keys and the column contract."""
    table = store.open(spec)
    if not table.exists:
        return TableState(spec.name, store.uri(spec), -1, rows_written, 0, ("table does not exist",), exists=False)
    # Lazily, keys only: a rebuild of three seasons would otherwise hold all 600 k staged rows to count them.
    window = table.scan_window(start, end)
    actual = dict(window.collect_schema())
    problems = tuple(f"{name}: {actual.get(name)} != {dtype}" for name, dtype in schema.items()
                     if actual.get(name) != dtype)
    counts = window.select(pl.len().alias("rows"), pl.struct(spec.key).n_unique().alias("keys")).collect()
    duplicates = counts["rows"].item() - counts["keys"].item()
    return TableState(spec.name, store.uri(spec), table.version(), rows_written, duplicates, problems)
