"""Game-clock strings ("MM:SS", minutes may exceed 59 and may be unpadded) to seconds."""

from __future__ import annotations

import polars as pl

# A game has a few thousand clock strings but only ~1,200 distinct ones per period length: parsing each once
# is most of what a shift chart costs. Only valid strings are cached; the cache is bounded.
_CACHE: dict[str, int] = {}
_CACHE_LIMIT = 20_000


def _parse(value: object) -> int:
    if not isinstance(value, str):
        raise TypeError(f"clock value {value!r} is not a string")
    minutes, _, seconds = value.partition(":")
    if not _ or not minutes.isdigit() or not seconds.isdigit() or len(seconds) != 2:
        raise ValueError(f"clock value {value!r} is not MM:SS")
    return int(minutes) * 60 + int(seconds)


def clock_seconds(value: object) -> int:
    """``"05:45"`` -> 345. Raises ValueError/TypeError on anything that is not ``M+:SS``."""
    try:
        return _CACHE[value]  # type: ignore[index]
    except (KeyError, TypeError):  # not seen yet, or unhashable
        seconds = _parse(value)
        if len(_CACHE) < _CACHE_LIMIT:
            _CACHE[value] = seconds  # type: ignore[index]
        return seconds


def clock_seconds_expr(column: str) -> pl.Expr:
    """The vectorised :func:`clock_seconds` of a String column: null where the value is not ASCII ``M+:SS``.

    Stricter than ``clock_seconds`` (ASCII digits only, at most 7 minute digits): a null sends its game to the
    per-game path, which either accepts the value exactly as before or fails the game with its own message.
    """
    parts = pl.col(column).str.extract_groups(r"^([0-9]{1,7}):([0-9]{2})$")
    return parts.struct.field("1").cast(pl.Int64) * 60 + parts.struct.field("2").cast(pl.Int64)
