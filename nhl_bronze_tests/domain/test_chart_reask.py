"""When a game stored without its shift chart is asked for it again: the boundaries of the rule."""

from datetime import date, timedelta

from nhl_bronze.domain.chart_reask import chart_reask_due, next_chart_reask, reask_window_start, season_end

GAME = date(2024, 10, 9)  # a Wednesday of the 2024-25 season


def due_ages(game_date, days):
    return [age for age in range(days) if chart_reask_due(game_date, game_date + timedelta(days=age))]


def test_daily_for_two_weeks_then_weekly_on_the_games_weekday():
    assert due_ages(GAME, 43) == [*range(1, 15), 21, 28, 35, 42]


def test_not_on_the_games_own_day_nor_before_it():
    assert not chart_reask_due(GAME, GAME)
    assert not chart_reask_due(GAME, GAME - timedelta(days=1))


def test_weekly_asks_stop_at_the_end_of_the_season():
    assert season_end(GAME) == date(2025, 6, 30)
    last_weekly = max(age for age in range(400) if chart_reask_due(GAME, GAME + timedelta(days=age)))
    assert GAME + timedelta(days=last_weekly) == date(2025, 6, 25)  # the last Wednesday up to June 30
    assert not chart_reask_due(GAME, date(2025, 7, 2))


def test_a_game_late_in_june_still_gets_its_two_daily_weeks():
    final = date(2025, 6, 24)
    assert season_end(final) == date(2025, 6, 30)
    assert due_ages(final, 30) == list(range(1, 15))


def test_next_ask_and_the_scan_window():
    assert next_chart_reask(GAME, date(2024, 10, 24)) == date(2024, 10, 30)  # day 15 -> day 21
    assert next_chart_reask(GAME, date(2024, 10, 12)) == date(2024, 10, 12)
    assert next_chart_reask(GAME, date(2025, 6, 26)) is None
    assert reask_window_start(date(2024, 12, 1)) == date(2024, 7, 1)
    assert reask_window_start(date(2025, 7, 5)) == date(2025, 6, 21)  # June games still in their daily weeks
