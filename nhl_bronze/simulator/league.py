"""The real NHL clubs of each season since 2010-11 (ids, abbreviations, names, arenas, conferences) and their
synthetic dressed rosters.

Club facts are real so that joins on team id / abbreviation behave like production data; the players are invented.
The eras a backfill meets: Atlanta (ATL, id 11) played 2010-11 and moved to Winnipeg (WPG, id 52); Phoenix (PHX,
id 27) became Arizona (ARI, id 53) in 2014-15; Vegas (VGK) joined in 2017-18 (31 clubs) and Seattle (SEA) in 2021-22
(32); from 2024-25 Utah takes Arizona's slot (UTA, id 59 "Utah Hockey Club", then id 68 "Mammoth" from 2025-26).
A relocated franchise keeps its roster and schedule slot; conferences are today's (the simulator does not replay
the 2013 and 2020 realignments).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Team:
    id: int
    abbrev: str
    common_name: str
    place_name: str
    place_name_fr: str | None
    venue: str
    venue_location: str
    timezone: str  # IANA name exactly as the API spells venueTimezone
    conference: str  # "E" | "W"
    division: str
    hex_value: str  # shift chart team colour

    @property
    def full_name(self) -> str:
        # "Utah Hockey Club" already carries its place name; "Philadelphia Flyers" does not.
        if self.common_name.startswith(self.place_name):
            return self.common_name
        return f"{self.place_name} {self.common_name}"


# Order matters: the schedule builder uses it (division mates adjacent inside each conference).
_TEAMS = [
    Team(6, "BOS", "Bruins", "Boston", None, "TD Garden", "Boston", "US/Eastern", "E", "A", "#FFB81C"),
    Team(7, "BUF", "Sabres", "Buffalo", None, "KeyBank Center", "Buffalo", "US/Eastern", "E", "A", "#002654"),
    Team(17, "DET", "Red Wings", "Detroit", None, "Little Caesars Arena", "Detroit", "US/Eastern", "E", "A", "#CE1126"),
    Team(13, "FLA", "Panthers", "Florida", "Floride", "Amerant Bank Arena", "Sunrise", "US/Eastern", "E", "A",
         "#C8102E"),
    Team(8, "MTL", "Canadiens", "Montréal", None, "Centre Bell", "Montreal", "America/Montreal", "E", "A", "#AF1E2D"),
    Team(9, "OTT", "Senators", "Ottawa", None, "Canadian Tire Centre", "Ottawa", "America/Toronto", "E", "A",
         "#C52032"),
    Team(14, "TBL", "Lightning", "Tampa Bay", None, "Amalie Arena", "Tampa", "US/Eastern", "E", "A", "#002868"),
    Team(10, "TOR", "Maple Leafs", "Toronto", None, "Scotiabank Arena", "Toronto", "America/Toronto", "E", "A",
         "#00205B"),
    Team(12, "CAR", "Hurricanes", "Carolina", "Caroline", "Lenovo Center", "Raleigh", "US/Eastern", "E", "M",
         "#CE1126"),
    Team(29, "CBJ", "Blue Jackets", "Columbus", None, "Nationwide Arena", "Columbus", "US/Eastern", "E", "M",
         "#002654"),
    Team(1, "NJD", "Devils", "New Jersey", None, "Prudential Center", "Newark", "US/Eastern", "E", "M", "#CE1126"),
    Team(2, "NYI", "Islanders", "New York", None, "UBS Arena", "Elmont", "US/Eastern", "E", "M", "#00539B"),
    Team(3, "NYR", "Rangers", "New York", None, "Madison Square Garden", "New York", "US/Eastern", "E", "M",
         "#0038A8"),
    Team(4, "PHI", "Flyers", "Philadelphia", "Philadelphie", "Wells Fargo Center", "Philadelphia", "US/Eastern",
         "E", "M", "#FA4616"),
    Team(5, "PIT", "Penguins", "Pittsburgh", None, "PPG Paints Arena", "Pittsburgh", "US/Eastern", "E", "M",
         "#FCB514"),
    Team(15, "WSH", "Capitals", "Washington", None, "Capital One Arena", "Washington", "US/Eastern", "E", "M",
         "#C8102E"),
    Team(53, "ARI", "Coyotes", "Arizona", None, "Mullett Arena", "Tempe", "US/Arizona", "W", "C", "#8C2633"),
    Team(16, "CHI", "Blackhawks", "Chicago", None, "United Center", "Chicago", "US/Central", "W", "C", "#CF0A2C"),
    Team(21, "COL", "Avalanche", "Colorado", None, "Ball Arena", "Denver", "America/Denver", "W", "C", "#6F263D"),
    Team(25, "DAL", "Stars", "Dallas", None, "American Airlines Center", "Dallas", "US/Central", "W", "C", "#006847"),
    Team(30, "MIN", "Wild", "Minnesota", None, "Xcel Energy Center", "St. Paul", "US/Central", "W", "C", "#154734"),
    Team(18, "NSH", "Predators", "Nashville", None, "Bridgestone Arena", "Nashville", "US/Central", "W", "C",
         "#FFB81C"),
    Team(19, "STL", "Blues", "St. Louis", None, "Enterprise Center", "St. Louis", "US/Central", "W", "C", "#002F87"),
    Team(52, "WPG", "Jets", "Winnipeg", None, "Canada Life Centre", "Winnipeg", "America/Winnipeg", "W", "C",
         "#041E42"),
    Team(24, "ANA", "Ducks", "Anaheim", None, "Honda Center", "Anaheim", "US/Pacific", "W", "P", "#F47A38"),
    Team(20, "CGY", "Flames", "Calgary", None, "Scotiabank Saddledome", "Calgary", "America/Edmonton", "W", "P",
         "#C8102E"),
    Team(22, "EDM", "Oilers", "Edmonton", None, "Rogers Place", "Edmonton", "America/Edmonton", "W", "P", "#041E42"),
    Team(26, "LAK", "Kings", "Los Angeles", None, "Crypto.com Arena", "Los Angeles", "US/Pacific", "W", "P",
         "#111111"),
    Team(28, "SJS", "Sharks", "San Jose", None, "SAP Center at San Jose", "San Jose", "US/Pacific", "W", "P",
         "#006D75"),
    Team(55, "SEA", "Kraken", "Seattle", None, "Climate Pledge Arena", "Seattle", "US/Pacific", "W", "P", "#001628"),
    Team(23, "VAN", "Canucks", "Vancouver", None, "Rogers Arena", "Vancouver", "America/Vancouver", "W", "P",
         "#00205B"),
    Team(54, "VGK", "Golden Knights", "Vegas", None, "T-Mobile Arena", "Las Vegas", "America/Los_Angeles", "W", "P",
         "#B4975A"),
]
_ARIZONA_SLOT = 16
_UTAH_HOCKEY_CLUB = Team(59, "UTA", "Utah Hockey Club", "Utah", None, "Delta Center", "Salt Lake City",
                         "America/Denver", "W", "C", "#71AFE5")
_UTAH_MAMMOTH = Team(68, "UTA", "Mammoth", "Utah", None, "Delta Center", "Salt Lake City", "America/Denver", "W", "C",
                     "#71AFE5")


_WINNIPEG_SLOT = 23
_ATLANTA_THRASHERS = Team(11, "ATL", "Thrashers", "Atlanta", None, "Philips Arena", "Atlanta", "US/Eastern", "E", "S",
                          "#041E42")
_PHOENIX_COYOTES = Team(27, "PHX", "Coyotes", "Phoenix", None, "Jobing.com Arena", "Glendale", "US/Arizona", "W", "P",
                        "#8C2633")
_ARIZONA_IN_GLENDALE = Team(53, "ARI", "Coyotes", "Arizona", None, "Gila River Arena", "Glendale", "US/Arizona", "W",
                            "P", "#8C2633")
_SEATTLE, _VEGAS = "SEA", "VGK"


@lru_cache(maxsize=32)
def teams_for_season(start_year: int) -> tuple[Team, ...]:
    """The clubs of the season starting in ``start_year`` (30 to 2016-17, 31 to 2020-21, then 32), in
    schedule-slot order."""
    teams = list(_TEAMS)
    if start_year == 2024:
        teams[_ARIZONA_SLOT] = _UTAH_HOCKEY_CLUB
    elif start_year >= 2025:
        teams[_ARIZONA_SLOT] = _UTAH_MAMMOTH
    elif start_year <= 2013:
        teams[_ARIZONA_SLOT] = _PHOENIX_COYOTES
    elif start_year <= 2021:
        teams[_ARIZONA_SLOT] = _ARIZONA_IN_GLENDALE
    if start_year <= 2010:
        teams[_WINNIPEG_SLOT] = _ATLANTA_THRASHERS
    absent = ({_SEATTLE} if start_year < 2021 else set()) | ({_VEGAS} if start_year < 2017 else set())
    return tuple(team for team in teams if team.abbrev not in absent)


def franchise_index(team: Team) -> int:
    """The franchise's slot in today's league: a relocated or renamed club keeps it (and its players)."""
    for index, current in enumerate(_TEAMS):
        if current.abbrev == team.abbrev or current.id == team.id:
            return index
    moved = {_ATLANTA_THRASHERS.id: _WINNIPEG_SLOT, _PHOENIX_COYOTES.id: _ARIZONA_SLOT,
             _UTAH_HOCKEY_CLUB.id: _ARIZONA_SLOT, _UTAH_MAMMOTH.id: _ARIZONA_SLOT}
    return moved[team.id]


def team_by_id(start_year: int, team_id: int) -> Team:
    return next(team for team in teams_for_season(start_year) if team.id == team_id)


# ---------------------------------------------------------------------------------------------------------------
# Rosters: 12 forwards (4 lines C/L/R), 6 defence (3 pairs), 2 goalies — the dressed 20 of every real boxscore.

@dataclass(frozen=True, eq=False)  # identity semantics: players are cached singletons, compared in hot loops
class Player:
    id: int
    first_name: str
    last_name: str
    sweater: int
    position: str  # C L R D G

    @property
    def short_name(self) -> str:
        return f"{self.first_name[0]}. {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class Roster:
    team: Team
    forwards: tuple[Player, ...]  # lines in order: (C, L, R) x 4
    defense: tuple[Player, ...]  # pairs in order
    goalies: tuple[Player, ...]  # (usual starter, backup)

    @property
    def skaters(self) -> tuple[Player, ...]:
        return self.forwards + self.defense

    @property
    def everyone(self) -> tuple[Player, ...]:
        return self.forwards + self.defense + self.goalies


_SLOT_POSITIONS = ("C", "L", "R") * 4 + ("D",) * 6 + ("G",) * 2
def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_FIRST_NAMES = _words(
    "Aaron Adam Alex Anders Andrei Anton Artem Ben Blake Brady Brandon Brock Cale Carter Casey Cole Connor Dylan "
    "Elias Erik Evan Filip Gabriel Hampus Isak Jack Jacob Jake Jason Jesper Joel Jonas Jordan Josh Kasper Kevin Kirill "
    "Kyle Lucas Logan Luke Marc Mason Matias Matt Mikko Morgan Nick Nikita Noah Oliver Owen Pavel Quinn Rasmus Ryan "
    "Sam Sebastian Simon Tage Teuvo Thomas Travis Tyler Viktor Will Yegor Zach"
)
_LAST_NAMES = _words(
    "Aho Andersson Barkov Bennett Bergeron Boldy Brodin Carlson Chychrun Dahlin Dubois Eklund Ekholm Fiala Foegele "
    "Forsberg Gaudreau Girard Granlund Guentzel Hagel Hedman Hertl Hischier Hronek Hughes Jarvis Johansson Josi "
    "Kaprizov Keller Kempe Kovalenko Kreider Laine Larkin Lehkonen Lindholm Makar Marchand Matthews McAvoy Mikkola "
    "Miller Monahan "
    "Necas Nelson Nylander Oettinger Pastrnak Pelletier Perron Pietrangelo Point Raddysh Rantanen Reinhart Robertson "
    "Rust Sanheim Schmaltz Seider Sergachev Slavin Stamkos Stutzle Suzuki Svechnikov Tarasenko Theodore Thompson "
    "Toffoli Tkachuk Vatrano Verhaeghe Werenski Wilson Zegras Zibanejad Zucker Nichushkin Marner Kane Bouchard "
    "Byram Cirelli Dunn Eberle Farabee Garland Hathaway Ivanov Joseph Kulak Lafreniere Mercer Nurse Orlov Parssinen"
)
_PLAYER_ID_BASE = 8_470_000


def _generation(seed: int, franchise: int, position_index: int, start_year: int) -> int:
    """Which holder of a roster spot plays in ``start_year``: 0 in 2023-24, one more (or, going back, one fewer)
    for every season the spot turned over (~15% a season)."""
    def turned_over(year: int) -> bool:
        return random.Random(f"turnover:{seed}:{franchise}:{position_index}:{year}").random() < 0.15

    if start_year >= 2023:
        return sum(1 for year in range(2024, start_year + 1) if turned_over(year))
    return -sum(1 for year in range(start_year + 1, 2024) if turned_over(year))


@lru_cache(maxsize=160)
def roster_for(start_year: int, slot: int, seed: int) -> Roster:
    """The dressed 20 of team ``slot``; ~15% of spots turn over each season so rosters evolve but stay stable."""
    team = teams_for_season(start_year)[slot]
    franchise = franchise_index(team)
    players = []
    used_numbers: set[int] = set()
    for position_index, position in enumerate(_SLOT_POSITIONS):
        generation = _generation(seed, franchise, position_index, start_year)
        player_id = _PLAYER_ID_BASE + franchise * 1000 + position_index * 20 + generation
        naming = random.Random(f"player:{seed}:{player_id}")
        number = naming.randint(2, 98) if position != "G" else naming.choice((1, 29, 30, 31, 33, 35, 37, 39, 40, 41))
        while number in used_numbers:
            number = number % 98 + 1
        used_numbers.add(number)
        players.append(Player(player_id, naming.choice(_FIRST_NAMES), naming.choice(_LAST_NAMES), number, position))
    return Roster(team, tuple(players[:12]), tuple(players[12:18]), tuple(players[18:]))
