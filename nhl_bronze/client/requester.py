"""One resilient GET: rate limit, in-flight cap, timeout, retries with backoff, JSON validation.

A body is checked to be JSON (``bodies.check_json``) and returned as bytes; it is decoded only when the caller
asks for it (``decode``): the client reads the schedule, the parse workers read the game bodies.

Retried: connection errors, timeouts, 5xx, 429 (honouring ``Retry-After``) and 200s whose body is not valid
JSON (a truncated body is transient; a couple of retries). Not retried: any other 4xx. 404 raises
``NotFoundError`` so callers decide what "not found" means (for a shift chart: not published yet).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import httpx
import msgspec

from nhl_bronze.client.bodies import check_json
from nhl_bronze.client.errors import NhlApiError, NotFoundError
from nhl_bronze.client.rate_limit import AsyncTokenBucket


def _invalid_body_reason(body: bytes, error: ValueError) -> str:
    """A body cut short says so; a complete JSON body the decoder refuses says what it refused."""
    if isinstance(error, json.JSONDecodeError) or (isinstance(error, msgspec.DecodeError)
                                                   and not isinstance(error, msgspec.ValidationError)):
        return f"body is not valid JSON ({len(body)} bytes, truncated?): {error}"
    return f"body breaks the API contract: {error}"


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    invalid_body_retries: int = 2  # a truncated/non-JSON 200 is retried at most this many times
    # A 429 with Retry-After is the server saying when to come back, not a failure: it does not use up
    # max_retries (a burst would otherwise exhaust them), but is bounded on its own.
    rate_limited_retries: int = 30

    def backoff_seconds(self, retry_number: int, rng: random.Random) -> float:
        """Exponential backoff with full jitter: uniform in [0, min(max, base * 2**n)]."""
        return rng.uniform(0.0, min(self.backoff_max_seconds, self.backoff_base_seconds * 2**retry_number))

    def retry_after_seconds(self, header: str | None) -> float | None:
        """``Retry-After`` in seconds (the HTTP-date form is not used by this API), capped at the max backoff."""
        try:
            return min(max(float(header), 0.0), self.backoff_max_seconds) if header else None
        except ValueError:
            return None


@dataclass
class RequestStats:
    api_calls: int = 0  # attempts sent, including retried ones
    retries: int = 0
    bytes_received: int = 0


@dataclass(frozen=True)
class JsonResponse:
    url: str
    status: int
    body: bytes
    payload: Any  # what ``decode`` returned (None for a body that was only checked)
    fetched_at: datetime


@dataclass
class Requester:
    """Sends through ``clients``: one connection pool each, a request goes to the least busy one.

    Several small pools instead of one large one: httpcore's pool scans its connections (a socket poll each)
    on every request start and end, some of it quadratic in the pool's size, which at 32 connections cost
    ~3 ms of CPU per request. The in-flight cap still holds for the session as a whole.
    """

    clients: list[httpx.AsyncClient]
    bucket: AsyncTokenBucket
    in_flight: asyncio.Semaphore
    policy: RetryPolicy
    stats: RequestStats = field(default_factory=RequestStats)
    rng: random.Random = field(default_factory=random.Random)
    _busy: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self._busy = [0] * len(self.clients)

    async def _get(self, url: str) -> httpx.Response:
        # Least busy pool: with the session's cap split evenly over the pools, it always has a free connection.
        index = min(range(len(self.clients)), key=self._busy.__getitem__)
        self._busy[index] += 1
        try:
            return await self.clients[index].get(url)
        finally:
            self._busy[index] -= 1

    async def get_json(self, url: str, params: dict[str, str] | None = None,
                       decode: Callable[[bytes], Any] = check_json) -> JsonResponse:
        """GET ``url``; ``decode(body)`` raising ``ValueError`` marks the body invalid (retried, then failed)."""
        full_url = str(httpx.URL(url, params=params)) if params else url
        retry = invalid_bodies = rate_limited = 0
        while True:
            await self.bucket.acquire()
            self.stats.api_calls += 1
            status: int | None = None
            wait: float | None = None
            try:
                async with self.in_flight:
                    response = await self._get(full_url)
            except httpx.TransportError as exc:  # connection refused/reset, timeouts, protocol errors
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            else:
                status, body = response.status_code, response.content
                self.stats.bytes_received += len(body)
                if 200 <= status < 300:
                    try:
                        payload = decode(body)
                    except ValueError as exc:
                        invalid_bodies += 1
                        reason = _invalid_body_reason(body, exc)
                        if invalid_bodies > self.policy.invalid_body_retries:
                            raise NhlApiError(full_url, reason, status, retry + rate_limited + 1) from None
                    else:
                        return JsonResponse(full_url, status, body, payload, datetime.now(timezone.utc))
                elif status == 404:
                    raise NotFoundError(full_url, "HTTP 404 Not Found", status, retry + rate_limited + 1)
                elif status == 429:
                    reason = "HTTP 429 Too Many Requests"
                    wait = self.policy.retry_after_seconds(response.headers.get("retry-after"))
                    if wait is not None:
                        # Everyone in the session backs off, not only this request.
                        self.bucket.pause_until(time.monotonic() + wait)
                elif status >= 500:
                    reason = f"HTTP {status} {response.reason_phrase}".rstrip()
                else:
                    raise NhlApiError(full_url, f"HTTP {status} {response.reason_phrase}".rstrip(), status,
                                      retry + rate_limited + 1)
            attempts = retry + rate_limited + 1
            if wait is not None:
                if rate_limited >= self.policy.rate_limited_retries:
                    raise NhlApiError(full_url, f"gave up: {reason}", status, attempts)
                rate_limited += 1
            else:
                if retry >= self.policy.max_retries:
                    raise NhlApiError(full_url, f"gave up: {reason}", status, attempts)
                wait = self.policy.backoff_seconds(retry, self.rng)
                retry += 1
            self.stats.retries += 1
            await asyncio.sleep(wait)
