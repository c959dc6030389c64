"""Which games count: the one rule for which scheduled games are fetched, pending or skipped.

No HTTP here: the raw-store rebuild runs the same selection over stored bodies.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from nhl_bronze.domain.schedule_contract import check_schedule

FINAL_STATES = frozenset({"OFF", "FINAL"})
NOT_FINAL_STATES = frozenset({"FUT", "PRE", "LIVE", "CRIT"})
FETCHED_GAME_TYPES = frozenset({2, 3})  # regular season, playoffs

_GAME_TYPE_NAMES = {1: "preseason", 4: "all-star"}
_SCHEDULE_STATE_NAMES = {"PPD": "postponed", "SUSP": "suspended", "CNCL": "cancelled", "TBD": "date to be decided"}

Classification = Literal["fetch", "pending", "skipped"]


def schedule_games_by_date(schedule_body: dict) -> dict[date, list[dict]]:
    """The games of each day of a ``/v1/schedule/{date}`` body, by date (days without games included).

    Only what keeps the schedule contract: a day that is not a date and a game breaking it are quarantined
    (``schedule_contract.check_schedule`` names them), the rest of the answer is kept."""
    return check_schedule(schedule_body).games_by_date


def classify_schedule_game(game: dict) -> tuple[Classification, str]:
    """``("fetch", "")`` for a finished regular-season or playoff game; else pending/skipped with a reason.

    - skipped: a game type the bronze layer does not cover (preseason, all-star, …), or postponed/cancelled.
    - pending: not final yet (FUT/PRE/LIVE/CRIT, or a state this code does not know): fetch it another day.
    """
    schedule_state = game.get("gameScheduleState", "OK")
    if schedule_state != "OK":
        return "skipped", _SCHEDULE_STATE_NAMES.get(schedule_state, f"gameScheduleState {schedule_state}")
    game_type = game.get("gameType")
    if game_type not in FETCHED_GAME_TYPES:
        return "skipped", _GAME_TYPE_NAMES.get(game_type, f"gameType {game_type} not covered")
    state = game.get("gameState")
    if state in FINAL_STATES:
        return "fetch", ""
    if state in NOT_FINAL_STATES:
        return "pending", f"not final yet ({state})"
    return "pending", f"unknown gameState {state!r}"
