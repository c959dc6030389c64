"""Who plays for whom: the game header, the skaters and the player -> side map of one game."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from nhl_bronze.domain.dates import game_date_int
from nhl_bronze.stats.clock import clock_seconds
from nhl_bronze.stats.situations import AWAY, HOME

SKATER_GROUPS = ("forwards", "defense")
GOALIE = "G"  # rosterSpots positionCode

# Optional fields some responses lack (older games more often), and what stands in for each. Required fields
# (ids, teams, rosterSpots, a skater's playerId, the plays) still fail the game with an error naming it.
NO_GOALIES: tuple = ()  # a boxscore team without its goalies group (the skater groups are required)
UNKNOWN_POSITION = ""  # a boxscore skater row without position, and no rosterSpots positionCode for him


@dataclass(frozen=True)
class Skater:
    player_id: int
    side: str  # "home" | "away"
    position: str  # C/L/R/D from the boxscore (else rosterSpots, else UNKNOWN_POSITION)
    name: str  # rosterSpots first + last default ("" when absent)
    boxscore_toi: int  # seconds


@dataclass(frozen=True)
class GameContext:
    game_id: int
    season: int
    game_type: int
    game_date: int  # YYYYMMDD
    abbrev: dict[str, str]  # side -> team abbreviation (schedule)
    team_id: dict[str, int]  # side -> team id (boxscore)
    side_of_player: dict[int, str]  # every dressed player (skaters and goalies) -> side
    skaters: tuple[Skater, ...]
    goalies: frozenset[int]

    def side_of_team_id(self, team_id: object) -> str | None:
        if team_id == self.team_id[HOME]:
            return HOME
        if team_id == self.team_id[AWAY]:
            return AWAY
        return None


def _name(spot: dict) -> str:
    first = (spot.get("firstName") or {}).get("default") or ""
    last = (spot.get("lastName") or {}).get("default") or ""
    return f"{first} {last}".strip()


def build_context(game_date: datetime.date, schedule_game: dict, play_by_play: dict, boxscore: dict) -> GameContext:
    """Raises KeyError/TypeError/ValueError on malformed input (the caller names the game)."""
    game_id = int(schedule_game["id"])
    for body_name, body in (("play-by-play", play_by_play), ("boxscore", boxscore)):
        if "id" in body and int(body["id"]) != game_id:
            raise ValueError(f"{body_name} is for game {body['id']}")
    abbrev = {AWAY: str(schedule_game["awayTeam"]["abbrev"]), HOME: str(schedule_game["homeTeam"]["abbrev"])}
    team_id = {AWAY: int(boxscore["awayTeam"]["id"]), HOME: int(boxscore["homeTeam"]["id"])}

    names: dict[int, str] = {}
    side_of_player: dict[int, str] = {}
    spots: dict[int, dict] = {}
    for spot in play_by_play["rosterSpots"]:  # required: without it, events name players of no known team
        pid = int(spot["playerId"])
        names[pid] = _name(spot)
        spots[pid] = spot
        side = HOME if spot.get("teamId") == team_id[HOME] else AWAY if spot.get("teamId") == team_id[AWAY] else None
        if side:
            side_of_player[pid] = side
    goalies = {pid for pid, spot in spots.items() if spot.get("positionCode") == GOALIE}

    skaters: list[Skater] = []
    stats = boxscore["playerByGameStats"]
    for side, key in ((AWAY, "awayTeam"), (HOME, "homeTeam")):
        team_stats = stats[key]
        for goalie in team_stats.get("goalies", NO_GOALIES):
            side_of_player[int(goalie["playerId"])] = side
            goalies.add(int(goalie["playerId"]))
        for group in SKATER_GROUPS:
            for row in team_stats[group]:  # required: a boxscore without its skaters would lose their rows
                pid = int(row["playerId"])
                side_of_player[pid] = side  # the boxscore side wins over rosterSpots
                skaters.append(
                    Skater(
                        player_id=pid,
                        side=side,
                        position=str(row.get("position") or spots.get(pid, {}).get("positionCode")
                                     or UNKNOWN_POSITION),
                        name=names.get(pid, ""),
                        boxscore_toi=clock_seconds(row.get("toi", "00:00")),
                    )
                )
    if len({s.player_id for s in skaters}) != len(skaters):
        raise ValueError("a skater appears twice in the boxscore")
    skaters += _roster_only_skaters(spots, side_of_player, goalies, {s.player_id for s in skaters}, names)
    return GameContext(
        game_id=game_id,
        season=int(schedule_game["season"]),
        game_type=int(schedule_game["gameType"]),
        game_date=game_date_int(game_date),
        abbrev=abbrev,
        team_id=team_id,
        side_of_player=side_of_player,
        skaters=tuple(skaters),
        goalies=frozenset(goalies),
    )


def _roster_only_skaters(spots: dict[int, dict], side_of_player: dict[int, str], goalies: set[int],
                         in_boxscore: set[int], names: dict[int, str]) -> list[Skater]:
    """Dressed skaters (play-by-play ``rosterSpots``) that the boxscore does not list.

    They are kept, never dropped silently: a boxscore that lost a player must not lose his rows (his
    events and shifts still count). Position from ``positionCode``; no boxscore TOI.
    """
    return [
        Skater(player_id=pid, side=side_of_player[pid], position=str(spot.get("positionCode") or ""),
               name=names.get(pid, ""), boxscore_toi=0)
        for pid, spot in spots.items()
        if pid not in in_boxscore and pid not in goalies and pid in side_of_player
    ]
