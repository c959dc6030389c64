"""RecordedNhl serves the real samples unchanged, and schedules them at their real dates."""

from __future__ import annotations

import json
from datetime import date

import httpx
import pytest

from nhl_bronze.simulator.http import SimulatorServer
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze_tests.common import SAMPLES


@pytest.fixture(scope="module")
def server():
    with SimulatorServer(RecordedNhl(SAMPLES)) as running:
        yield running


def week_games(body: dict) -> dict[str, list[int]]:
    return {day["date"]: [game["id"] for game in day["games"]] for day in body["gameWeek"]}


@pytest.mark.parametrize("endpoint", ["play-by-play", "boxscore", "landing", "right-rail"])
def test_game_endpoints_serve_the_recorded_bodies(server, endpoint):
    files = sorted(SAMPLES.glob(f"{endpoint}_*.json"))
    assert files
    for path in files:
        game_id = path.stem.split("_")[1]
        response = httpx.get(f"{server.web_api_url}/gamecenter/{game_id}/{endpoint}")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        assert response.json() == json.loads(path.read_text(encoding="utf-8"))


def test_shift_charts_are_served_from_the_stats_api_path(server):
    for path in sorted(SAMPLES.glob("shiftcharts_*.json")):
        game_id = path.stem.split("_")[1]
        response = httpx.get(f"{server.stats_api_url}/en/shiftcharts", params={"cayenneExp": f"gameId={game_id}"})
        assert response.json() == json.loads(path.read_text(encoding="utf-8"))


def test_a_game_without_recorded_shift_chart_is_not_published_yet(server):
    response = httpx.get(f"{server.stats_api_url}/en/shiftcharts", params={"cayenneExp": "gameId=2025030123"})
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]


def test_unknown_game_is_an_html_404(server):
    response = httpx.get(f"{server.web_api_url}/gamecenter/2024020999/play-by-play")
    assert response.status_code == 404
    assert b"HTTP ERROR 404" in response.content


def test_schedule_week_holds_the_recorded_games_at_their_real_dates(server):
    body = httpx.get(f"{server.web_api_url}/schedule/2024-10-03").json()
    assert [day["date"] for day in body["gameWeek"]] == [f"2024-10-{d:02d}" for d in range(3, 10)]
    assert week_games(body)["2024-10-04"] == [2024020001]
    assert week_games(body)["2024-10-09"] == [2024020009]
    assert body["nextStartDate"] == "2024-10-10" and body["previousStartDate"] == "2024-09-26"
    assert body["numberOfGames"] == 2
    assert body["regularSeasonStartDate"] == "2024-10-04"  # season calendar copied from the recorded schedule


def test_schedule_entry_comes_from_the_recorded_schedule_when_present(server):
    recorded = json.loads((SAMPLES / "schedule_2024-10-09.json").read_text(encoding="utf-8"))
    recorded_entry = next(g for day in recorded["gameWeek"] for g in day["games"] if g["id"] == 2024020022)
    body = httpx.get(f"{server.web_api_url}/schedule/2024-10-09").json()
    served = next(g for day in body["gameWeek"] for g in day["games"] if g["id"] == 2024020022)
    assert served == recorded_entry
    assert week_games(body)["2024-10-11"] == [2024020022]


def test_schedule_entry_is_synthesised_from_the_boxscore_otherwise(server):
    body = httpx.get(f"{server.web_api_url}/schedule/2026-04-24").json()
    (entry,) = body["gameWeek"][0]["games"]
    assert entry["id"] == 2025030123 and entry["gameType"] == 3 and entry["season"] == 20252026
    assert entry["gameState"] == "OFF" and entry["gameScheduleState"] == "OK"
    assert entry["gameDate"] == "2026-04-24" and entry["startTimeUTC"].endswith("Z")
    assert {"easternUTCOffset", "venueUTCOffset"} <= entry.keys()
    for side in ("awayTeam", "homeTeam"):
        assert {"id", "abbrev", "commonName", "placeName", "score"} <= entry[side].keys()


def test_upcoming_games_of_recorded_schedules_are_listed(server):
    body = httpx.get(f"{server.web_api_url}/schedule/2025-10-07").json()
    states = {g["gameState"] for day in body["gameWeek"] for g in day["games"]}
    assert states == {"FUT"}  # final games without recorded data are left out; upcoming ones stay
    assert body["numberOfGames"] == sum(day["numberOfGames"] for day in body["gameWeek"]) > 0


def test_now_redirects_to_the_dated_schedule(server):
    backend = RecordedNhl(SAMPLES, today=date(2024, 10, 9))
    response = backend.handle("GET", "/v1/schedule/now", {})
    assert response.status == 307 and response.headers["location"] == "/v1/schedule/2024-10-09"
