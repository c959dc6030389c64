"""The table of real NHL seasons: the dates a season backfill covers, and how users name a season."""

import itertools
from datetime import date

import pytest

from nhl_bronze.domain.seasons import SEASONS, parse_season, season_of_date


@pytest.mark.parametrize("text", ["2012-13", "2012-2013", "20122013", "2012/13", "2012", " 2012-13 "])
def test_every_usual_name_of_a_season_finds_it(text):
    season = parse_season(text)
    assert (season.start_year, season.season_id, season.label) == (2012, 20122013, "2012-13")


@pytest.mark.parametrize("text", ["2012-14", "20122014", "12-13", "season", "2009-10", "2030-31"])
def test_a_name_that_is_no_known_season_is_refused_naming_it(text):
    with pytest.raises(ValueError, match=text):
        parse_season(text)


def test_sixteen_seasons_from_2010_11_each_after_the_previous():
    assert list(SEASONS) == list(range(2010, 2026))
    seasons = list(SEASONS.values())
    for season in seasons:
        assert season.first_regular_day < season.last_regular_day < season.last_day
    for before, after in itertools.pairwise(seasons):
        assert before.last_day < after.first_regular_day


@pytest.mark.parametrize(("text", "first", "last"), [
    ("2010-11", date(2010, 10, 7), date(2011, 6, 15)),    # Boston wins game 7 in Vancouver
    ("2012-13", date(2013, 1, 19), date(2013, 6, 24)),    # lockout: opening night in January
    ("2019-20", date(2019, 10, 2), date(2020, 9, 28)),    # the Cup awarded in the Edmonton bubble
    ("2020-21", date(2021, 1, 13), date(2021, 7, 7)),     # 56 games, the final in early July
    ("2023-24", date(2023, 10, 10), date(2024, 6, 24)),   # Florida wins game 7
    ("2024-25", date(2024, 10, 4), date(2025, 6, 17)),    # Prague opener; Florida again in six
])
def test_a_season_runs_from_its_first_regular_season_day_to_its_last_playoff_day(text, first, last):
    season = parse_season(text)
    assert (season.first_regular_day, season.last_day) == (first, last)


def test_a_season_whose_final_the_table_does_not_know_runs_to_june_30():
    season = parse_season("2025-26")
    assert season.last_playoff_day is None and season.last_day == date(2026, 6, 30)


def test_the_eras_clubs_and_games_per_club():
    clubs = {year: season.clubs for year, season in SEASONS.items()}
    assert {year for year, n in clubs.items() if n == 30} == set(range(2010, 2017))
    assert {year for year, n in clubs.items() if n == 31} == {2017, 2018, 2019, 2020}   # Vegas, before Seattle
    assert {year for year, n in clubs.items() if n == 32} == set(range(2021, 2026))
    short = {year: season.games_per_club for year, season in SEASONS.items() if season.games_per_club != 82}
    assert short == {2012: 48, 2020: 56}
    assert SEASONS[2019].last_regular_day == date(2020, 3, 11)  # paused from 2020-03-12


def test_a_date_belongs_to_the_season_whose_dates_include_it():
    assert season_of_date(date(2020, 8, 15)).label == "2019-20"   # the bubble playoffs
    assert season_of_date(date(2012, 12, 1)) is None               # the lockout: no season yet
    assert season_of_date(date(2021, 1, 13)).label == "2020-21"
