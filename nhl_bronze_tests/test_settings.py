"""The first game date setting: default, parsing, and the earliest date the NHL API serves."""

from datetime import date

import pytest

from nhl_bronze import settings


def test_the_default_first_game_date_is_unchanged():
    assert settings.first_game_date({}) == date(2023, 10, 1)
    assert settings.automation_settings({}).first_game_date == date(2023, 10, 1)


def test_the_first_game_date_is_read_from_its_variable():
    environ = {settings.FIRST_GAME_DATE: " 2010-10-07 "}
    assert settings.first_game_date(environ) == date(2010, 10, 7)
    assert settings.automation_settings(environ).first_game_date == date(2010, 10, 7)


@pytest.mark.parametrize(("value", "says"), [("2010-10-06", "2010-10-07"), ("1917-12-19", "2010-11"),
                                             ("Oct 2010", "2010-10-07"), ("2010-13-01", "like")])
def test_a_first_game_date_that_cannot_be_used_is_refused_naming_the_variable(value, says):
    with pytest.raises(ValueError, match=settings.FIRST_GAME_DATE) as refused:
        settings.first_game_date({settings.FIRST_GAME_DATE: value})
    assert says in str(refused.value)
