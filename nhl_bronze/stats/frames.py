"""Column lists -> one polars frame with the exact contract schema (the only frame construction per table).

Building a frame costs per column, not per value, so the Int32 columns (most of both tables) go through a
single Series that is sliced (zero-copy) into columns.
"""

from __future__ import annotations

from itertools import chain
from typing import NamedTuple

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


class TableColumns(NamedTuple):
    """One game's rows of a table as column lists, before the frame is built."""

    columns: dict[str, list]
    height: int
    nulls: frozenset[str] = frozenset()  # all-null columns (absent from ``columns``)
    rounded: frozenset[str] = frozenset()  # Float64 columns that get round(2)


def _column(part: TableColumns, name: str) -> list:
    if name in part.nulls:
        return [None] * part.height
    values = part.columns[name]
    if len(values) != part.height:
        raise ValueError(f"column {name} has {len(values)} values, not {part.height}")
    return values


def build_frame(parts: list[TableColumns], schema: pl.Schema) -> pl.DataFrame:
    """All parts' rows, one after the other, in ``schema`` order and types: one frame construction in all."""
    height = sum(part.height for part in parts)
    ints = _int32_columns(schema)
    if len(parts) == 1:
        part = parts[0]
        flat_values = list(chain.from_iterable(_column(part, name) for name in ints))
    else:
        flat_values = list(chain.from_iterable(_column(part, name) for name in ints for part in parts))
    flat = pl.Series(flat_values, dtype=pl.Int32)
    series = {name: flat.slice(i * height, height).alias(name) for i, name in enumerate(ints)}
    out = []
    for name, dtype in schema.items():
        if name in series:
            out.append(series[name])
            continue
        if all(name in part.nulls for part in parts):
            out.append(pl.Series(name, [None] * height, dtype=dtype))
            continue
        values = pl.Series(name, list(chain.from_iterable(_column(part, name) for part in parts)), dtype=dtype)
        if any(name in part.rounded for part in parts):
            values = values.round(2)
        out.append(values)
    return pl.DataFrame(out)
