"""NHL seasons since 2010-11: their real dates, clubs and games per club, and how users name them.

A season's game dates run from its first regular-season day to its last playoff day (the Stanley Cup's deciding
game). These are the dates a season backfill asks for: the empty dates in between (the All-Star break, the 2020
pause) cost one schedule look-up each and produce no rows. Dates are the NHL's (US Eastern game dates).

``last_playoff_day`` is None for a season whose final this table does not know yet: its backfill runs to
June 30, past any final the league has played so far.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# The first season whose play-by-play and shift charts the NHL API serves.
FIRST_SEASON = 2010
EARLIEST_GAME_DATE = date(2010, 10, 7)


@dataclass(frozen=True)
class Season:
    start_year: int  # 2012 for 2012-13
    first_regular_day: date
    last_regular_day: date
    last_playoff_day: date | None  # None: not known to this table yet
    clubs: int
    games_per_club: int  # as scheduled
    era: str = ""  # what a backfill of this season meets that other seasons do not

    @property
    def season_id(self) -> int:
        """The API's season number: 2012 -> 20122013."""
        return self.start_year * 10_000 + self.start_year + 1

    @property
    def label(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def last_day(self) -> date:
        """The last date a backfill of the season covers."""
        return self.last_playoff_day or date(self.start_year + 1, 6, 30)


def _season(start_year: int, first: tuple[int, int, int], last_regular: tuple[int, int, int],
            last_playoff: tuple[int, int, int] | None, clubs: int, games: int = 82, era: str = "") -> Season:
    return Season(start_year, date(*first), date(*last_regular), date(*last_playoff) if last_playoff else None,
                  clubs, games, era)


SEASONS: dict[int, Season] = {s.start_year: s for s in (
    _season(2010, (2010, 10, 7), (2011, 4, 10), (2011, 6, 15), 30, era="Atlanta Thrashers' last season"),
    _season(2011, (2011, 10, 6), (2012, 4, 7), (2012, 6, 11), 30, era="Atlanta moved to Winnipeg (Jets)"),
    _season(2012, (2013, 1, 19), (2013, 4, 28), (2013, 6, 24), 30, 48,
            era="lockout: 48 games from 2013-01-19, within each conference"),
    _season(2013, (2013, 10, 1), (2014, 4, 13), (2014, 6, 13), 30, era="realignment; Sochi Olympic break"),
    _season(2014, (2014, 10, 8), (2015, 4, 11), (2015, 6, 15), 30, era="Phoenix renamed Arizona (Coyotes)"),
    _season(2015, (2015, 10, 7), (2016, 4, 10), (2016, 6, 12), 30),
    _season(2016, (2016, 10, 12), (2017, 4, 9), (2017, 6, 11), 30),
    _season(2017, (2017, 10, 4), (2018, 4, 8), (2018, 6, 7), 31, era="Vegas joins: 31 clubs"),
    _season(2018, (2018, 10, 3), (2019, 4, 6), (2019, 6, 12), 31),
    _season(2019, (2019, 10, 2), (2020, 3, 11), (2020, 9, 28), 31,
            era="paused from 2020-03-12 (68-71 games played); 24-club bubble playoffs 2020-08-01 .. 2020-09-28"),
    _season(2020, (2021, 1, 13), (2021, 5, 19), (2021, 7, 7), 31, 56,
            era="56 games from 2021-01-13, within realigned divisions; playoffs from 2021-05-15, "
                  "before the last regular-season games (to 2021-05-19)"),
    _season(2021, (2021, 10, 12), (2022, 4, 29), (2022, 6, 26), 32, era="Seattle joins: 32 clubs"),
    _season(2022, (2022, 10, 7), (2023, 4, 14), (2023, 6, 13), 32),
    _season(2023, (2023, 10, 10), (2024, 4, 18), (2024, 6, 24), 32, era="Arizona's last season"),
    _season(2024, (2024, 10, 4), (2025, 4, 17), (2025, 6, 17), 32, era="Arizona moved to Utah"),
    _season(2025, (2025, 10, 7), (2026, 4, 16), None, 32),
)}

_LABEL = re.compile(r"^(\d{4})(?:[-/](\d{2}|\d{4})|(\d{4}))?$")


def parse_season(text: str) -> Season:
    """A season as users name it: "2012-13", "2012-2013", "20122013" or "2012" (its first year)."""
    match = _LABEL.match(text.strip())
    if not match:
        raise ValueError(f"season {text!r}: expected e.g. 2012-13, 2012-2013 or 20122013")
    start_year = int(match.group(1))
    second = match.group(2) or match.group(3)
    if second is not None and int(second[-2:]) != (start_year + 1) % 100:
        raise ValueError(f"season {text!r}: the second year must follow {start_year}")
    if start_year not in SEASONS:
        known = f"{SEASONS[min(SEASONS)].label} .. {SEASONS[max(SEASONS)].label}"
        raise ValueError(f"season {text!r}: not in the table of NHL seasons ({known})")
    return SEASONS[start_year]


def season_of_date(day: date) -> Season | None:
    """The season whose dates (first regular-season day .. last day) include ``day``."""
    for season in SEASONS.values():
        if season.first_regular_day <= day <= season.last_day:
            return season
    return None
