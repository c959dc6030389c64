"""The client against the synthetic league over loopback (skipped until ``SyntheticNhl`` exists)."""

from __future__ import annotations

from datetime import date

import pytest

from nhl_bronze.simulator.faults import FaultConfig, RateLimitBurst
from nhl_bronze.simulator.http import SimulatorServer

synthetic = pytest.importorskip("nhl_bronze.simulator.synthetic")

START, END = date(2024, 11, 4), date(2024, 11, 8)  # four regular-season dates, final by "today"


def fetch(faults: FaultConfig | None):
    from nhl_bronze.resources.nhl_api import NhlApiResource

    backend = synthetic.SyntheticNhl(today=date(2024, 12, 1), seed=1)
    with SimulatorServer(backend, faults) as server:
        resource = NhlApiResource(web_api_url=server.web_api_url, stats_api_url=server.stats_api_url,
                                  rate_limit=0, backoff_base_seconds=0.01, timeout_seconds=30)
        with resource.open_session() as session:
            return session.fetch_window(START, END), server.requests


@pytest.fixture(scope="module")
def clean():
    return fetch(None)


def test_synthetic_window_costs_one_schedule_call_and_three_per_final_game(clean):
    window, requests = clean
    assert len(window.dates) == 4 and len({g.game_date for g in window.games}) > 1
    assert window.games and window.failures == []
    assert requests.matching("/v1/schedule/") == 1
    assert requests.total == 1 + 3 * len(window.games), requests.by_path()  # generous timeout: no retries


def test_synthetic_results_with_5xx_and_429_bursts_equal_a_fault_free_fetch(clean):
    clean, _ = clean
    faults = FaultConfig(error_rate=0.2, rate_limit_burst=RateLimitBurst(every=25, length=3, retry_after_seconds=1),
                         seed=4)
    faulty, _ = fetch(faults)
    assert faulty.retries > 0 and faulty.failures == []
    assert faulty.schedule_games == clean.schedule_games and faulty.pending == clean.pending
    assert [(g.game_id, g.play_by_play, g.boxscore, g.shift_chart) for g in faulty.games] == [
        (g.game_id, g.play_by_play, g.boxscore, g.shift_chart) for g in clean.games]
