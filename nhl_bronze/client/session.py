"""``NhlApiSession``: a synchronous facade over one async httpx client (one connection pool per session).

The asyncio loop runs in a private thread, so the session works the same from plain code, from Dagster ops
and from inside an already-running event loop. Every game endpoint and every schedule day is requested at
most once per session; later windows reuse what an earlier one fetched.

Game bodies are handed on as the JSON bytes received (checked, not decoded: ``client.bodies``); only the
schedule, which the session itself reads, is decoded here.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

import httpx

from nhl_bronze.client.bodies import ShiftChartStatus, decode_json, shift_chart_status
from nhl_bronze.client.errors import GameFetchError, NhlApiError, NotFoundError, ScheduleFetchError
from nhl_bronze.client.rate_limit import AsyncTokenBucket
from nhl_bronze.client.requester import JsonResponse, Requester, RequestStats, RetryPolicy
from nhl_bronze.client.window import (
    Endpoint,
    GameBodies,
    RawResponse,
    WindowFetch,
    assemble_window_fetch,
    plan_window,
)
from nhl_bronze.domain.dates import SCHEDULE_DAYS_PER_CALL, schedule_call_dates, window_dates
from nhl_bronze.domain.games import schedule_games_by_date

T = TypeVar("T")
# Connections per httpx pool (see ``Requester``): small enough that a pool's per-request scans stay cheap.
CONNECTIONS_PER_POOL = 4
OnResponse = Callable[[RawResponse], None]


@dataclass(frozen=True)
class ClientSettings:
    """Plain values of the resource's config (EnvVars already resolved)."""

    web_api_url: str
    stats_api_url: str
    max_in_flight: int
    rate_limit: float
    timeout_seconds: float
    retry: RetryPolicy
    user_agent: str


class _LoopThread:
    """An event loop in a daemon thread; ``run`` blocks the caller until a coroutine completes."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="nhl-api-session", daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


class NhlApiSession:
    """Open with ``NhlApiResource.open_session()``; see ``fetch_window`` and ``schedule_games``."""

    def __init__(self, settings: ClientSettings, transport: httpx.AsyncBaseTransport | None = None,
                 on_response: OnResponse | None = None, rng: random.Random | None = None) -> None:
        self.settings = settings
        self._on_response = on_response
        self._loop = _LoopThread()
        self.stats = RequestStats()
        # Schedule answers stay JSON bytes (a decoded week is ~4x its bytes, kept for the whole session), indexed
        # by the days each lists: a window decodes only the few answers covering its dates.
        self._schedule_bodies: list[bytes] = []
        self._schedule_body_of_day: dict[date, int] = {}  # the first answer listing the day wins, as in plan_window
        self._covered_dates: set[date] = set()
        self._games: dict[int, tuple[GameBodies, list[GameFetchError]]] = {}

        async def build() -> Requester:
            # A given transport (tests, the offline twin) is one pool already; real HTTP gets small pools.
            pools = 1 if transport is not None else -(-settings.max_in_flight // CONNECTIONS_PER_POOL)
            connections = -(-settings.max_in_flight // pools)
            # One TLS context for all pools: building one (loading the CA bundle) costs ~0.15 s of CPU.
            tls = httpx.create_ssl_context() if transport is None else True
            clients = [
                httpx.AsyncClient(
                    transport=transport,
                    verify=tls,
                    timeout=httpx.Timeout(settings.timeout_seconds),
                    limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
                    headers={"User-Agent": settings.user_agent, "Accept": "application/json"},
                    follow_redirects=True,  # /now endpoints are 307s (never used here, but harmless)
                )
                for _ in range(pools)
            ]
            return Requester(clients, AsyncTokenBucket(settings.rate_limit),
                             asyncio.Semaphore(settings.max_in_flight), settings.retry, self.stats,
                             rng or random.Random())

        self._requester = self._loop.run(build())

    # -- public API --------------------------------------------------------------------------------------
    def fetch_window(self, start: date, end: date) -> WindowFetch:
        """Fetch every finished regular/playoff game of ``[start, end)``; failures are collected per game."""
        return self._loop.run(self._fetch_window(start, end))

    def schedule_games(self, start: date, end: date) -> dict[date, list[dict]]:
        """Every schedule entry of each date of ``[start, end)`` (one call per 7 days at most)."""
        return self._loop.run(self._schedule_games(start, end))

    def close(self) -> None:
        try:
            for client in self._requester.clients:
                self._loop.run(client.aclose())
        finally:
            self._loop.close()

    def __enter__(self) -> NhlApiSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- internals ---------------------------------------------------------------------------------------
    async def _schedule_games(self, start: date, end: date) -> dict[date, list[dict]]:
        dates = window_dates(start, end)
        await self._ensure_schedule(dates)
        return plan_window(dates, self._schedule_bodies_for(dates)).schedule_games

    async def _fetch_window(self, start: date, end: date) -> WindowFetch:
        started = time.perf_counter()
        before = RequestStats(**vars(self.stats))
        dates = window_dates(start, end)
        await self._ensure_schedule(dates)
        plan = plan_window(dates, self._schedule_bodies_for(dates))
        todo = [(day, game) for day, game in plan.to_fetch if game["id"] not in self._games]
        fetched = await asyncio.gather(*(self._fetch_game(day, game["id"]) for day, game in todo))
        # Only the latest window's games are kept (a window overlapping it is served from memory): keeping
        # every parsed body of a multi-season backfill would hold gigabytes.
        self._games = {game["id"]: self._games[game["id"]] for _, game in plan.to_fetch if game["id"] in self._games}
        for (_, game), result in zip(todo, fetched, strict=True):
            self._games[game["id"]] = result
        wanted = [self._games[game["id"]] for _, game in plan.to_fetch]
        bodies = {game["id"]: result[0] for (_, game), result in zip(plan.to_fetch, wanted, strict=True)}
        failures = [failure for _, errors in wanted for failure in errors]
        result = assemble_window_fetch(plan, bodies, failures)
        result.api_calls = self.stats.api_calls - before.api_calls
        result.retries = self.stats.retries - before.retries
        result.bytes_received = self.stats.bytes_received - before.bytes_received
        result.elapsed_seconds = time.perf_counter() - started
        return result

    async def _ensure_schedule(self, dates: list[date]) -> None:
        missing = [day for day in dates if day not in self._covered_dates]
        bodies = await asyncio.gather(*(self._fetch_schedule(s) for s in schedule_call_dates(missing)))
        for week_start, body, days in bodies:
            for day in days:
                self._schedule_body_of_day.setdefault(day, len(self._schedule_bodies))
            self._schedule_bodies.append(body)
            self._covered_dates.update(week_start + timedelta(days=n) for n in range(SCHEDULE_DAYS_PER_CALL))

    def _schedule_bodies_for(self, dates: list[date]) -> list[dict]:
        """The decoded answers that list any of ``dates``, in fetch order: ``plan_window`` picks the same answer
        for each day as it would from all of them (the first listing it)."""
        indexes = sorted({self._schedule_body_of_day[day] for day in dates if day in self._schedule_body_of_day})
        return [decode_json(self._schedule_bodies[index]) for index in indexes]

    async def _fetch_schedule(self, week_start: date) -> tuple[date, bytes, set[date]]:
        url = f"{self.settings.web_api_url}/schedule/{week_start.isoformat()}"
        try:
            response = await self._requester.get_json(url, decode=_days_listed)
        except NhlApiError as exc:
            raise ScheduleFetchError(exc.url, f"schedule of the week of {week_start}: {exc.reason}",
                                     exc.status, exc.attempts) from exc
        self._emit("schedule", week_start.isoformat(), week_start, response)
        return week_start, response.body, response.payload

    async def _fetch_game(self, game_date: date, game_id: int) -> tuple[GameBodies, list[GameFetchError]]:
        web, stats = self.settings.web_api_url, self.settings.stats_api_url
        requests: list[tuple[Endpoint, str, dict[str, str] | None]] = [
            ("play-by-play", f"{web}/gamecenter/{game_id}/play-by-play", None),
            ("boxscore", f"{web}/gamecenter/{game_id}/boxscore", None),
            ("shiftcharts", f"{stats}/en/shiftcharts", {"cayenneExp": f"gameId={game_id}"}),
        ]
        errors: list[GameFetchError] = []
        statuses: list[ShiftChartStatus] = []

        async def one(endpoint: Endpoint, url: str, params: dict[str, str] | None) -> bytes | None:
            try:
                # The shift chart's check also tells whether it lists any shift (one pass over its bytes).
                response = await self._requester.get_json(
                    url, params, **({"decode": shift_chart_status} if endpoint == "shiftcharts" else {}))
            except NotFoundError as exc:
                if endpoint != "shiftcharts":  # a missing shift chart is "not published yet", not a failure
                    errors.append(GameFetchError(game_id, game_date, endpoint, exc.url, str(exc)))
                return None
            except NhlApiError as exc:
                errors.append(GameFetchError(game_id, game_date, endpoint, exc.url, str(exc)))
                return None
            self._emit(endpoint, str(game_id), game_date, response)
            if endpoint == "shiftcharts":
                statuses.append(response.payload)
            return response.body

        play_by_play, boxscore, shift_chart = await asyncio.gather(*(one(*r) for r in requests))
        return GameBodies(play_by_play, boxscore, shift_chart, statuses[0] if statuses else None), errors

    def _emit(self, endpoint: Endpoint, key: str, game_date: date, response: JsonResponse) -> None:
        if self._on_response is not None:
            self._on_response(RawResponse(endpoint, key, game_date, response.url, response.status,
                                          response.fetched_at, response.body))


def _days_listed(body: bytes) -> set[date]:
    """The days a schedule answer lists (decoding it checks it is JSON); the answer itself is kept as bytes."""
    return set(schedule_games_by_date(decode_json(body)))
