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
