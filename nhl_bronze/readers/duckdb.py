"""DuckDB over the bronze Delta tables, offline: ``pip install "nhl-bronze[duckdb]"``.

The ``duckdb`` extra pins ``duckdb`` and ``duckdb-extension-delta`` (a community wheel that ships DuckDB's
official ``delta`` extension binary for exactly that DuckDB version), so ``LOAD delta`` needs no download:

    from nhl_bronze.readers import duckdb as bronze_duckdb
    con = bronze_duckdb.connect()
    con.sql(bronze_duckdb.latest_sql("data/bronze_player_game_stats_v2")).pl()

The SQL itself is the recipe for any engine (``latest_sql(..., scan="my_table")``): the rows whose ``_version``
is the highest of their key.
"""

from __future__ import annotations

from pathlib import Path

from nhl_bronze.readers.history import parse_timestamp
from nhl_bronze.readers.source import TableSource, resolve
from nhl_bronze.storage.history import INGESTED_AT, VERSION
from nhl_bronze.storage.tables import TableSpec


def delta_extension_path() -> Path:
    """The ``delta`` extension binary shipped by ``duckdb-extension-delta`` for the installed DuckDB."""
    import duckdb
    import duckdb_extension_delta

    extension = (Path(duckdb_extension_delta.__file__).parent / "extensions" / f"v{duckdb.__version__}"
                 / "delta.duckdb_extension")
    if not extension.exists():
        raise RuntimeError(f"duckdb-extension-delta has no delta extension for duckdb {duckdb.__version__} "
                           f"(looked for {extension}); install the versions pinned by the 'duckdb' extra")
    return extension


def connect(database: str = ":memory:"):
    """A DuckDB connection with the ``delta`` extension loaded from the installed wheel (no network)."""
    import duckdb

    con = duckdb.connect(database)
    con.execute(f"LOAD '{delta_extension_path()}'")
    return con


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def latest_sql(source: TableSource, spec: TableSpec | str | None = None, scan: str | None = None,
               as_of: str | None = None, dialect: str = "duckdb") -> str:
    """SQL for the current history of a table (one row per key: its highest ``_version``).

    ``dialect="duckdb"``: a window over ``_version`` on ``delta_scan('<uri>')``. ``dialect="spark"`` (Spark SQL,
    Databricks SQL, also valid in DuckDB and Trino): the same rows by joining each key's maximum ``_version``, on
    ``delta.`<uri>``` (Spark has no ``SELECT * EXCLUDE``). ``scan`` replaces the table expression (e.g. a
    catalog table name); ``as_of`` keeps only the versions ingested by that moment, as
    ``nhl_bronze.readers.as_of`` does.
    """
    table = resolve(source, spec)
    keys = ", ".join(table.spec.key)
    # An explicit UTC offset makes the literal an instant in both engines, whatever the session time zone.
    moment = _quote(parse_timestamp(as_of).strftime("%Y-%m-%d %H:%M:%S.%f+00:00")) if as_of else ""
    if dialect == "duckdb":
        relation = scan or f"delta_scan({_quote(table.uri)})"
        where = f"\n    WHERE {INGESTED_AT} <= TIMESTAMPTZ {moment}" if as_of else ""
        return (
            f"SELECT * EXCLUDE (_latest_version) FROM (\n"
            f"    SELECT *, max({VERSION}) OVER (PARTITION BY {keys}) AS _latest_version\n"
            f"    FROM {relation}{where}\n"
            f") WHERE {VERSION} = _latest_version"
        )
    if dialect == "spark":
        relation = scan or f"delta.`{table.uri}`"
        where = f" WHERE {INGESTED_AT} <= TIMESTAMP {moment}" if as_of else ""
        using = ", ".join((*table.spec.key, VERSION))
        return (
            f"SELECT h.* FROM (SELECT * FROM {relation}{where}) AS h\n"
            f"JOIN (SELECT {keys}, max({VERSION}) AS {VERSION} FROM {relation}{where} GROUP BY {keys}) AS m\n"
            f"USING ({using})"
        )
    raise ValueError(f"unknown SQL dialect {dialect!r}: 'duckdb' or 'spark'")


def latest(con, source: TableSource, spec: TableSpec | str | None = None, as_of: str | None = None):
    """The current history of a table as a DuckDB relation (``.pl()``, ``.df()``, ``.fetchall()``)."""
    return con.sql(latest_sql(source, spec, as_of=as_of))
