"""The best-effort rule for a shift chart with more than six skaters of a side on the ice, on hand-made shifts."""

from nhl_bronze.stats.shifts import trim_crowded

HOME = {player: "home" for player in range(1, 9)}  # skaters 1..8; 99 is the goalie (not a skater)


def test_a_seventh_skater_ends_the_shift_of_the_skater_on_the_ice_longest():
    shifts = [(p, 1, 0, 60) for p in range(1, 7)] + [(7, 1, 30, 50), (99, 1, 0, 60)]
    repaired, note = trim_crowded(shifts, HOME)
    assert repaired == [(1, 1, 0, 30), *[(p, 1, 0, 60) for p in range(2, 7)], (7, 1, 30, 50), (99, 1, 0, 60)]
    assert note == ("the home team has 7 skaters on the ice in period 1 at 00:30 in the shift chart (at most 6): "
                    "1 shift(s) ended when the next skater came on (best-effort rule)")


def test_two_arriving_at_once_end_two_shifts_oldest_first():
    shifts = [(p, 2, 10 * p, 120) for p in range(1, 7)] + [(7, 2, 90, 100), (8, 2, 90, 110)]
    repaired, _ = trim_crowded(shifts, HOME)
    assert repaired[:2] == [(1, 2, 10, 90), (2, 2, 20, 90)]
    assert repaired[2:] == shifts[2:]


def test_a_shift_cut_to_nothing_is_dropped_and_a_lawful_chart_is_kept_as_it_is():
    shifts = [(p, 3, 0, 60) for p in range(1, 8)]  # seven on at the same second: the lowest id goes
    repaired, note = trim_crowded(shifts, HOME)
    assert repaired == shifts[1:] and "1 shift(s)" in note
    lawful = [(p, 1, 0, 60) for p in range(1, 7)] + [(7, 1, 60, 90), (8, 2, 0, 60)]  # a change at 60 is no crowd
    assert trim_crowded(lawful, HOME) == (lawful, None)
