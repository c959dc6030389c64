"""Where a staging window's games come from: the NHL API (landing every body in the raw store) or the raw store.

Both paths end in the same ``WindowFetch`` built by the same selection rules, so a rebuild from stored bodies
gives exactly the staging rows the API fetch gave, with zero API calls.
"""

from __future__ import annotations

import json
from datetime import date

from nhl_bronze.domain.dates import window_dates
from nhl_bronze.resources.lakehouse import LakehouseResource, StagingSource
from nhl_bronze.resources.nhl_api import GameBodies, NhlApiResource, RawResponse, WindowFetch, window_fetch_from_bodies
from nhl_bronze.storage.raw_responses import RawResponseStore


class GameWindowSource:
    """Fetches windows for one run: one API session (one connection pool) for the whole run."""

    def __init__(self, nhl_api: NhlApiResource, lakehouse: LakehouseResource):
        self.source = StagingSource(lakehouse.source)
        self.raw_store: RawResponseStore = lakehouse.raw_responses()
        self._nhl_api = nhl_api
        self._session_context = None
        self._session = None
        self._landed: list[RawResponse] = []

    @property
    def name(self) -> str:
        return self.source.value

    def fetch(self, start: date, end: date) -> WindowFetch:
        if self.source is StagingSource.RAW:
            return self._from_raw_store(start, end)
        session = self._open_session()
        window = session.fetch_window(start, end)
        # Landed before any parsing: a body that later fails to parse is still kept for a rebuild.
        self._land_received()
        return window

    def schedule_games(self, start: date, end: date) -> dict[date, list[dict]]:
        """Every scheduled game of ``[start, end)`` from the API (and landed in the raw store)."""
        games = self._open_session().schedule_games(start, end)
        self._land_received()
        return games

    @property
    def api_calls(self) -> int:
        return self._session.stats.api_calls if self._session is not None else 0

    def close(self) -> None:
        if self._session_context is not None:
            self._session_context.__exit__(None, None, None)
            self._session_context = self._session = None

    def __enter__(self) -> GameWindowSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _land_received(self) -> None:
        # Emptied in place: the session holds a reference to this very list.
        self.raw_store.record(self._landed)
        self._landed.clear()

    def _open_session(self):
        if self._session is None:
            self._session_context = self._nhl_api.open_session(on_response=self._landed.append)
            self._session = self._session_context.__enter__()
        return self._session

    def _from_raw_store(self, start: date, end: date) -> WindowFetch:
        stored = self.raw_store.newest_bodies(start, end)
        bodies: dict[int, dict[str, dict]] = {}
        for (endpoint, game_id), body in stored.game_bodies.items():
            bodies.setdefault(game_id, {})[endpoint] = json.loads(body)
        return window_fetch_from_bodies(
            window_dates(start, end),
            [json.loads(body) for body in stored.schedules],
            {
                game_id: GameBodies(parts.get("play-by-play"), parts.get("boxscore"), parts.get("shiftcharts"))
                for game_id, parts in bodies.items()
            },
        )
