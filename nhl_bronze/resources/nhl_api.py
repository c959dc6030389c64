"""``NhlApiResource``: the Dagster resource over the official NHL API, and its offline twin.

Usage::

    with nhl_api.open_session(on_response=raw_store.append) as session:
        window = session.fetch_window(date(2024, 10, 9), date(2024, 10, 10))

Settings come from Dagster config, or from env vars via ``nhl_api_resource_from_env()`` (see
docs/API_AND_SIMULATOR.md). Nothing here touches the network or the environment at import time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import dagster as dg
import httpx

from nhl_bronze.domain.games import classify_schedule_game, schedule_games_by_date
from nhl_bronze.resources.errors import GameFetchError, NhlApiError, NotFoundError, ScheduleFetchError
from nhl_bronze.resources.requester import RetryPolicy
from nhl_bronze.resources.session import ClientSettings, NhlApiSession
from nhl_bronze.resources.window import (
    FetchedGame,
    GameBodies,
    RawResponse,
    UnfetchedGame,
    WindowFetch,
    assemble_window_fetch,
    plan_window,
    window_fetch_from_bodies,
)

__all__ = [
    "ENV_VARS",
    "FetchedGame",
    "GameBodies",
    "GameFetchError",
    "NhlApiError",
    "NhlApiResource",
    "NhlApiSession",
    "NotFoundError",
    "RawResponse",
    "ScheduleFetchError",
    "SimulatedNhlApiResource",
    "UnfetchedGame",
    "WindowFetch",
    "assemble_window_fetch",
    "classify_schedule_game",
    "nhl_api_resource_from_env",
    "plan_window",
    "schedule_games_by_date",
    "window_fetch_from_bodies",
]

DEFAULT_USER_AGENT = "nhl-bronze/0.1 (+https://github.com/nhl-bronze/nhl-bronze)"


class NhlApiResource(dg.ConfigurableResource):
    """HTTP access to api-web.nhle.com/v1 and api.nhle.com/stats/rest, rate limited and retried."""

    web_api_url: str = "https://api-web.nhle.com/v1"
    stats_api_url: str = "https://api.nhle.com/stats/rest"
    max_in_flight: int = 8
    rate_limit: float = 10.0  # request starts per second for the whole session; <= 0 disables the limit
    timeout_seconds: float = 10.0
    max_retries: int = 5
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    user_agent: str = DEFAULT_USER_AGENT

    def client_settings(self) -> ClientSettings:
        """Plain settings for a session. Outside a Dagster run, EnvVar fields are resolved here."""
        try:
            return self._plain_settings()
        except RuntimeError:
            # Dagster refuses direct reads of an EnvVar field; resolve the config the way a run would.
            return self.process_config_and_initialize()._plain_settings()

    def _plain_settings(self) -> ClientSettings:
        return ClientSettings(
            web_api_url=self.web_api_url.rstrip("/"),
            stats_api_url=self.stats_api_url.rstrip("/"),
            max_in_flight=max(1, int(self.max_in_flight)),
            rate_limit=float(self.rate_limit),
            timeout_seconds=float(self.timeout_seconds),
            retry=RetryPolicy(int(self.max_retries), float(self.backoff_base_seconds),
                              float(self.backoff_max_seconds)),
            user_agent=self.user_agent,
        )

    def make_transport(self) -> httpx.AsyncBaseTransport | None:
        """The transport of new sessions; ``None`` = real network. The offline twin overrides this."""
        return None

    @contextmanager
    def open_session(self, on_response: Callable[[RawResponse], None] | None = None, *,
                     transport: httpx.AsyncBaseTransport | None = None) -> Iterator[NhlApiSession]:
        """A session (one connection pool); ``transport`` overrides ``make_transport()`` (tests)."""
        session = NhlApiSession(self.client_settings(), transport or self.make_transport(), on_response)
        try:
            yield session
        finally:
            session.close()


class SimulatedNhlApiResource(NhlApiResource):
    """The offline twin: same client, every request answered in-process by the simulator.

    ``recorded_dir`` serves a folder of recorded responses (``RecordedNhl``); otherwise the synthetic league
    (``SyntheticNhl(today=simulator_today, seed=simulator_seed)``).
    """

    simulator_today: str | None = None  # YYYY-MM-DD; decides which synthetic games are final
    simulator_seed: int = 0
    recorded_dir: str | None = None

    def make_backend(self) -> Any:
        today = date.fromisoformat(self.simulator_today) if self.simulator_today else None
        if self.recorded_dir:
            from nhl_bronze.simulator.recorded import RecordedNhl

            return RecordedNhl(self.recorded_dir, today=today)
        # Imported lazily: the synthetic league is heavier and lives in another module.
        from nhl_bronze.simulator.synthetic import SyntheticNhl

        return SyntheticNhl(today=today, seed=self.simulator_seed)

    def make_transport(self) -> httpx.AsyncBaseTransport:
        from nhl_bronze.simulator.http import simulator_transport

        return simulator_transport(self.make_backend())


# env var -> (field, parser). Parsers only run on values actually present.
ENV_VARS: dict[str, tuple[str, type]] = {
    "NHL_WEB_API_URL": ("web_api_url", str),
    "NHL_STATS_API_URL": ("stats_api_url", str),
    "NHL_API_MAX_IN_FLIGHT": ("max_in_flight", int),
    "NHL_API_RATE_LIMIT": ("rate_limit", float),
    "NHL_API_TIMEOUT_SECONDS": ("timeout_seconds", float),
    "NHL_API_MAX_RETRIES": ("max_retries", int),
    "NHL_API_BACKOFF_BASE_SECONDS": ("backoff_base_seconds", float),
    "NHL_API_BACKOFF_MAX_SECONDS": ("backoff_max_seconds", float),
    "NHL_API_USER_AGENT": ("user_agent", str),
}


def nhl_api_resource_from_env(environ: dict[str, str] | None = None) -> NhlApiResource:
    """The resource with each setting taken from its env var when set, else the default.

    Set variables are passed as ``dg.EnvVar``/``EnvVar.int`` so the launchpad shows where a value comes from
    and Dagster resolves it at run time. Dagster has no float EnvVar, so float settings are read here.
    """
    environ = os.environ if environ is None else environ
    config: dict[str, Any] = {}
    for var, (field_name, parser) in ENV_VARS.items():
        if environ.get(var) in (None, ""):
            continue
        if parser is str:
            config[field_name] = dg.EnvVar(var)
        elif parser is int:
            config[field_name] = dg.EnvVar.int(var)
        else:
            config[field_name] = parser(environ[var])
    return NhlApiResource(**config)
