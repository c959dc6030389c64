"""The NHL API client over real HTTP on loopback (SimulatorServer), with and without injected faults."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from nhl_bronze.client.window import RawResponse, WindowFetch
from nhl_bronze.resources.nhl_api import NhlApiResource
from nhl_bronze.resources.simulated import SimulatedNhlApiResource
from nhl_bronze.simulator.core import NhlBackend, SimResponse, html_error
from nhl_bronze.simulator.faults import FaultConfig, RateLimitBurst
from nhl_bronze.simulator.http import SimulatorServer
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze_tests.common import SAMPLES

D = date.fromisoformat


@pytest.fixture(scope="module")
def recorded() -> RecordedNhl:
    return RecordedNhl(SAMPLES)


def resource_for(server: SimulatorServer, **overrides) -> NhlApiResource:
    # Fast backoff keeps fault tests short; rate limit off unless a test is about it.
    settings = {"rate_limit": 0.0, "backoff_base_seconds": 0.01, "timeout_seconds": 2.0, **overrides}
    return NhlApiResource(web_api_url=server.web_api_url, stats_api_url=server.stats_api_url, **settings)


def fetch(backend: NhlBackend, start: date, end: date, faults: FaultConfig | None = None, **overrides):
    with SimulatorServer(backend, faults) as server, resource_for(server, **overrides).open_session() as session:
        return session.fetch_window(start, end), server.requests


def outcome(window: WindowFetch) -> tuple:
    """Everything that must not depend on faults (not the counters)."""
    return (window.dates, window.schedule_games,
            [(g.game_date, g.game_id, g.play_by_play, g.boxscore, g.shift_chart, g.shift_chart_status)
             for g in window.games],
            window.pending, window.skipped, [str(f) for f in window.failures])


@dataclass
class FailingGame:
    """A backend wrapper answering ``status`` for every request about one game (or one endpoint of it)."""

    inner: NhlBackend
    game_id: int
    status: int = 500
    endpoint: str = ""

    def handle(self, method: str, path: str, query: dict[str, str]) -> SimResponse:
        about_game = str(self.game_id) in path or str(self.game_id) in query.get("cayenneExp", "")
        if about_game and self.endpoint in path:
            return html_error(self.status, path)
        return self.inner.handle(method, path, query)


# -- cost -------------------------------------------------------------------------------------------------
def test_one_date_costs_one_schedule_call_and_three_per_final_game(recorded):
    window, requests = fetch(recorded, D("2024-10-09"), D("2024-10-10"))
    assert [g.game_id for g in window.games] == [2024020009]
    assert window.failures == [] and window.pending == [] and window.skipped == []
    assert requests.total == 1 + 3 == window.api_calls
    assert requests.by_path() == {
        "/v1/schedule/2024-10-09": 1,
        "/v1/gamecenter/2024020009/play-by-play": 1,
        "/v1/gamecenter/2024020009/boxscore": 1,
        "/stats/rest/en/shiftcharts?cayenneExp=gameId=2024020009": 1,
    }
    game = window.games[0]
    # Game bodies arrive as the JSON bytes served (checked, not decoded): the parse workers decode them.
    assert all(isinstance(body, bytes) for body in (game.play_by_play, game.boxscore, game.shift_chart))
    shift_chart = json.loads(game.shift_chart)
    assert game.shift_chart_status == "ok" and shift_chart["total"] == len(shift_chart["data"]) > 0
    assert json.loads(game.boxscore) == json.loads((SAMPLES / "boxscore_2024020009.json").read_text(encoding="utf-8"))
    assert window.bytes_received > 300_000 and window.retries == 0


def test_a_seven_day_window_costs_one_schedule_call(recorded):
    window, requests = fetch(recorded, D("2024-10-03"), D("2024-10-10"))
    assert requests.matching("/v1/schedule/") == 1
    assert [(g.game_date, g.game_id) for g in window.games] == [(D("2024-10-04"), 2024020001),
                                                                (D("2024-10-09"), 2024020009)]
    assert requests.total == 1 + 3 * 2
    assert set(window.schedule_games) == set(window.dates) and len(window.dates) == 7


def test_a_session_never_requests_anything_twice(recorded):
    with SimulatorServer(recorded) as server, resource_for(server).open_session() as session:
        first = session.fetch_window(D("2024-10-09"), D("2024-10-12"))
        again = session.fetch_window(D("2024-10-04"), D("2024-10-12"))  # overlaps; 10-04..10-08 is new
        schedule = session.schedule_games(D("2024-10-04"), D("2024-10-12"))
        assert max(server.requests.by_path().values()) == 1
        assert server.requests.matching("/v1/schedule/") == 2
    assert [g.game_id for g in first.games] == [2024020009, 2024020022]
    assert [g.game_id for g in again.games] == [2024020001, 2024020009, 2024020022]
    assert again.api_calls == 1 + 3  # only the new schedule and game 2024020001
    assert [g["id"] for g in schedule[D("2024-10-11")]] == [2024020022]


def test_shift_chart_404_is_not_published(recorded):
    window, _ = fetch(recorded, D("2026-04-24"), D("2026-04-25"))
    (game,) = window.games
    assert game.game_id == 2025030123
    assert game.shift_chart is None and game.shift_chart_status == "not_published"
    assert window.failures == []


def test_missing_shift_charts_are_reported_as_empty_or_not_published(recorded):
    window, _ = fetch(recorded, D("2024-10-04"), D("2024-10-12"), FaultConfig(missing_shift_charts=1.0))
    assert len(window.games) == 3 and window.failures == []
    assert {g.shift_chart_status for g in window.games} <= {"empty", "not_published"}
    assert all((g.shift_chart is None) == (g.shift_chart_status == "not_published") for g in window.games)


def test_upcoming_games_are_pending_not_fetched(recorded):
    window, requests = fetch(recorded, D("2025-10-07"), D("2025-10-14"))
    assert window.games == [] and requests.total == 1
    assert window.pending and all(p.reason == "not final yet (FUT)" for p in window.pending)


def test_on_response_sees_every_successful_body(recorded):
    seen: list[RawResponse] = []
    with SimulatorServer(recorded) as server, resource_for(server).open_session(seen.append) as session:
        session.fetch_window(D("2024-10-09"), D("2024-10-10"))
    assert sorted((r.endpoint, r.key) for r in seen) == [
        ("boxscore", "2024020009"), ("play-by-play", "2024020009"),
        ("schedule", "2024-10-09"), ("shiftcharts", "2024020009")]
    for raw in seen:
        assert raw.status == 200 and raw.game_date == D("2024-10-09") and raw.fetched_at.tzinfo is not None
        assert raw.url.startswith(server.base_url)
        json.loads(raw.body)
    shifts = next(r for r in seen if r.endpoint == "shiftcharts")
    assert json.loads(shifts.body) == json.loads((SAMPLES / "shiftcharts_2024020009.json").read_bytes())


# -- resilience --------------------------------------------------------------------------------------------
def test_results_with_5xx_and_429_bursts_equal_a_fault_free_fetch(recorded):
    start, end = D("2024-10-01"), D("2024-10-15")
    clean, _ = fetch(recorded, start, end)
    faults = FaultConfig(error_rate=0.2, rate_limit_burst=RateLimitBurst(every=6, length=2, retry_after_seconds=1),
                         seed=11)
    faulty, requests = fetch(recorded, start, end, faults)
    assert faulty.retries > 0 and requests.total == faulty.api_calls > clean.api_calls
    assert outcome(faulty) == outcome(clean)


def test_retry_after_is_honoured(recorded):
    faults = FaultConfig(rate_limit_burst=RateLimitBurst(every=1000, length=1, retry_after_seconds=1))
    started = time.perf_counter()
    window, requests = fetch(recorded, D("2024-10-09"), D("2024-10-10"), faults)
    assert time.perf_counter() - started >= 1.0
    assert requests.by_path()["/v1/schedule/2024-10-09"] == 2 and window.retries == 1
    assert [g.game_id for g in window.games] == [2024020009]


def test_a_hang_past_the_timeout_is_retried(recorded):
    clean, _ = fetch(recorded, D("2024-10-04"), D("2024-10-12"))
    faults = FaultConfig(hang_rate=0.4, hang_seconds=1.5, seed=2)
    hung, _ = fetch(recorded, D("2024-10-04"), D("2024-10-12"), faults, timeout_seconds=0.3)
    assert hung.retries > 0
    assert outcome(hung) == outcome(clean)


def test_truncated_bodies_are_retried(recorded):
    clean, _ = fetch(recorded, D("2024-10-04"), D("2024-10-12"))
    cut, _ = fetch(recorded, D("2024-10-04"), D("2024-10-12"), FaultConfig(truncate_rate=0.3, seed=5))
    assert cut.retries > 0
    assert outcome(cut) == outcome(clean)




def test_a_permanently_failing_game_fails_only_its_own_date(recorded):
    window, requests = fetch(FailingGame(recorded, 2024020009), D("2024-10-04"), D("2024-10-12"), max_retries=2)
    assert [g.game_id for g in window.games] == [2024020001, 2024020022]
    assert window.failed_dates == {D("2024-10-09")}
    assert {f.endpoint for f in window.failures} == {"play-by-play", "boxscore", "shiftcharts"}
    for failure in window.failures:
        assert failure.game_id == 2024020009 and failure.game_date == D("2024-10-09")
        assert "2024020009" in failure.url and "HTTP 500" in failure.reason and "3 attempts" in failure.reason
        assert "2024020009" in str(failure) and failure.url in str(failure)
    assert requests.by_path()["/v1/gamecenter/2024020009/boxscore"] == 3  # 1 + max_retries


@pytest.mark.parametrize("status", [404, 400])
def test_no_retry_on_404_or_400(recorded, status):
    backend = FailingGame(recorded, 2024020009, status=status, endpoint="boxscore")
    window, requests = fetch(backend, D("2024-10-09"), D("2024-10-10"))
    assert requests.by_path()["/v1/gamecenter/2024020009/boxscore"] == 1
    (failure,) = window.failures
    assert failure.endpoint == "boxscore" and f"HTTP {status}" in failure.reason
    assert window.games == [] and window.retries == 0


def test_rate_limit_is_respected(recorded):
    # 30 schedule calls (one per week) at 20 requests/s: evenly spaced, so at least 29 intervals of 50 ms.
    with SimulatorServer(recorded) as server, resource_for(server, rate_limit=20.0).open_session() as session:
        started = time.perf_counter()
        session.schedule_games(D("2024-01-01"), D("2024-01-01") + timedelta(weeks=30))
        elapsed = time.perf_counter() - started
        assert server.requests.matching("/v1/schedule/") == 30
    assert elapsed >= 1.4


def test_offline_twin_routes_in_process(recorded):
    twin = SimulatedNhlApiResource(recorded_dir=str(SAMPLES))
    with twin.open_session() as session:
        window = session.fetch_window(D("2024-10-09"), D("2024-10-12"))
    assert [g.game_id for g in window.games] == [2024020009, 2024020022]
    assert window.api_calls == 1 + 6


@dataclass
class TruncatedGame:
    """Every body about one game is cut in half (a 200 with broken JSON)."""

    inner: NhlBackend
    game_id: int

    def handle(self, method: str, path: str, query: dict[str, str]) -> SimResponse:
        response = self.inner.handle(method, path, query)
        if str(self.game_id) in path + query.get("cayenneExp", ""):
            return SimResponse(200, response.headers, response.body[: len(response.body) // 2])
        return response


def test_a_game_that_stays_truncated_fails_naming_url_and_game(recorded):
    window, requests = fetch(TruncatedGame(recorded, 2024020009), D("2024-10-09"), D("2024-10-10"))
    assert window.games == [] and len(window.failures) == 3
    pbp = next(f for f in window.failures if f.endpoint == "play-by-play")
    assert pbp.url.endswith("/v1/gamecenter/2024020009/play-by-play")
    assert "not valid JSON" in pbp.reason and "2024020009" in str(pbp)
    assert requests.by_path()["/v1/gamecenter/2024020009/play-by-play"] == 3  # 1 + 2 retries for bad bodies


def test_a_session_keeps_only_the_latest_windows_game_bodies(recorded):
    # A multi-season backfill runs through one session: holding every parsed body would take gigabytes.
    with SimulatorServer(recorded) as server, resource_for(server).open_session() as session:
        session.fetch_window(D("2024-10-04"), D("2024-10-05"))
        session.fetch_window(D("2024-10-09"), D("2024-10-10"))
        assert set(session._games) == {2024020009}


def test_a_429_burst_longer_than_max_retries_is_waited_out(recorded):
    # Retry-After answers are throttling, not failures: they do not use up max_retries.
    faults = FaultConfig(rate_limit_burst=RateLimitBurst(every=1000, length=3, retry_after_seconds=1))
    window, requests = fetch(recorded, D("2024-10-09"), D("2024-10-10"), faults, max_retries=1)
    assert window.failures == [] and window.retries == 3
    assert requests.by_path()["/v1/schedule/2024-10-09"] == 4
