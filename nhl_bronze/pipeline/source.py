"""Where a staging window's games come from: the NHL API (landing every body in the raw store) or the raw store.

Both sources end in the same ``WindowFetch`` built by the same selection rules (``client.window``), so a rebuild
from stored bodies gives exactly the staging rows the API fetch gave, with zero API calls.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from nhl_bronze.client.session import NhlApiSession, OnResponse
from nhl_bronze.client.window import GameBodies, RawResponse, WindowFetch, window_fetch_from_bodies
from nhl_bronze.domain.dates import window_dates
from nhl_bronze.domain.schedule_contract import check_schedule
from nhl_bronze.pipeline.parse import WindowReader
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.raw_responses import RawResponseStore
from nhl_bronze.storage.tables import RAW_API_RESPONSES

if TYPE_CHECKING:
    from deltalake import DeltaTable

OpenSession = Callable[[OnResponse], AbstractContextManager[NhlApiSession]]


class StagingSource(str, Enum):
    API = "api"  # fetch from the NHL API (and keep every response in the raw landing store)
    RAW = "raw"  # rebuild from the raw landing store: zero API calls, e.g. after a parser change


class WindowSource(Protocol):
    """What ``stage_window`` reads: one ``WindowFetch`` per ``[start, end)``."""

    name: str

    def fetch(self, start: date, end: date) -> WindowFetch: ...

    def reader(self) -> WindowReader | None:
        """A picklable reader for parse workers to fetch windows themselves, or None (fetched here only)."""
        ...


class ApiSource:
    """Fetches windows from the API over one session (one connection pool) and lands every body in the raw store."""

    name = StagingSource.API.value

    def __init__(self, open_session: OpenSession, raw_store: RawResponseStore):
        self.raw_store = raw_store
        self._open_session = open_session
        self._session_context: AbstractContextManager[NhlApiSession] | None = None
        self._session: NhlApiSession | None = None
        self._landed: list[RawResponse] = []
        # What the schedule contract set aside in the answers this source landed (the rest of each week is kept).
        self.schedule_problems: list[str] = []

    def fetch(self, start: date, end: date) -> WindowFetch:
        window = self._session_or_open().fetch_window(start, end)
        # Landed before any parsing: a body that later fails to parse is still kept for a rebuild.
        self._land_received()
        return window

    def schedule_games(self, start: date, end: date) -> dict[date, list[dict]]:
        """Every scheduled game of ``[start, end)`` (and the schedule bodies landed in the raw store)."""
        games = self._session_or_open().schedule_games(start, end)
        self._land_received()
        return games

    @property
    def api_calls(self) -> int:
        return self._session.stats.api_calls if self._session is not None else 0

    def reader(self) -> None:
        return None  # one session, its rate limit and the landing of every body stay in this process

    def close(self) -> None:
        if self._session_context is not None:
            self._session_context.__exit__(None, None, None)
            self._session_context = self._session = None

    def __enter__(self) -> ApiSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _land_received(self) -> None:
        self.schedule_problems += [
            f"schedule {response.key} ({response.url}): {problem.describe()}"
            for response in self._landed if response.endpoint == "schedule"
            for problem in check_schedule(json.loads(response.body)).problems
        ]
        # Emptied in place: the session holds a reference to this very list.
        self.raw_store.record(self._landed)
        self._landed.clear()

    def _session_or_open(self) -> NhlApiSession:
        if self._session is None:
            self._session_context = self._open_session(self._landed.append)
            self._session = self._session_context.__enter__()
        return self._session


class RawStoreSource:
    """Rebuilds windows from the newest stored bodies: zero API calls.

    Every window is read from the snapshot of the raw store taken at the first fetch (or given): a rebuild of
    three seasons opens the log once instead of once per week, and reads one consistent version (nothing lands
    during a rebuild: it makes no API call).
    """

    name = StagingSource.RAW.value
    api_calls = 0

    def __init__(self, raw_store: RawResponseStore, snapshot: DeltaTable | None = None):
        self.raw_store = raw_store
        self._snapshot = snapshot

    def reader(self) -> RawWindowReader:
        """What a parse worker needs to read windows of this source's snapshot itself (see ``RawWindowReader``)."""
        snapshot = self._taken_snapshot()
        store = self.raw_store.store
        return RawWindowReader(store.root, tuple(sorted((store.storage_options or {}).items())),
                               snapshot.version() if snapshot is not None else None)

    def fetch(self, start: date, end: date) -> WindowFetch:
        stored = self.raw_store.newest_bodies(start, end, self._taken_snapshot())
        bodies: dict[int, dict[str, bytes]] = {}
        for (endpoint, game_id), body in stored.game_bodies.items():
            # Every game body stays JSON bytes until it is parsed (``parse.parse_games``): in a process pool the
            # worker decodes it, instead of this process decoding and pickling ~1 MB per game.
            bodies.setdefault(game_id, {})[endpoint] = body
        return window_fetch_from_bodies(
            window_dates(start, end),
            [json.loads(body) for body in stored.schedules],
            {
                game_id: GameBodies(parts.get("play-by-play"), parts.get("boxscore"), parts.get("shiftcharts"))
                for game_id, parts in bodies.items()
            },
        )

    def _taken_snapshot(self) -> DeltaTable | None:
        if self._snapshot is None:
            self._snapshot = self.raw_store.snapshot()
        return self._snapshot

    def close(self) -> None:
        pass

    def __enter__(self) -> RawStoreSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@dataclass(frozen=True)
class RawWindowReader:
    """One version of the raw store, as a small picklable value: a parse worker reads its own windows with it.

    A rebuild's bodies (~0.45 MB a game, ~1.9 GB for three seasons) then never pass through the pipeline process:
    it neither reads them out of the store nor pickles them down a pipe to the worker that decodes them.
    """

    root: str
    # a tuple, not a dict: the reader is a cache key; never in its repr (credentials)
    storage_options: tuple[tuple[str, str], ...] = field(repr=False)
    version: int | None  # None: the store was empty

    def fetch(self, start: date, end: date) -> WindowFetch:
        return _source_of(self).fetch(start, end)


@functools.lru_cache(maxsize=2)
def _source_of(reader: RawWindowReader) -> RawStoreSource:
    # Once per process and version: a worker reads ~75 windows of a three-season rebuild from one log replay.
    # Read-only (no guard): a worker reads windows of the raw store, it never writes it.
    raw_store = RawResponseStore(DeltaStore(reader.root, dict(reader.storage_options) or None))
    snapshot = None if reader.version is None else raw_store.store.table(RAW_API_RESPONSES, reader.version)
    return RawStoreSource(raw_store, snapshot)
