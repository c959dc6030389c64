"""What the typed decoders of every input share: the integer type, bodies as JSON bytes, flagged games.

Each input has one module that declares its schema and holds its typed decoder, its per-game walk and its
batch rules together (``plays``: the play-by-play, ``shift_charts``: the shift chart). A typed decoder reads
only the fields the rows need and skips the rest in C (a shift chart is ~300 KB of names, colours and ids
nobody reads), building one small object per row: several times faster than ``json.loads`` of the body.

The types are strict (msgspec never coerces: a string where an int is expected is an error, not a number),
and a field that is absent or null decodes as None. A body that does not decode is *refused*: its game is
walked on its own, which reads it exactly as before (it fails the game with the same message, or accepts what
it always accepted, e.g. a float 517.0 for a type code).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated

import msgspec
import polars as pl

Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]  # a bigger int would not fit the frame


def json_bytes(body: object) -> bytes | None:
    """``body`` as JSON bytes (a decoded dict is serialised), or None when it cannot be (non-string keys, ...)."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    try:
        return msgspec.json.encode(body)
    except (TypeError, ValueError, OverflowError):
        return None


def gis(frame: pl.DataFrame) -> set[int]:
    """The games (``gi``) that have a row in ``frame``."""
    return set(frame["gi"].unique().to_list())


# Clock strings become seconds while the columns are gathered: a batch has ~200,000 of them but only a few
# thousand distinct ones, so a dict look-up each (~50 ns) replaces building a string column and running a regex
# over it (measured ~3x the cost). Only valid strings are cached; the cache is bounded.
_CLOCK = re.compile(r"[0-9]{1,7}:[0-9]{2}")
_CLOCK_SECONDS: dict[str, int] = {}
_CLOCK_CACHE_LIMIT = 20_000


def _strict_clock(value: object) -> int | None:
    if not isinstance(value, str) or _CLOCK.fullmatch(value) is None:
        return None
    minutes, _, seconds = value.partition(":")
    result = int(minutes) * 60 + int(seconds)
    if len(_CLOCK_SECONDS) < _CLOCK_CACHE_LIMIT:
        _CLOCK_SECONDS[value] = result
    return result


def clock_column(values: Sequence[str | None]) -> list[int | None]:
    """Each ``M+:SS`` clock as seconds, None for anything else; exactly ``clock.clock_seconds_expr``'s reading.

    Stricter than ``clock.clock_seconds`` (ASCII digits only, at most 7 minute digits): a None flags its game,
    whose per-game walk then accepts the value exactly as before or fails the game with its own message.
    """
    seconds = list(map(_CLOCK_SECONDS.get, values))
    if None in seconds:
        seconds = [known if known is not None else _strict_clock(value) for known, value in zip(seconds, values,
                                                                                                strict=True)]
    return seconds


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a batch is parsed (and resumed after, if it was running).

    Reading a batch of 100 games allocates a few hundred thousand small objects (row tuples, roster dicts)
    that hold no reference cycles: reference counting frees them. Each 700 of them started a collection that
    also walks the process's long-lived objects (~100,000 after the imports): ~110 collections a batch, 12-25 %
    of the parse (100 simulated games, one core, measured in one process: 5.2-5.7 ms/game paused against
    6.4-6.8 with the collector running). Garbage that does hold a cycle waits for the first collection after.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
