"""Game-clock strings ("MM:SS", minutes may exceed 59 and may be unpadded) to seconds."""

from __future__ import annotations

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
