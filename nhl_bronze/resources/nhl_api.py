"""``NhlApiResource``: the Dagster resource over the NHL API client (``nhl_bronze.client``).

Usage::

    with nhl_api.open_session(on_response=raw_store.append) as session:
        window = session.fetch_window(date(2024, 10, 9), date(2024, 10, 10))

Nothing here touches the network or the environment at import time; the offline twin lives in
``resources.simulated`` so that this module never imports the simulator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dagster as dg
import httpx

from nhl_bronze.client.requester import RetryPolicy
from nhl_bronze.client.session import ClientSettings, NhlApiSession
from nhl_bronze.client.window import RawResponse

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
