"""Fault injection for the simulator: latency, 5xx, 429 bursts, hangs, truncated bodies, missing shift charts,
schedule answers that break the contract (a game id of -5, a day dated 2024-13-40).

Every random decision is a pure function of ``(seed, request path+query, attempt number of that path)``, so a
run is reproducible even when concurrent requests arrive in a different order: the 3rd request for a given URL
always gets the same fate. Only 429 bursts are counted on the global request counter (that is what a rate
limiter does); their *number* is deterministic, which requests get them depends on arrival order.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import Counter
from dataclasses import dataclass

from nhl_bronze.simulator.core import NhlBackend, SimResponse, html_error, json_response

_SHIFTCHART_GAME = re.compile(r"gameId\s*=\s*(\d{10})")


@dataclass(frozen=True)
class RateLimitBurst:
    """Requests number ``k*every .. k*every+length-1`` (0-based, global counter) answer 429."""

    every: int
    length: int = 1
    retry_after_seconds: int = 1

    @classmethod
    def parse(cls, text: str) -> RateLimitBurst:
        """Parse the CLI form ``EVERY[:LENGTH[:RETRY_AFTER]]``, e.g. ``50:3:1``."""
        parts = [int(p) for p in text.split(":")]
        if not 1 <= len(parts) <= 3 or parts[0] < 1:
            raise ValueError(f"rate limit burst must be EVERY[:LENGTH[:RETRY_AFTER]], got {text!r}")
        return cls(*parts)


@dataclass(frozen=True)
class SchedulePatch:
    """In every schedule answer listing ``day``: set ``field`` of that day (``game`` None) or of its game number
    ``game`` (0-based) to ``value``, e.g. ``SchedulePatch("2024-10-09", "date", "2024-13-40")``."""

    day: str
    field: str
    value: object
    game: int | None = None

    @classmethod
    def parse(cls, text: str) -> SchedulePatch:
        """The CLI form ``DAY:FIELD=VALUE`` or ``DAY:gameN.FIELD=VALUE`` (VALUE read as JSON when it is), e.g.
        ``2024-10-04:game0.id=-5`` or ``2024-10-10:date=2024-13-40``."""
        try:
            day, assignment = text.split(":", 1)
            target, raw = assignment.split("=", 1)
        except ValueError:
            raise ValueError(f"schedule patch must be DAY:[gameN.]FIELD=VALUE, got {text!r}") from None
        game = None
        if target.startswith("game") and "." in target:
            number, target = target[4:].split(".", 1)
            game = int(number)
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        return cls(day, target, value, game)

    def apply(self, body: dict) -> None:
        for day in body.get("gameWeek", []):
            if day.get("date") != self.day:
                continue
            target = day if self.game is None else day["games"][self.game]
            target[self.field] = self.value


@dataclass(frozen=True)
class FaultConfig:
    """What can go wrong, and how often. All rates are fractions in [0, 1]; the default injects nothing."""

    latency_ms: float = 0.0
    error_rate: float = 0.0  # answered 500 or 503 with an HTML body
    rate_limit_burst: RateLimitBurst | None = None
    hang_rate: float = 0.0  # the server sleeps hang_seconds before answering (past the client timeout)
    hang_seconds: float = 15.0
    truncate_rate: float = 0.0  # 200 with a JSON body cut in half
    missing_shift_charts: float = 0.0  # fraction of games whose shift chart is empty or 404, on every attempt
    schedule_patches: tuple[SchedulePatch, ...] = ()  # applied to every schedule answer, in order
    seed: int = 0


@dataclass(frozen=True)
class FaultPlan:
    """What to do with one request: wait ``delay_seconds``, maybe hang, then send ``response``."""

    delay_seconds: float
    hang_seconds: float
    response: SimResponse


def _roll(seed: int, *parts: object) -> float:
    """A uniform number in [0, 1) that depends only on its arguments."""
    digest = hashlib.blake2b(repr((seed, *parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class FaultInjector:
    """Thread-safe: decides, per request, which faults apply and builds the response the client sees."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.config = config or FaultConfig()
        self._lock = threading.Lock()
        self._attempts: Counter[str] = Counter()
        self._served = 0

    def plan(self, backend: NhlBackend, method: str, path: str, query: dict[str, str]) -> FaultPlan:
        cfg = self.config
        request_key = path + "?" + "&".join(f"{k}={v}" for k, v in sorted(query.items()))
        with self._lock:
            attempt = self._attempts[request_key]
            self._attempts[request_key] += 1
            number = self._served
            self._served += 1
        delay = cfg.latency_ms / 1000.0
        burst = cfg.rate_limit_burst
        if burst is not None and number % burst.every < burst.length:
            response = html_error(429, path)
            response.headers["retry-after"] = str(burst.retry_after_seconds)
            return FaultPlan(delay, 0.0, response)
        if _roll(cfg.seed, "error", request_key, attempt) < cfg.error_rate:
            status = 500 if _roll(cfg.seed, "status", request_key, attempt) < 0.5 else 503
            return FaultPlan(delay, 0.0, html_error(status, path))
        hang = cfg.hang_seconds if _roll(cfg.seed, "hang", request_key, attempt) < cfg.hang_rate else 0.0
        response = self._missing_shift_chart(path, query) or backend.handle(method, path, query)
        if cfg.schedule_patches and "/schedule/" in path and response.status == 200:
            response = _patched_schedule(response, cfg.schedule_patches)
        if response.status == 200 and _roll(cfg.seed, "truncate", request_key, attempt) < cfg.truncate_rate:
            response = truncated(response)
        return FaultPlan(delay, hang, response)

    def _missing_shift_chart(self, path: str, query: dict[str, str]) -> SimResponse | None:
        # A property of the game, not of the attempt: retrying does not make the shift chart appear.
        if not self.config.missing_shift_charts or not path.rstrip("/").endswith("/shiftcharts"):
            return None
        found = _SHIFTCHART_GAME.search(query.get("cayenneExp", ""))
        if not found:
            return None
        game_id = int(found.group(1))
        if _roll(self.config.seed, "missing-shifts", game_id) >= self.config.missing_shift_charts:
            return None
        if _roll(self.config.seed, "missing-shifts-kind", game_id) < 0.5:
            return json_response({"data": [], "total": 0})
        return html_error(404, path)


def _patched_schedule(response: SimResponse, patches: tuple[SchedulePatch, ...]) -> SimResponse:
    body = json.loads(response.body)
    for patch in patches:
        patch.apply(body)
    return SimResponse(response.status, dict(response.headers), json.dumps(body).encode())


def truncated(response: SimResponse) -> SimResponse:
    """The same response with its body cut in half (a dropped connection behind a proxy that sent 200)."""
    return SimResponse(response.status, dict(response.headers), response.body[: len(response.body) // 2])
