"""The stored schedule answers as a table of parsed entries, kept up to date one landing at a time.

The derived schedule needs the start time of every game it lists, i.e. every stored schedule answer. Parsing all
of them on every run grew with the season (hundreds of JSON bodies by spring); here each answer is parsed once:
``refresh_schedule_entries`` reads only the schedule files the raw store's commits added since the raw version
the entries table was last brought to (``raw_version``), parses those bodies and appends their entries. The
result equals parsing every stored answer (``rebuild_schedule_entries``, also the fallback when the raw log no
longer lists every commit since, or a file it lists is gone).

What an answer holds that breaks the schedule contract (``domain.schedule_contract``) is not an entry: it is
written to the quarantine table beside the entries, parsed at the same time, and listed (``in_effect``) for as
long as its answer is the newest of its request.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from polars.exceptions import ComputeError

from nhl_bronze.derived.schedule import (
    BODY_ENTRY_SCHEMA,
    QUARANTINE_SCHEMA,
    body_entries,
    body_problems,
    latest_answers,
)
from nhl_bronze.storage.changes import files_added_since
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import RAW_API_RESPONSES, SCHEDULE_ENTRIES, SCHEDULE_QUARANTINE

RAW_VERSION = "raw_version"  # the raw store version whose schedule answers the row's batch brought in
ENTRIES_SCHEMA = pl.Schema({**BODY_ENTRY_SCHEMA, RAW_VERSION: pl.Int64})
SCHEDULE_PARTITION = {"endpoint": "schedule"}
# Superseded answers are dropped from the table once they outnumber the current ones (keeps its reads flat).
MAX_SUPERSEDED_SHARE = 0.5


@dataclass(frozen=True)
class EntriesRefresh:
    entries: pl.DataFrame  # every row of the entries table after the refresh (ENTRIES_SCHEMA)
    answers_parsed: int
    rebuilt: bool  # True: every stored answer was parsed again (first run, or the changes could not be listed)
    # every row of the quarantine table (QUARANTINE_SCHEMA); ``in_effect`` keeps those of the newest answers
    quarantined: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=QUARANTINE_SCHEMA))

    def in_effect(self) -> pl.DataFrame:
        """The quarantined items of the newest answer of each request (a corrected answer retires them)."""
        answers = pl.concat([self.entries.select("key", "fetched_at"), self.quarantined.select("key", "fetched_at")])
        newest = answers.group_by("key").agg(pl.col("fetched_at").max())
        return self.quarantined.join(newest, on=["key", "fetched_at"], how="semi")


def refresh_schedule_entries(store: DeltaStore) -> EntriesRefresh:
    """Bring the entries table up to the raw store's current version, parsing only the answers landed since."""
    if not store.exists(RAW_API_RESPONSES):
        return EntriesRefresh(pl.DataFrame(schema=ENTRIES_SCHEMA), 0, False)
    if not store.exists(SCHEDULE_ENTRIES) or not store.exists(SCHEDULE_QUARANTINE):
        # No quarantine table yet (entries built before it existed): parse again, so that an answer already
        # folded in is checked against the contract too.
        return rebuild_schedule_entries(store)
    existing = store.scan(SCHEDULE_ENTRIES).collect()
    quarantined = store.scan(SCHEDULE_QUARANTINE).collect().unique(maintain_order=True)
    raw = store.table(RAW_API_RESPONSES)
    raw_version = raw.version()
    folded = existing[RAW_VERSION].max()
    added = None if folded is None else files_added_since(store, RAW_API_RESPONSES, int(folded), raw_version,
                                                          SCHEDULE_PARTITION)
    if added is None:
        return rebuild_schedule_entries(store)
    if not added:
        return EntriesRefresh(existing, 0, False, quarantined)
    try:
        bodies = _answers(store.scan_table(raw, only_files=added)).collect()
    except (ComputeError, OSError):  # a listed file was vacuumed since (a refresh older than the retention)
        return rebuild_schedule_entries(store)
    new = body_entries(bodies).with_columns(pl.lit(raw_version, pl.Int64).alias(RAW_VERSION))
    # Written before the entries: a refresh cut short between the two parses these answers again next time
    # (the entries' raw_version did not move) and finds their problems already there; read back deduplicated.
    new_problems = body_problems(bodies)
    if not new_problems.is_empty():
        store.append(SCHEDULE_QUARANTINE, new_problems)
        quarantined = pl.concat([quarantined, new_problems]).unique(maintain_order=True)
    entries = pl.concat([existing, new])
    current = latest_answers(entries)
    if entries.height - current.height > MAX_SUPERSEDED_SHARE * entries.height:
        # Replacing is safe at any time: the table is rebuilt from what it held plus the new answers.
        store.replace(SCHEDULE_ENTRIES, current)
        return EntriesRefresh(current, bodies.height, False, quarantined)
    # Answers that list no game add no row: the commits since are listed again next time (a few log files).
    store.append(SCHEDULE_ENTRIES, new)
    return EntriesRefresh(pl.concat([existing, new]), bodies.height, False, quarantined)


def rebuild_schedule_entries(store: DeltaStore) -> EntriesRefresh:
    """Parse the newest stored answer of every schedule request again and replace the entries table."""
    raw = store.table_if_exists(RAW_API_RESPONSES)
    if raw is None:
        return EntriesRefresh(pl.DataFrame(schema=ENTRIES_SCHEMA), 0, True)
    answers = _answers(store.scan_table(raw).filter(pl.col("endpoint") == SCHEDULE_PARTITION["endpoint"]))
    newest = answers.filter(pl.col("fetched_at") == pl.col("fetched_at").max().over("key")).collect()
    entries = body_entries(newest).with_columns(pl.lit(raw.version(), pl.Int64).alias(RAW_VERSION))
    quarantined = body_problems(newest)
    # Quarantine first: entries present means the quarantine of the same answers is present too.
    store.replace(SCHEDULE_QUARANTINE, quarantined)
    store.replace(SCHEDULE_ENTRIES, entries)
    return EntriesRefresh(entries, newest.height, True, quarantined)


def _answers(raw_rows: pl.LazyFrame) -> pl.LazyFrame:
    return raw_rows.filter(pl.col("status") == 200).select("key", "fetched_at", "body")


def stored_quarantine(store: DeltaStore) -> pl.DataFrame:
    """The quarantined items in effect as the last refresh left them (read only: ``status`` calls this)."""
    if not store.exists(SCHEDULE_QUARANTINE) or not store.exists(SCHEDULE_ENTRIES):
        return pl.DataFrame(schema=QUARANTINE_SCHEMA)
    return EntriesRefresh(store.scan(SCHEDULE_ENTRIES).collect(), 0, False,
                          store.scan(SCHEDULE_QUARANTINE).collect().unique(maintain_order=True)).in_effect()
