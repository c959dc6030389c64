"""The synthetic league's calendar is realistic, and every response is deterministic in (today, seed)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta

import pytest

from nhl_bronze.simulator.calendar import SEASONS, season_calendar
from nhl_bronze.simulator.synthetic import SyntheticNhl

# The seasons of 32 clubs and 82 games each (the older eras: test_synthetic_eras.py).
MODERN_SEASONS = [year for year in SEASONS if year >= 2021]


@pytest.mark.parametrize("start_year", MODERN_SEASONS)
def test_regular_season_has_1312_games_82_per_team_41_at_home(start_year):
    calendar = season_calendar(start_year, 0)
    regular = [g for g in calendar.games if g.game_type == 2]
    assert len(regular) == 1312
    games, home = Counter(), Counter()
    for game in regular:
        games[game.away.abbrev] += 1
        games[game.home.abbrev] += 1
        home[game.home.abbrev] += 1
        assert game.away.abbrev != game.home.abbrev
    assert len(games) == 32 and set(games.values()) == {82} and set(home.values()) == {41}
    # SSSS02NNNN numbered in date order, no team twice in a day
    assert [g.id for g in regular] == [start_year * 1_000_000 + 20_000 + n for n in range(1, 1313)]
    assert [g.game_date for g in regular] == sorted(g.game_date for g in regular)
    per_day = Counter((g.game_date, t) for g in calendar.games for t in (g.away.abbrev, g.home.abbrev))
    assert max(per_day.values()) == 1
    assert regular[0].game_date == calendar.dates.regular_start
    assert regular[-1].game_date <= calendar.dates.regular_end
    assert regular[-1].game_date.month == 4


@pytest.mark.parametrize("start_year", MODERN_SEASONS)
def test_break_preseason_and_summer(start_year):
    calendar = season_calendar(start_year, 0)
    first, last = calendar.dates.break_days
    assert first.month == 2 or last.month == 2
    assert not [g for g in calendar.games if first <= g.game_date <= last]
    preseason = [g for g in calendar.games if g.game_type == 1]
    assert preseason and all(g.game_date.month in (9, 10) and g.game_date < calendar.dates.regular_start
                             for g in preseason)
    assert min(g.game_date for g in preseason) >= date(start_year, 9, 19)
    assert all(date(start_year, 7, 1) > g.game_date or g.game_date >= date(start_year, 9, 19) for g in calendar.games)
    assert calendar.playoff_end <= date(start_year + 1, 6, 30)
    sim = SyntheticNhl(today=date(2027, 7, 1))
    summer = json.loads(sim.handle("GET", f"/v1/schedule/{start_year + 1}-07-10", {}).body)
    assert summer["numberOfGames"] == 0 and len(summer["gameWeek"]) == 7


@pytest.mark.parametrize("start_year", MODERN_SEASONS)
def test_playoff_bracket(start_year):
    calendar = season_calendar(start_year, 0)
    playoff = [g for g in calendar.games if g.game_type == 3]
    assert min(g.game_date for g in playoff) > calendar.dates.regular_end
    assert len(calendar.series) == 15
    by_series = {}
    for game in playoff:
        number = game.id % 10_000
        round_number, series, game_number = number // 100, number // 10 % 10, number % 10
        assert game.id // 10_000 == start_year * 100 + 3
        by_series.setdefault((round_number, series), []).append((game_number, game))
    assert sorted(Counter(r for r, _ in by_series).items()) == [(1, 8), (2, 4), (3, 2), (4, 1)]
    winners: dict[int, set[int]] = {}
    for (round_number, _series), games in by_series.items():
        games.sort(key=lambda pair: pair[0])
        assert [n for n, _ in games] == list(range(1, len(games) + 1))
        assert 4 <= len(games) <= 7
        wins = Counter((g.home if g.outcome.home_won else g.away).abbrev for _, g in games)
        assert sorted(wins.values())[-1] == 4 and len(wins) <= 2 and sum(wins.values()) == len(games)
        assert all(g.outcome.last_period_type != "SO" for _, g in games)  # no shootouts in the playoffs
        assert [g.game_date for _, g in games] == sorted(g.game_date for _, g in games)
        teams = {g.home.abbrev for _, g in games} | {g.away.abbrev for _, g in games}
        assert len(teams) == 2
        winners.setdefault(round_number, set()).add(wins.most_common(1)[0][0])
        if round_number > 1:  # both teams won their previous-round series
            assert teams <= winners[round_number - 1]
    first_round = {t for (r, _), games in by_series.items() if r == 1 for _, g in games for t in (g.home, g.away)}
    assert len(first_round) == 16
    assert Counter(t.conference for t in first_round) == {"E": 8, "W": 8}


def test_postponed_games_are_ppd_and_never_played():
    calendar = season_calendar(2024, 0)
    postponed = [g for g in calendar.games if g.postponed]
    assert 1 <= len(postponed) <= 6
    after_season = SyntheticNhl(today=date(2025, 7, 1))
    for game in postponed:
        # today = the game's date keeps the week FUT (cheap: nothing to generate); PPD does not depend on today.
        week = json.loads(SyntheticNhl(today=game.game_date).handle("GET", f"/v1/schedule/{game.game_date}", {}).body)
        entry = next(g for g in week["gameWeek"][0]["games"] if g["id"] == game.id)
        assert entry["gameScheduleState"] == "PPD" and "score" not in entry["homeTeam"]
        score = json.loads(after_season.handle("GET", f"/v1/score/{game.game_date}", {}).body)
        assert [g["gameScheduleState"] for g in score["games"] if g["id"] == game.id] == ["PPD"]
        pbp = json.loads(after_season.handle("GET", f"/v1/gamecenter/{game.id}/play-by-play", {}).body)
        assert pbp["gameScheduleState"] == "PPD" and pbp["plays"] == []


def test_real_clubs_arizona_then_utah():
    def abbrevs(year):
        return {t.abbrev for g in season_calendar(year, 0).games for t in (g.home, g.away)}

    assert "ARI" in abbrevs(2023) and "UTA" not in abbrevs(2023)
    for year in (2024, 2025):
        assert "UTA" in abbrevs(year) and "ARI" not in abbrevs(year)
    ids = {t.abbrev: t.id for g in season_calendar(2024, 0).games for t in (g.home, g.away)}
    assert len(ids) == 32 and ids["TOR"] == 10 and ids["VAN"] == 23 and ids["NJD"] == 1 and ids["UTA"] == 59


def test_game_states_follow_today():
    today = date(2024, 11, 20)
    sim = SyntheticNhl(today=today)
    week = json.loads(sim.handle("GET", f"/v1/schedule/{today - timedelta(days=3)}", {}).body)
    for day in week["gameWeek"]:
        for game in day["games"]:
            if game["gameScheduleState"] == "PPD":
                continue
            assert game["gameState"] == ("OFF" if date.fromisoformat(day["date"]) < today else "FUT")
    score = json.loads(sim.handle("GET", f"/v1/score/{today - timedelta(days=1)}", {}).body)
    assert score["games"] and all(g["gameState"] == "OFF" for g in score["games"])
    assert sim.handle("GET", "/v1/schedule/now", {}).headers["location"] == f"/v1/schedule/{today}"


def _fingerprint(sim: SyntheticNhl, game_id: int) -> str:
    digest = hashlib.sha256()
    for path, query in ((f"/v1/gamecenter/{game_id}/play-by-play", {}), (f"/v1/gamecenter/{game_id}/boxscore", {}),
                        ("/stats/rest/en/shiftcharts", {"cayenneExp": f"gameId={game_id}"}),
                        ("/v1/schedule/2024-12-28", {}), ("/v1/score/2024-11-12", {})):
        digest.update(sim.handle("GET", path, query).body)
    return digest.hexdigest()


def test_deterministic_across_instances_seeds_and_processes():
    game_id = season_calendar(2024, 0).by_date[date(2024, 11, 12)][0].id
    # today = 2024-12-28: the schedule week is future (cheap), the score day and the game are final.
    first = _fingerprint(SyntheticNhl(today=date(2024, 12, 28), seed=0), game_id)
    assert first == _fingerprint(SyntheticNhl(today=date(2024, 12, 28), seed=0), game_id)
    assert first != _fingerprint(SyntheticNhl(today=date(2024, 12, 28), seed=1), game_id)
    # Another interpreter with another string-hash seed must give the same bytes (no set-order dependence).
    code = ("from datetime import date; from nhl_bronze_tests.simulator.test_synthetic_calendar import _fingerprint;"
            "from nhl_bronze.simulator.synthetic import SyntheticNhl;"
            f"print(_fingerprint(SyntheticNhl(today=date(2024, 12, 28), seed=0), {game_id}))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == first
