"""Response bodies stay JSON bytes in the client: checked here, decoded only where they are parsed.

A decoded play-by-play or shift chart is ~5-10x its body size in Python objects; a week of a backfill held as
dicts (plus the prefetched next week, plus the copies pickled to the parse workers) is hundreds of MB where the
bytes are ~50 MB. So the client only *checks* that a body is JSON (a truncated 200 must still be retried and
reported with its URL and game) and hands the bytes on; the parse workers decode them.

The check is msgspec's decoder into ``msgspec.Raw``: a full JSON syntax check in C that builds no Python objects
(~0.6 ms per game's three bodies, against ~3.4 ms for orjson.loads and ~9 ms for json.loads, measured on
synthetic games). Unlike ``json.loads`` it does not check that strings are valid UTF-8; a body cut in the
middle of a character is still caught by the broken string or object around it.
"""

from __future__ import annotations

import json
from typing import Literal

import msgspec

ShiftChartStatus = Literal["ok", "not_published", "empty"]


class _ShiftChartHead(msgspec.Struct):
    """Just enough of a shift chart to tell "published, with shifts" from "published, empty"."""

    data: msgspec.Raw = msgspec.Raw(b"null")  # a missing "data" reads as empty, as ``dict.get`` did


_ANY_JSON = msgspec.json.Decoder(msgspec.Raw)
_SHIFT_CHART_HEAD = msgspec.json.Decoder(_ShiftChartHead)


def check_json(body: bytes) -> None:
    """Raise ``ValueError`` unless ``body`` is one complete JSON document; nothing is kept."""
    _ANY_JSON.decode(body)


def decode_json(body: bytes) -> object:
    """The decoded body, exactly as ``json.loads`` gives it (for the few bodies the client itself reads)."""
    return json.loads(body)


def shift_chart_status(shift_chart: dict | bytes | None) -> ShiftChartStatus:
    """``not_published`` (no body, a 404), ``ok`` (it lists shifts) or ``empty`` (``{"data": []}``).

    Raises ``ValueError`` for bytes that are not a JSON object (checked by the same decode).
    """
    if shift_chart is None:
        return "not_published"
    if isinstance(shift_chart, bytes | bytearray):
        data = _SHIFT_CHART_HEAD.decode(shift_chart).data
        # Only a short value can be falsy ([], {}, "", 0, false, null): decode just those, as ``bool(data)``.
        return "ok" if len(data) >= 64 or json.loads(bytes(data)) else "empty"
    return "ok" if shift_chart.get("data") else "empty"
