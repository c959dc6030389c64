"""The per-month coverage bar of ``nhl-bronze status``: where history has holes, at a glance."""

from datetime import date

from nhl_bronze.readers.coverage import MonthCoverage, date_ranges, month_bar


def test_the_bar_scales_to_the_largest_month_and_shows_every_hole():
    full = MonthCoverage("2024-11", final_in_schedule=16, in_history=10, missing=1, not_requested=5)
    assert month_bar(full, largest_month=16, width=16) == "##########!....."
    # A single missing game in a big season still shows: never rounded away.
    quiet = MonthCoverage("2025-04", final_in_schedule=200, in_history=199, missing=1)
    assert month_bar(quiet, largest_month=200, width=40) == "#" * 40 + "!"
    assert month_bar(MonthCoverage("2024-09"), largest_month=200) == ""


def test_unrequested_dates_become_ranges_for_the_fetch_command():
    days = [date(2024, 10, 4), date(2024, 10, 5), date(2024, 10, 7), date(2024, 10, 6), date(2024, 10, 15)]
    assert date_ranges(days) == [(date(2024, 10, 4), date(2024, 10, 7)), (date(2024, 10, 15), date(2024, 10, 15))]
