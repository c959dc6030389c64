"""Situation buckets -> output situations: the bucket seen from one side, ``all`` rows, shares; a side's teams."""

from __future__ import annotations

import polars as pl

from nhl_bronze.stats.situations import ALL, HOME

_IS_HOME = pl.col("side") == HOME


def bucket_of_side() -> pl.Expr:
    """The situation bucket of a row seen from its ``side`` (both buckets, sitHome/sitAway, are on the row)."""
    return pl.when(_IS_HOME).then(pl.col("sitHome")).otherwise(pl.col("sitAway"))


def with_all(counts: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    """``counts`` has ``keys`` + ``situation`` (a bucket, null = no bucket) + value columns.

    Returns the rows of the real buckets plus one ``all`` row per key, which sums every bucket.
    """
    total = counts.group_by(keys).agg(pl.exclude("situation").sum()).with_columns(situation=pl.lit(ALL))
    return pl.concat([counts.filter(pl.col("situation").is_not_null()), total], how="diagonal")


def sum_by_situation(rows: pl.LazyFrame, keys: list[str], values: list[pl.Expr]) -> pl.LazyFrame:
    """Aggregate ``values`` per ``keys`` + ``situation`` (the row's bucket), then add the ``all`` rows."""
    return with_all(rows.group_by(*keys, "situation").agg(values), keys)


def share(numerator: pl.Expr, other: pl.Expr) -> pl.Expr:
    """100 * n / (n + other), 50.0 when nobody had any."""
    total = numerator + other
    return pl.when(total > 0).then(100.0 * numerator.cast(pl.Float64) / total.cast(pl.Float64)).otherwise(50.0)


def side_columns() -> dict[str, pl.Expr]:
    """A row's own team, the opposing team and ``HOME``/``AWAY`` from its ``side`` and the game's two teams."""
    columns = {
        "team": pl.when(_IS_HOME).then(pl.col("homeTeam")).otherwise(pl.col("awayTeam")),
        "opposingTeam": pl.when(_IS_HOME).then(pl.col("awayTeam")).otherwise(pl.col("homeTeam")),
        "home_or_away": pl.col("side").str.to_uppercase(),
    }
    return {name: expr.alias(name) for name, expr in columns.items()}
