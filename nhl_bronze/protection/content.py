"""Deep verification: does every history row still hold the content its ``_row_hash`` was computed from?

The audit reads the log; it cannot see a row whose values were changed while its key, ``_version`` and stored
``_row_hash`` stayed (an UPDATE with append-only switched off, a data file rewritten in place). Here every row's
content is hashed again with the merge's own ``content_hash`` and compared with the hash stored beside it.

A row whose content no longer matches is *altered*, unless an intact later version of its key carries its recorded
hash: then its recorded content is back in the table (``recovery`` appends it so, and so does a re-ingestion of
the date, because the merge compares against content). Its recorded content is looked up

1. in the data files the log says were removed (an UPDATE's or a compaction's old files, kept until vacuum), then
2. in the raw landing store: the newest stored bodies of the row's date are parsed again, exactly as staging
   parses them,

and is accepted only when it hashes to the row's stored ``_row_hash``. The columns that differ are then named.
A row whose recorded content is found nowhere is *lost*; it stays a problem until an operator acknowledges it
(``protection.losses``).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl

from nhl_bronze.domain.dates import GAME_DATE_COLUMN, date_of_game_date_int, game_date_int, in_window
from nhl_bronze.storage.files import files_dated_in
from nhl_bronze.storage.history import (
    GAME_ID,
    HISTORY_META_COLUMNS,
    ROW_HASH,
    VERSION,
    content_hash,
    versions_of_games,
)
from nhl_bronze.storage.log import read_commit
from nhl_bronze.storage.snapshot import TableSnapshot
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY, TableSpec

if TYPE_CHECKING:
    from deltalake import DeltaTable

    from nhl_bronze.storage.delta import DeltaStore

CONTENT_HASH = "_content_hash"  # the hash of a row's content as it reads now
RECORDED_FROM = "_recorded_from"
HASH_SLICE_ROWS = 10_000
BATCH_ROWS = 50_000  # rows hashed at once: bounds memory on a three-season table (~0.3 GB of player rows)
SAMPLE_RANDOM_FILES = 1  # the daily sample: the run's window plus rows drawn from this many random files
SAMPLE_RANDOM_ROWS = 5_000
HISTORY_WITH_RAW_ROWS = {PLAYER_GAME_STATS_HISTORY.name: "players", GAMES_HISTORICAL_HISTORY.name: "teams"}


@dataclass(frozen=True)
class AlteredRow:
    table: str
    key: dict[str, Any]
    version: int
    game_date: int | None
    stored_hash: str
    content_hash: str
    # column -> (recorded value, value now); None: the recorded content was not found (the row is lost)
    differing: dict[str, tuple[Any, Any]] | None = None
    recorded_from: str | None = None

    @property
    def lost(self) -> bool:
        return self.differing is None

    def named_key(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.key.items())

    def describe(self) -> str:
        day = f" (game date {date_of_game_date_int(self.game_date)})" if self.game_date is not None else ""
        where = f"{self.table}: key {self.named_key()}, _version {self.version}{day}"
        if self.differing is None:
            return (f"{where}: content no longer matches its _row_hash and its recorded content was found neither "
                    "in removed data files nor in the raw store: lost (restore a backup, or acknowledge it: "
                    "nhl-bronze acknowledge-loss)")
        if not self.differing:
            return f"{where}: content no longer matches its _row_hash (recorded content: {self.recorded_from})"
        changes = "; ".join(f"{column} {recorded!r} -> {now!r}" for column, (recorded, now)
                            in sorted(self.differing.items()))
        return f"{where}: altered, column(s) {changes} (recorded content from {self.recorded_from})"


@dataclass
class ContentReport:
    table: str
    rows_checked: int = 0
    files_checked: int = 0
    altered: list[AlteredRow] = field(default_factory=list)
    restored: int = 0  # altered rows whose recorded content an intact later version carries
    # the altered rows, whole (``CONTENT_HASH`` added), and the recorded content found for them
    altered_rows: pl.DataFrame = field(default_factory=pl.DataFrame, repr=False)
    recorded: pl.DataFrame = field(default_factory=pl.DataFrame, repr=False)

    @property
    def ok(self) -> bool:
        return not self.altered


def check_content(store: DeltaStore, target: TableSpec | TableSnapshot, files: list[str] | None = None,
                  keep: Callable[[pl.LazyFrame], pl.LazyFrame] | None = None) -> ContentReport:
    """Hash every row of ``target`` (a table's spec, or its snapshot opened already; of ``files`` only, when given;
    the rows ``keep`` keeps of each batch read, when given) again; the report names each altered row, with its
    recorded content looked up. A table that does not exist checks clean (the audit reports a missing table)."""
    snapshot = target if isinstance(target, TableSnapshot) else store.open(target)
    spec, table = snapshot.spec, snapshot.table
    report = ContentReport(spec.name)
    if table is None:
        return report
    mismatched: list[pl.DataFrame] = []
    for batch in _file_batches(table, files):
        rows = snapshot.scan(only_files=batch)
        rows = (keep(rows) if keep is not None else rows).collect()
        report.files_checked += len(batch)
        report.rows_checked += rows.height
        if rows.is_empty() or ROW_HASH not in rows.columns:
            continue
        # In slices: the canonical text of a row is ~2.5 kB; a compacted season file holds ~90 k player rows.
        hashes = [content_hash(rows.slice(offset, HASH_SLICE_ROWS)) for offset in range(0, rows.height,
                                                                                          HASH_SLICE_ROWS)]
        hashed = rows.with_columns(pl.concat(hashes).alias(CONTENT_HASH))
        mismatched.append(hashed.filter(pl.col(CONTENT_HASH).ne_missing(pl.col(ROW_HASH))))
    altered = pl.concat(mismatched, how="diagonal_relaxed") if mismatched else pl.DataFrame()
    if not altered.is_empty():  # rows stored under the first hash scheme are intact when that scheme matches
        altered = altered.filter(_first_scheme_hash(altered).ne_missing(altered[ROW_HASH]))
    if altered.is_empty():
        return report
    altered, report.restored = _without_restored(snapshot, altered)
    if altered.is_empty():
        return report
    report.recorded = find_recorded_content(store, snapshot, altered)
    report.altered = describe_altered(spec, altered, report.recorded)
    report.altered_rows = altered
    return report


def check_sample(store: DeltaStore, spec: TableSpec, start: date, end: date, random_files: int = SAMPLE_RANDOM_FILES,
                 random_rows: int = SAMPLE_RANDOM_ROWS, seed: int | None = None) -> ContentReport:
    """The daily sample a history run checks: every row of ``[start, end)`` plus a block of ``random_rows`` rows at a
    random place of each of ``random_files`` files picked at random, so every file is looked into now and then at a
    small fixed cost (a compacted season file holds ~90 k player rows: hashing one whole costs ~4 s on the
    reference machine, see bench_deep_verify)."""
    snapshot = store.open(spec)
    table = snapshot.table
    if table is None:
        return ContentReport(spec.name)
    window = files_dated_in(table, start, end)
    report = check_content(store, snapshot, window, keep=lambda rows: rows.filter(in_window(start, end)))
    chooser = random.Random(seed)
    every = pl.DataFrame(table.get_add_actions(flatten=True)).select("path", pl.col("num_records").fill_null(0))
    for path, records in chooser.sample(list(every.iter_rows()), min(random_files, every.height)):
        # A contiguous block at a random place: whole games (an alteration is per game), and only the row groups
        # holding it are read.
        offset = chooser.randrange(max(1, records - random_rows + 1))
        drawn = check_content(store, snapshot, [path], keep=lambda rows, o=offset: rows.slice(o, random_rows))
        seen = {(row.named_key(), row.version) for row in report.altered}
        report.altered += [row for row in drawn.altered if (row.named_key(), row.version) not in seen]
        report.rows_checked += drawn.rows_checked
        report.files_checked += drawn.files_checked
        report.restored += drawn.restored
    return report


def find_recorded_content(store: DeltaStore, snapshot: TableSnapshot, altered: pl.DataFrame) -> pl.DataFrame:
    """For each altered row, its recorded content (the row, meta columns included, with ``RECORDED_FROM``): a row
    with the same key and ``_version`` whose content hashes to the altered row's stored ``_row_hash``. Rows found
    nowhere are absent from the result."""
    spec = snapshot.spec
    identity = [*spec.key, VERSION]
    wanted = altered.select(*identity, ROW_HASH)
    found: list[pl.DataFrame] = []
    for candidates, origin in _removed_files_rows(store, snapshot, wanted):
        matched = _matching(candidates, wanted, identity, origin)
        if matched.is_empty():
            continue
        found.append(matched)
        wanted = wanted.join(matched.select(identity), on=identity, how="anti", nulls_equal=True)
        if wanted.is_empty():
            break
    if not wanted.is_empty() and spec.name in HISTORY_WITH_RAW_ROWS:
        rows = altered.join(wanted.select(identity), on=identity, how="semi")
        days = rows[GAME_DATE_COLUMN].unique().to_list() if GAME_DATE_COLUMN in rows.columns else []
        reparsed = raw_store_rows(store, spec, days)
        if not reparsed.is_empty():
            # The raw bodies give content, not versions: every version of the key may have been recorded from
            # them, and the stored hash tells which one was.
            candidates = reparsed.join(wanted.select(*identity), on=list(spec.key), how="inner", nulls_equal=True)
            found.append(_matching(candidates, wanted, identity, "the raw store's bodies, parsed again"))
    found = [f for f in found if not f.is_empty()]
    return pl.concat(found, how="diagonal_relaxed") if found else pl.DataFrame()


def describe_altered(spec: TableSpec, altered: pl.DataFrame, recorded: pl.DataFrame) -> list[AlteredRow]:
    identity = [*spec.key, VERSION]
    by_identity = ({tuple(row[c] for c in identity): row for row in recorded.iter_rows(named=True)}
                   if not recorded.is_empty() else {})
    content = [c for c in altered.columns if c not in (*HISTORY_META_COLUMNS, CONTENT_HASH)]
    described = []
    for row in altered.sort(identity).iter_rows(named=True):
        found = by_identity.get(tuple(row[c] for c in identity))
        differing = None
        if found is not None:
            differing = {c: (found.get(c), row[c]) for c in content if not _same(found.get(c), row[c])}
        described.append(AlteredRow(
            spec.name, {k: row[k] for k in spec.key}, int(row[VERSION]), row.get(GAME_DATE_COLUMN),
            row[ROW_HASH], row[CONTENT_HASH], differing, found[RECORDED_FROM] if found is not None else None,
        ))
    return described


def _first_scheme_hash(frame: pl.DataFrame) -> pl.Series:
    """``_row_hash`` as history computed it before the schema-change-stable hash (commit f525e6c, issue 8): SHA-1 of
    the column names, then every value in column-name order with nulls as ``\\N``. Rows stored then keep that hash;
    they are intact when it matches over today's columns (a column added since makes them read as altered)."""
    columns = sorted(c for c in frame.columns if c not in (*HISTORY_META_COLUMNS, CONTENT_HASH))
    canonical = frame.select(pl.concat_str([pl.col(c).cast(pl.String).fill_null("\\N") for c in columns],
                                           separator="\x1f").alias("row"))["row"]
    names = "\x1f".join(columns)
    return pl.Series([hashlib.sha1(f"{names}\x1e{row}".encode()).hexdigest() for row in canonical], dtype=pl.String)


def _same(recorded: Any, now: Any) -> bool:
    if isinstance(recorded, float) and isinstance(now, float) and recorded != recorded and now != now:
        return True  # both NaN
    return recorded == now and type(recorded) is type(now)


def _file_batches(table: DeltaTable, files: list[str] | None) -> Iterator[list[str]]:
    actions = pl.DataFrame(table.get_add_actions(flatten=True))
    if actions.is_empty():
        return
    if files is not None:
        actions = actions.filter(pl.col("path").is_in(files))
    batch: list[str] = []
    rows = 0
    for path, records in actions.select("path", pl.col("num_records").fill_null(BATCH_ROWS)).iter_rows():
        if batch and rows + records > BATCH_ROWS:
            yield batch
            batch, rows = [], 0
        batch.append(path)
        rows += records
    if batch:
        yield batch


def _without_restored(snapshot: TableSnapshot, altered: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """Drop the altered rows whose recorded hash an intact later version of the same key carries: their recorded
    content is back (recovery appended it, or a re-ingestion did)."""
    key = list(snapshot.spec.key)
    if GAME_ID in altered.columns:  # the log's gameId statistics pick the files that can hold the keys
        versions = versions_of_games(snapshot, altered[GAME_ID].unique().to_list(),
                                     list(snapshot.delta_table().schema().to_arrow().names))
    else:
        versions = snapshot.scan().collect()
    versions = versions.join(altered.select(key).unique(), on=key, how="semi", nulls_equal=True)
    intact = versions.filter(content_hash(versions).eq_missing(versions[ROW_HASH]))
    later = altered.select(*key, VERSION, ROW_HASH).join(
        intact.select(*key, pl.col(VERSION).alias("_later"), ROW_HASH), on=[*key, ROW_HASH], nulls_equal=True
    ).filter(pl.col("_later") > pl.col(VERSION)).select(*key, VERSION).unique()
    remaining = altered.join(later, on=[*key, VERSION], how="anti", nulls_equal=True)
    return remaining, altered.height - remaining.height


def _matching(candidates: pl.DataFrame, wanted: pl.DataFrame, identity: list[str], origin: str) -> pl.DataFrame:
    """The candidate rows with a wanted identity whose content hashes to the wanted row's stored hash."""
    if candidates.is_empty():
        return pl.DataFrame()
    rows = candidates.join(wanted.select(identity), on=identity, how="semi", nulls_equal=True)
    if rows.is_empty():
        return pl.DataFrame()
    content = rows.select([c for c in rows.columns if c not in HISTORY_META_COLUMNS])
    rows = rows.with_columns(content_hash(content).alias("_recorded_hash"))
    matched = rows.join(wanted.select(*identity, pl.col(ROW_HASH).alias("_recorded_hash")),
                        on=[*identity, "_recorded_hash"], how="semi", nulls_equal=True)
    return matched.drop("_recorded_hash").with_columns(pl.lit(origin).alias(RECORDED_FROM)).unique(
        subset=identity, keep="first")


def _removed_files_rows(store: DeltaStore, snapshot: TableSnapshot,
                        wanted: pl.DataFrame) -> Iterator[tuple[pl.DataFrame, str]]:
    """Rows of the data files that commits still in the log removed (newest commit first) and that storage still
    holds: an UPDATE's or DELETE's old files, and compaction's, until vacuum deletes them."""
    spec, table = snapshot.spec, snapshot.delta_table()
    live = set(table.get_add_actions(flatten=True).column("path").to_pylist())
    seen: set[str] = set()
    games = wanted[GAME_ID].unique().to_list() if GAME_ID in wanted.columns else None
    for version in range(table.version(), -1, -1):
        for action in read_commit(store, spec, version) or []:
            path = action.get("remove", {}).get("path")
            if path is None or path in live or path in seen:
                continue
            seen.add(path)
            try:
                rows = snapshot.scan(only_files=[path])
                if games is not None:
                    rows = rows.filter(pl.col(GAME_ID).is_in(games))
                yield rows.collect(), f"data file {path}, removed by Delta version {version}"
            except (OSError, pl.exceptions.PolarsError):
                continue  # vacuumed: nothing to read


def raw_store_rows(store: DeltaStore, spec: TableSpec, days: list[int]) -> pl.DataFrame:
    """The rows of ``spec`` staging would compute for ``days`` (``gameDate`` integers) from the raw store's newest
    bodies (an empty frame when the raw store is empty or ``spec`` is not fed from it)."""
    from nhl_bronze.pipeline.parse import parse_games
    from nhl_bronze.pipeline.source import RawStoreSource
    from nhl_bronze.storage.raw_responses import RawResponseStore

    if spec.name not in HISTORY_WITH_RAW_ROWS:
        return pl.DataFrame()
    source = RawStoreSource(RawResponseStore(store))
    if source.raw_store.snapshot() is None:
        return pl.DataFrame()
    frames: list[pl.DataFrame] = []
    for day in sorted(days):
        start = date_of_game_date_int(day)
        try:
            parsed = source.fetch(start, start + timedelta(days=1))
            rows = getattr(parse_games(parsed.games).frames, HISTORY_WITH_RAW_ROWS[spec.name])
        except Exception:  # a body that no longer parses recovers nothing: the row is reported lost
            continue
        frames.append(rows.filter(pl.col(GAME_DATE_COLUMN) == game_date_int(start)))
    frames = [f for f in frames if not f.is_empty()]
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
