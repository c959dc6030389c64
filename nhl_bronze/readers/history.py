"""Reading history as users need it: the current rows, the rows as of a moment, and what changed.

History tables hold every version of every key (``_version`` 1, 2, ...). Reading them raw double counts every
corrected game; these readers are the one-call ways to read them right.
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from nhl_bronze.readers.source import TableSource, resolve
from nhl_bronze.storage.history import INGESTED_AT, RUN_ID, VERSION, latest_versions
from nhl_bronze.storage.tables import TableSpec

GAME_ID = "gameId"
GAME_DATE = "gameDate"


def scan_history(source: TableSource, spec: TableSpec | str | None = None,
                 storage_options: dict[str, str] | None = None) -> pl.LazyFrame:
    """Every stored version of every row."""
    table = resolve(source, spec, storage_options)
    return table.store.scan(table.spec)


def latest(source: TableSource, spec: TableSpec | str | None = None,
           storage_options: dict[str, str] | None = None) -> pl.LazyFrame:
    """The current history: the highest ``_version`` of every key, over the whole table.

    ``latest("data/bronze_player_game_stats_v2")`` or ``latest(store, PLAYER_GAME_STATS_HISTORY)``.
    """
    table = resolve(source, spec, storage_options)
    return latest_versions(table.store.scan(table.spec), table.spec)


def as_of(source: TableSource, at: datetime | str, spec: TableSpec | str | None = None,
          storage_options: dict[str, str] | None = None) -> pl.LazyFrame:
    """What history said at ``at``: the latest version of every key among the versions ingested by then.

    ``as_of("data/bronze_games_historical_v2", "2025-01-15T00:00Z")``; with a store, pass the spec too.

    ``_ingested_at`` is when a run started merging, so a run still committing at ``at`` counts as done: pick a
    moment between runs (a training set's cut-off) and the result equals Delta time travel to that moment.
    """
    table = resolve(source, spec, storage_options)
    moment = parse_timestamp(at)
    versions = table.store.scan(table.spec).filter(pl.col(INGESTED_AT) <= moment)
    return latest_versions(versions, table.spec)


def changed_rows(source: TableSource, since: datetime | str | None = None, until: datetime | str | None = None,
                 spec: TableSpec | str | None = None, storage_options: dict[str, str] | None = None) -> pl.LazyFrame:
    """The versions inserted after ``since`` and up to ``until`` (each a timestamp or a run id; None = open).

    A run id stands for the moment that run ingested: ``since=run_a, until=run_b`` is what run b and the runs
    between them added, excluding run a itself.
    """
    table = resolve(source, spec, storage_options)
    history = table.store.scan(table.spec)
    conditions = []
    if since is not None:
        conditions.append(pl.col(INGESTED_AT) > _moment(history, since))
    if until is not None:
        conditions.append(pl.col(INGESTED_AT) <= _moment(history, until))
    return history.filter(*conditions) if conditions else history


def changes(source: TableSource, since: datetime | str | None = None, until: datetime | str | None = None,
            spec: TableSpec | str | None = None, storage_options: dict[str, str] | None = None) -> pl.DataFrame:
    """The change feed: one row per game that gained versions between ``since`` and ``until``.

    Columns: ``gameId``, ``gameDate``, ``rows`` (versions inserted), ``new_keys`` (first versions: the game is
    new to history), ``corrected_keys`` (versions > 1: a correction), ``first_ingested_at``,
    ``last_ingested_at`` and ``run_ids``.
    """
    rows = changed_rows(source, since, until, spec, storage_options)
    return (
        rows.group_by(GAME_ID, GAME_DATE)
        .agg(
            pl.len().alias("rows"),
            (pl.col(VERSION) == 1).sum().alias("new_keys"),
            (pl.col(VERSION) > 1).sum().alias("corrected_keys"),
            pl.col(INGESTED_AT).min().alias("first_ingested_at"),
            pl.col(INGESTED_AT).max().alias("last_ingested_at"),
            pl.col(RUN_ID).unique().sort().alias("run_ids"),
        )
        .sort(GAME_DATE, GAME_ID)
        .collect()
    )


def runs(source: TableSource, spec: TableSpec | str | None = None,
         storage_options: dict[str, str] | None = None) -> pl.DataFrame:
    """The runs that inserted rows, oldest first: ``run_id``, ``ingested_at``, ``rows`` (versions inserted),
    ``games``, ``first_game_date`` and ``last_game_date``. Its ids and times are what ``changes`` and ``as_of``
    take (``nhl-bronze status`` prints the recent ones)."""
    table = resolve(source, spec, storage_options)
    return (
        table.store.scan(table.spec)
        .group_by(RUN_ID)
        .agg(pl.col(INGESTED_AT).max().alias("ingested_at"), pl.len().alias("rows"),
             pl.col(GAME_ID).n_unique().alias("games"), pl.col(GAME_DATE).min().alias("first_game_date"),
             pl.col(GAME_DATE).max().alias("last_game_date"))
        .sort("ingested_at", RUN_ID)
        .rename({RUN_ID: "run_id"})
        .collect()
    )


def parse_timestamp(value: datetime | str) -> datetime:
    """An ISO timestamp (``2025-01-15T00:00Z``, ``2025-01-15``); a time without a zone is UTC."""
    if isinstance(value, str):
        text = value.strip()
        text = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
        value = datetime.fromisoformat(text)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _moment(history: pl.LazyFrame, bound: datetime | str) -> datetime:
    """A timestamp as given, or the ingestion moment of the run with that id."""
    if isinstance(bound, datetime):
        return parse_timestamp(bound)
    try:
        return parse_timestamp(bound)
    except ValueError:
        pass
    ingested = history.filter(pl.col(RUN_ID) == bound).select(pl.col(INGESTED_AT).max()).collect().item()
    if ingested is None:
        raise ValueError(f"{bound!r} is neither an ISO timestamp nor the id of a run that inserted history rows")
    return ingested
