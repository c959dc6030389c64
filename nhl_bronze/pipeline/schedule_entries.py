"""The stored schedule answers as a table of parsed entries, kept up to date one landing at a time.

The derived schedule needs the start time of every game it lists, i.e. every stored schedule answer. Parsing all
of them on every run grew with the season (hundreds of JSON bodies by spring); here each answer is parsed once:
``refresh_schedule_entries`` reads only the schedule files the raw store's commits added since the raw version
the entries table was last brought to (``raw_version``), parses those bodies and appends their entries. The
result equals parsing every stored answer (``rebuild_schedule_entries``, also the fallback when the raw log no
longer lists every commit since, or a file it lists is gone).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from polars.exceptions import ComputeError

from nhl_bronze.derived.schedule import BODY_ENTRY_SCHEMA, body_entries, latest_answers
from nhl_bronze.storage.changes import files_added_since
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import RAW_API_RESPONSES, SCHEDULE_ENTRIES

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


def refresh_schedule_entries(store: DeltaStore) -> EntriesRefresh:
    """Bring the entries table up to the raw store's current version, parsing only the answers landed since."""
    if not store.exists(RAW_API_RESPONSES):
        return EntriesRefresh(pl.DataFrame(schema=ENTRIES_SCHEMA), 0, False)
    if not store.exists(SCHEDULE_ENTRIES):
        return rebuild_schedule_entries(store)
    existing = store.scan(SCHEDULE_ENTRIES).collect()
    raw = store.table(RAW_API_RESPONSES)
    raw_version = raw.version()
    folded = existing[RAW_VERSION].max()
    added = None if folded is None else files_added_since(store, RAW_API_RESPONSES, int(folded), raw_version,
                                                          SCHEDULE_PARTITION)
    if added is None:
        return rebuild_schedule_entries(store)
    if not added:
        return EntriesRefresh(existing, 0, False)
    try:
        bodies = _answers(store.scan_table(raw, only_files=added)).collect()
    except (ComputeError, OSError):  # a listed file was vacuumed since (a refresh older than the retention)
        return rebuild_schedule_entries(store)
    new = body_entries(bodies).with_columns(pl.lit(raw_version, pl.Int64).alias(RAW_VERSION))
    entries = pl.concat([existing, new])
    current = latest_answers(entries)
    if entries.height - current.height > MAX_SUPERSEDED_SHARE * entries.height:
        # Replacing is safe at any time: the table is rebuilt from what it held plus the new answers.
        store.replace(SCHEDULE_ENTRIES, current)
        return EntriesRefresh(current, bodies.height, False)
    # Answers that list no game add no row: the commits since are listed again next time (a few log files).
    store.append(SCHEDULE_ENTRIES, new)
    return EntriesRefresh(pl.concat([existing, new]), bodies.height, False)


def rebuild_schedule_entries(store: DeltaStore) -> EntriesRefresh:
    """Parse the newest stored answer of every schedule request again and replace the entries table."""
    raw = store.table_if_exists(RAW_API_RESPONSES)
    if raw is None:
        return EntriesRefresh(pl.DataFrame(schema=ENTRIES_SCHEMA), 0, True)
    answers = _answers(store.scan_table(raw).filter(pl.col("endpoint") == SCHEDULE_PARTITION["endpoint"]))
    newest = answers.filter(pl.col("fetched_at") == pl.col("fetched_at").max().over("key")).collect()
    entries = body_entries(newest).with_columns(pl.lit(raw.version(), pl.Int64).alias(RAW_VERSION))
    store.replace(SCHEDULE_ENTRIES, entries)
    return EntriesRefresh(entries, newest.height, True)


def _answers(raw_rows: pl.LazyFrame) -> pl.LazyFrame:
    return raw_rows.filter(pl.col("status") == 200).select("key", "fetched_at", "body")
