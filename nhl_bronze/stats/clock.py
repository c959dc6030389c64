"""Game-clock strings ("MM:SS", minutes may exceed 59 and may be unpadded) to seconds."""

from __future__ import annotations


def clock_seconds(value: object) -> int:
    """``"05:45"`` -> 345. Raises ValueError/TypeError on anything that is not ``M+:SS``."""
    if not isinstance(value, str):
        raise TypeError(f"clock value {value!r} is not a string")
    minutes, _, seconds = value.partition(":")
    if not _ or not minutes.isdigit() or not seconds.isdigit() or len(seconds) != 2:
        raise ValueError(f"clock value {value!r} is not MM:SS")
    return int(minutes) * 60 + int(seconds)
