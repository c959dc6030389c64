"""Column lists -> one polars frame with the exact contract schema (the only frame construction per table).

Building a frame costs per column, not per value, so the Int32 columns (most of both tables) go through a
single Series that is sliced (zero-copy) into columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain

import polars as pl


def share(numerator: int, other: int) -> float:
    """100 * n / (n + other), 50.0 when nobody had any."""
    total = numerator + other
    return 100.0 * numerator / total if total > 0 else 50.0


_INT32_COLUMNS: dict[int, tuple[pl.Schema, list[str]]] = {}


def _int32_columns(schema: pl.Schema) -> list[str]:
    cached = _INT32_COLUMNS.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = _INT32_COLUMNS[id(schema)] = (schema, [n for n, dtype in schema.items() if dtype == pl.Int32])
    return cached[1]


def build_frame(
    columns: dict[str, list],
    schema: pl.Schema,
    height: int,
    rounded: Iterable[str] = (),
    nulls: Iterable[str] = (),
) -> pl.DataFrame:
    """``schema`` order and types; ``nulls`` are all-null columns, ``rounded`` Float64 columns get round(2)."""
    nulls, rounded = set(nulls), set(rounded)
    ints = [name for name in _int32_columns(schema) if name not in nulls]
    if any(len(columns[name]) != height for name in ints):
        raise ValueError("columns of unequal length")
    flat = pl.Series(list(chain.from_iterable(columns[name] for name in ints)), dtype=pl.Int32)
    series = {name: flat.slice(i * height, height).alias(name) for i, name in enumerate(ints)}
    out = []
    for name, dtype in schema.items():
        if name in series:
            out.append(series[name])
        elif name in nulls:
            out.append(pl.Series(name, [None] * height, dtype=dtype))
        else:
            values = pl.Series(name, columns[name], dtype=dtype)
            out.append(values.round(2) if name in rounded else values)
    return pl.DataFrame(out)
