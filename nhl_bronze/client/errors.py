"""Errors of the NHL API client. Every message names the URL (and the game when there is one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


class NhlApiError(Exception):
    """A request that did not yield a usable body after the retries it was allowed."""

    def __init__(self, url: str, reason: str, status: int | None = None, attempts: int = 1) -> None:
        self.url = url
        self.reason = reason
        self.status = status
        self.attempts = attempts
        super().__init__(f"{reason} (GET {url}, {attempts} attempt{'s' if attempts != 1 else ''})")


class NotFoundError(NhlApiError):
    """HTTP 404: the resource does not exist (yet). Never retried."""


class ScheduleFetchError(NhlApiError):
    """The schedule of a week could not be fetched: the games of those dates are unknown."""


@dataclass(frozen=True)
class GameFetchError:
    """One game that could not be fetched; it fails its own date only."""

    game_id: int
    game_date: date
    endpoint: str
    url: str
    reason: str

    def __str__(self) -> str:
        return f"game {self.game_id} ({self.game_date}): {self.endpoint} failed: {self.reason} [GET {self.url}]"
