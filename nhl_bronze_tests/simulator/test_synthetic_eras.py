"""The eras a backfill since 2010-11 meets, in the synthetic league: clubs, short seasons, the 2020 pause and
bubble, and the older seasons' missing or partial shift charts. Expected values are the real league's."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from nhl_bronze.domain.seasons import SEASONS as REAL_SEASONS
from nhl_bronze.simulator import shapes
from nhl_bronze.simulator.calendar import season_calendar
from nhl_bronze.simulator.league import roster_for, teams_for_season
from nhl_bronze.simulator.synthetic import SyntheticNhl

AFTER_EVERYTHING = date(2026, 12, 1)


def _regular(start_year: int):
    return [g for g in season_calendar(start_year, 0).games if g.game_type == 2]


def _clubs(start_year: int) -> dict[str, int]:
    return {t.abbrev: t.id for g in season_calendar(start_year, 0).games for t in (g.home, g.away)}


@pytest.mark.parametrize(("start_year", "clubs"), [(2010, 30), (2016, 30), (2017, 31), (2020, 31), (2021, 32)])
def test_club_count_per_season(start_year, clubs):
    assert len(teams_for_season(start_year)) == clubs
    assert len(_clubs(start_year)) == clubs


def test_franchise_moves_and_expansions():
    assert _clubs(2010)["ATL"] == 11 and "WPG" not in _clubs(2010)
    assert _clubs(2011)["WPG"] == 52 and "ATL" not in _clubs(2011)
    assert _clubs(2013)["PHX"] == 27 and "ARI" not in _clubs(2013)
    assert _clubs(2014)["ARI"] == 53 and "PHX" not in _clubs(2014)
    assert "ARI" in _clubs(2023) and _clubs(2024)["UTA"] == 59 and "ARI" not in _clubs(2024)
    assert "VGK" not in _clubs(2016) and _clubs(2017)["VGK"] == 54
    assert "SEA" not in _clubs(2020) and _clubs(2021)["SEA"] == 55


def test_a_moved_franchise_keeps_its_players():
    def roster(start_year: int, abbrev: str) -> set[int]:
        slot = next(i for i, team in enumerate(teams_for_season(start_year)) if team.abbrev == abbrev)
        return {player.id for player in roster_for(start_year, slot, 0).everyone}

    atlanta, winnipeg = roster(2010, "ATL"), roster(2011, "WPG")
    assert len(atlanta & winnipeg) >= 14  # ~15% of spots turn over in a summer
    assert not atlanta & roster(2010, "BOS")


@pytest.mark.parametrize(("start_year", "games", "per_club", "first_day"), [
    (2012, 720, 48, date(2013, 1, 19)),   # lockout
    (2020, 868, 56, date(2021, 1, 13)),   # the 56-game season
    (2017, 1271, 82, date(2017, 10, 4)),  # 31 clubs
    (2010, 1230, 82, date(2010, 10, 7)),
])
def test_short_seasons_and_their_openers(start_year, games, per_club, first_day):
    regular = _regular(start_year)
    played = Counter(t.abbrev for g in regular for t in (g.home, g.away))
    assert len(regular) == games and set(played.values()) == {per_club}
    assert min(g.game_date for g in season_calendar(start_year, 0).games if g.game_type != 1) == first_day


@pytest.mark.parametrize("start_year", [2012, 2020])
def test_no_preseason_in_the_seasons_that_started_in_january(start_year):
    assert not [g for g in season_calendar(start_year, 0).games if g.game_type == 1]


def test_2019_20_pauses_on_2020_03_12_and_ends_in_the_bubble():
    calendar = season_calendar(2019, 0)
    regular = _regular(2019)
    assert max(g.game_date for g in regular) == date(2020, 3, 11)
    assert not [g for g in calendar.games if date(2020, 3, 12) <= g.game_date < date(2020, 8, 1)]
    played = Counter(t.abbrev for g in regular for t in (g.home, g.away))
    assert min(played.values()) >= 60 and max(played.values()) < 82  # real: 68 to 71
    playoff = [g for g in calendar.games if g.game_type == 3]
    assert min(g.game_date for g in playoff) == date(2020, 8, 1)
    assert max(g.game_date for g in playoff) <= date(2020, 9, 28)
    # 24 clubs: seeds 5-12 of each conference play a best-of-five qualifying round (round 0) first.
    qualifying = [s for s in calendar.series if s[0] == 0]
    assert len(qualifying) == 8 and len(calendar.series) == 8 + 15
    per_series = Counter(g.id // 10 % 100 for g in playoff if g.id % 1000 // 100 == 0)
    assert set(per_series) == set(range(1, 9)) and max(per_series.values()) <= 5
    entrants = {t.abbrev for g in playoff for t in (g.home, g.away)}
    assert len(entrants) == 24


def test_the_schedule_of_a_bubble_date_lists_the_2019_20_playoff_games():
    body = json.loads(SyntheticNhl(today=AFTER_EVERYTHING).handle("GET", "/v1/schedule/2020-08-01", {}).body)
    games = [g for day in body["gameWeek"] for g in day["games"]]
    assert games and {g["season"] for g in games} == {20192020} and {g["gameType"] for g in games} == {3}
    assert body["regularSeasonEndDate"] == "2020-03-11" and body["playoffEndDate"] <= "2020-09-28"


@pytest.mark.parametrize("start_year", sorted(REAL_SEASONS))
def test_playoffs_end_by_the_real_last_playoff_day(start_year):
    calendar = season_calendar(start_year, 0)
    assert calendar.playoff_end <= REAL_SEASONS[start_year].last_day
    assert min(g.game_date for g in calendar.games if g.game_type == 3) > REAL_SEASONS[start_year].last_regular_day


def test_older_seasons_publish_more_missing_and_partial_shift_charts():
    def publications(start_year: int) -> Counter:
        return Counter(shapes.chart_publication(g) for g in _regular(start_year))

    old, recent = publications(2011), publications(2024)
    assert recent == {"full": 1312}
    gaps = 1230 - old["full"]
    assert 0.05 * 1230 < gaps < 0.16 * 1230
    assert old["missing"] and old["one_team"] and old["no_third_period"]


def test_a_partial_chart_is_served_as_published():
    sim = SyntheticNhl(today=AFTER_EVERYTHING)
    by_kind = {}
    for game in _regular(2011):
        by_kind.setdefault(shapes.chart_publication(game), game)
    full_game, no_third, one_team = by_kind["full"], by_kind["no_third_period"], by_kind["one_team"]

    def chart(game) -> list[dict]:
        query = {"cayenneExp": f"gameId={game.id}"}
        return json.loads(sim.handle("GET", "/stats/rest/en/shiftcharts", query).body)["data"]

    assert 3 in {row["period"] for row in chart(full_game)}
    assert chart(no_third) and 3 not in {row["period"] for row in chart(no_third)}
    assert {row["teamId"] for row in chart(one_team)} == {one_team.home.id}
    assert chart(by_kind["missing"]) == []
