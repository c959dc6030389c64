"""A hand-made game small enough that every expected number can be counted by eye.

Home team HHH (id 1): skaters 101 (C), 102 (D), goalie 109. Away team AAA (id 2): skaters 201 (C), 202 (D),
goalie 209. The home team defends the left net in every period, so it attacks the net at x = +89.
"""

from __future__ import annotations

import datetime

from nhl_bronze.stats import GameInput

GAME_ID = 2024029999
HOME_ID, AWAY_ID = 1, 2
TEAM_OF = {101: HOME_ID, 102: HOME_ID, 109: HOME_ID, 201: AWAY_ID, 202: AWAY_ID, 209: AWAY_ID}


def play(t: int, kind: str, code: str = "1551", period: int = 1, **details) -> dict:
    """One play at clock second ``t`` of ``period``; ``details`` are the feed's detail keys."""
    return {
        "typeDescKey": kind,
        "timeInPeriod": f"{t // 60:02d}:{t % 60:02d}",
        "situationCode": code,
        "homeTeamDefendingSide": "left",
        "periodDescriptor": {"number": period, "periodType": "REG"},
        "details": details,
    }


def shot(t: int, shooter: int, kind: str = "shot-on-goal", x: float = 70.0, y: float = 0.0, **more) -> dict:
    key = "scoringPlayerId" if kind == "goal" else "shootingPlayerId"
    return play(t, kind, xCoord=x, yCoord=y, eventOwnerTeamId=TEAM_OF[shooter], **{key: shooter}, **more)


def _skater(pid: int, position: str) -> dict:
    return {"playerId": pid, "position": position, "toi": "00:00"}


def tiny_game(plays: list[dict]) -> GameInput:
    """The plays (in order) as a final regular-season game without a shift chart."""
    for order, p in enumerate(plays):
        p["sortOrder"] = order
    roster = [{"playerId": pid, "teamId": team, "positionCode": "G" if pid % 10 == 9 else "C",
               "firstName": {"default": "P"}, "lastName": {"default": str(pid)}} for pid, team in TEAM_OF.items()]
    teams = {
        key: {"forwards": [_skater(base + 1, "C")], "defense": [_skater(base + 2, "D")],
              "goalies": [{"playerId": base + 9, "toi": "60:00"}]}
        for key, base in (("homeTeam", 100), ("awayTeam", 200))
    }
    return GameInput(
        game_date=datetime.date(2024, 10, 20),
        schedule_game={"id": GAME_ID, "season": 20242025, "gameType": 2, "gameState": "OFF",
                       "awayTeam": {"abbrev": "AAA"}, "homeTeam": {"abbrev": "HHH"}},
        play_by_play={"id": GAME_ID, "rosterSpots": roster, "plays": plays},
        boxscore={"id": GAME_ID, "homeTeam": {"id": HOME_ID}, "awayTeam": {"id": AWAY_ID},
                  "playerByGameStats": teams},
        shift_chart=None,
    )
