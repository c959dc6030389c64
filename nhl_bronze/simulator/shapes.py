"""JSON bodies in the real API's exact shapes (keys, nesting, types) for schedule, score and gamecenter endpoints.

Pure functions of a ``ScheduledGame`` (+ its ``GeneratedGame`` once played) and the game's state (OFF/FUT/...).
Key sets follow the recorded samples in nhl_bronze_tests/data/nhl_api_samples.
"""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

from nhl_bronze.simulator.calendar import PLAYOFF, ScheduledGame
from nhl_bronze.simulator.game_gen import GeneratedGame, mmss
from nhl_bronze.simulator.league import Player, Team

_BROADCASTS = (
    (282, "N", "CA", "SN"), (281, "N", "CA", "TVAS"), (309, "N", "US", "ESPN"), (329, "N", "US", "ESPN+"),
    (385, "N", "US", "TNT"), (4, "N", "CA", "CBC"), (290, "H", "CA", "SNP"), (31, "H", "US", "NESN"),
    (322, "A", "US", "NBCSP"), (551, "A", "US", "CHSN"),
)


def _offset(moment: datetime, zone: str) -> str:
    minutes = int(moment.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _tv(game: ScheduledGame) -> list[dict]:
    rng = random.Random(f"tv:{game.id}")
    chosen = rng.sample(_BROADCASTS, rng.randint(1, 3))
    return [{"id": i, "market": market, "countryCode": country, "network": network, "sequenceNumber": rank}
            for rank, (i, market, country, network) in sorted(
                ((rng.randint(10, 400), item) for item in chosen), key=lambda pair: pair[0])]


def _logo(team: Team, dark: bool = False) -> str:
    return f"https://assets.nhle.com/logos/nhl/svg/{team.abbrev}_{'dark' if dark else 'light'}.svg"


def _place(team: Team) -> dict:
    return {"default": team.place_name, **({"fr": team.place_name_fr} if team.place_name_fr else {})}


def _place_with_preposition(team: Team) -> dict:
    return {"default": team.place_name, "fr": f"de {team.place_name_fr or team.place_name}"}


def _period_descriptor(number: int, period_type: str) -> dict:
    return {"number": number, "periodType": period_type, "maxRegulationPeriods": 3}


def _game_center_link(game: ScheduledGame) -> str:
    d = game.game_date
    return f"/gamecenter/{game.away.abbrev.lower()}-vs-{game.home.abbrev.lower()}/{d:%Y/%m/%d}/{game.id}"


def _timing(game: ScheduledGame) -> dict:
    return {"startTimeUTC": game.start_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "easternUTCOffset": _offset(game.start_utc, "America/New_York"),
            "venueUTCOffset": _offset(game.start_utc, game.home.timezone)}


def _outcome(played: GeneratedGame) -> dict:
    outcome = played.game.outcome
    if outcome.last_period_type == "OT":
        return {"lastPeriodType": "OT", "otPeriods": outcome.ot_periods}
    return {"lastPeriodType": outcome.last_period_type}


def _final_descriptor(played: GeneratedGame) -> dict:
    last = played.last_period
    return _period_descriptor(last.number, last.type)


def _final_clock(played: GeneratedGame) -> dict:
    last = played.last_period
    remaining = 0 if last.type == "SO" else last.full_length - last.length
    return {"timeRemaining": mmss(remaining), "secondsRemaining": remaining, "running": False,
            "inIntermission": False}


def _scores(played: GeneratedGame | None, home: bool) -> dict:
    if played is None:
        return {}
    outcome = played.game.outcome
    return {"score": outcome.home_score if home else outcome.away_score,
            "sog": played.home_sog if home else played.away_sog}


def _header_team(team: Team, played: GeneratedGame | None, home: bool) -> dict:
    return {"id": team.id, "commonName": {"default": team.common_name}, "abbrev": team.abbrev,
            **_scores(played, home), "logo": _logo(team), "darkLogo": _logo(team, dark=True),
            "placeName": _place(team), "placeNameWithPreposition": _place_with_preposition(team)}


def _header(game: ScheduledGame, state: str) -> dict:
    return {"id": game.id, "season": game.season, "gameType": game.game_type, "limitedScoring": False,
            "gameDate": game.game_date.isoformat(), "venue": {"default": game.home.venue},
            "venueLocation": {"default": game.home.venue_location}, **_timing(game), "tvBroadcasts": _tv(game),
            "gameState": state, "gameScheduleState": "PPD" if game.postponed else "OK"}


def _pregame_clock(game: ScheduledGame) -> dict:
    return {"timeRemaining": "20:00", "secondsRemaining": 1200, "running": False, "inIntermission": False}


# -- gamecenter ---------------------------------------------------------------------------------------------------

def play_by_play(game: ScheduledGame, state: str, played: GeneratedGame | None) -> dict:
    playoff = game.game_type == PLAYOFF
    body = _header(game, state)
    body["periodDescriptor"] = _final_descriptor(played) if played else _period_descriptor(1, "REG")
    body["awayTeam"] = _header_team(game.away, played, False)
    body["homeTeam"] = _header_team(game.home, played, True)
    body["shootoutInUse"] = not playoff
    body["otInUse"] = True
    body["clock"] = _final_clock(played) if played else _pregame_clock(game)
    body["displayPeriod"] = 1
    if not playoff:  # the real feed drops maxPeriods in the playoffs (unlimited OT)
        body["maxPeriods"] = 5
    if played:
        body["gameOutcome"] = _outcome(played)
    body["plays"] = played.plays if played else []
    body["rosterSpots"] = _roster_spots(played) if played else []
    body["regPeriods"] = 3
    body["summary"] = {}
    return body


def _headshot(game: ScheduledGame, team: Team, player: Player) -> str:
    return f"https://assets.nhle.com/mugs/nhl/{game.season}/{team.abbrev}/{player.id}.png"


def _roster_spots(played: GeneratedGame) -> list[dict]:
    spots = []
    for roster in (played.away_roster, played.home_roster):
        for player in roster.everyone:
            spots.append({"teamId": roster.team.id, "playerId": player.id, "firstName": {"default": player.first_name},
                          "lastName": {"default": player.last_name}, "sweaterNumber": player.sweater,
                          "positionCode": player.position, "headshot": _headshot(played.game, roster.team, player)})
    return spots


def boxscore(game: ScheduledGame, state: str, played: GeneratedGame | None) -> dict:
    body = _header(game, state)
    body["periodDescriptor"] = _final_descriptor(played) if played else _period_descriptor(1, "REG")
    body["regPeriods"] = 3
    body["awayTeam"] = _header_team(game.away, played, False)
    body["homeTeam"] = _header_team(game.home, played, True)
    body["clock"] = _final_clock(played) if played else _pregame_clock(game)
    if played:
        body["playerByGameStats"] = {"awayTeam": _team_stats(played, False), "homeTeam": _team_stats(played, True)}
        body["gameOutcome"] = _outcome(played)
    return body


def _team_stats(played: GeneratedGame, home: bool) -> dict:
    roster = played.home_roster if home else played.away_roster
    return {"forwards": [_skater_stats(played, p) for p in roster.forwards],
            "defense": [_skater_stats(played, p) for p in roster.defense],
            "goalies": [_goalie_stats(played, p, home) for p in roster.goalies]}


def _skater_stats(played: GeneratedGame, player: Player) -> dict:
    line = played.skaters[player.id]
    faceoffs = line.faceoffs_won + line.faceoffs_lost
    return {"playerId": player.id, "sweaterNumber": player.sweater, "name": {"default": player.short_name},
            "position": player.position, "goals": line.goals, "assists": line.assists,
            "points": line.goals + line.assists, "plusMinus": line.plus_minus, "pim": line.pim, "hits": line.hits,
            "powerPlayGoals": line.power_play_goals, "sog": line.sog,
            "faceoffWinningPctg": line.faceoffs_won / faceoffs if faceoffs else 0.0, "toi": mmss(line.toi),
            "blockedShots": line.blocked_shots, "shifts": line.shifts, "giveaways": line.giveaways,
            "takeaways": line.takeaways}


def _goalie_stats(played: GeneratedGame, player: Player, home: bool) -> dict:
    line = played.goalies[player.id]
    starter = player is (played.home_starter if home else played.away_starter)
    shots, goals = sum(line.shots.values()), sum(line.goals.values())

    def ratio(kind: str) -> str:
        return f"{line.shots[kind] - line.goals[kind]}/{line.shots[kind]}"

    stats = {"playerId": player.id, "sweaterNumber": player.sweater, "name": {"default": player.short_name},
             "position": "G", "evenStrengthShotsAgainst": ratio("ev"), "powerPlayShotsAgainst": ratio("pp"),
             "shorthandedShotsAgainst": ratio("sh"), "saveShotsAgainst": f"{shots - goals}/{shots}"}
    if shots:  # absent when the goalie faced no shot, as in the real feed
        stats["savePctg"] = round((shots - goals) / shots, 6)
    stats.update({"evenStrengthGoalsAgainst": line.goals["ev"], "powerPlayGoalsAgainst": line.goals["pp"],
                  "shorthandedGoalsAgainst": line.goals["sh"], "pim": line.pim, "goalsAgainst": goals,
                  "toi": mmss(line.toi), "starter": starter})
    if starter:
        outcome = played.game.outcome
        won = outcome.home_won == home
        stats["decision"] = "W" if won else ("O" if outcome.last_period_type != "REG"
                                             and played.game.game_type != PLAYOFF else "L")
    stats.update({"shotsAgainst": shots, "saves": shots - goals})
    return stats


# Share of games whose published shift chart is (empty, partial), by the season's first year: the stats API's
# charts of older seasons are more often missing or cut short (issue reports and backfills of 2010-2018 games).
_CHART_GAPS = ((2013, (0.05, 0.05)), (2018, (0.02, 0.02)))


def chart_publication(game: ScheduledGame, seed: int = 0) -> str:
    """How the stats API publishes the game's chart: "full", "missing" (no rows), "one_team" (one team's rows)
    or "no_third_period" (everyone's rows but the third period's). A property of the game, not of the request."""
    missing, partial = next((rates for last_year, rates in _CHART_GAPS if game.start_year <= last_year), (0.0, 0.0))
    roll = random.Random(f"chart:{seed}:{game.id}").random()
    if roll < missing:
        return "missing"
    if roll < missing + partial:
        return "one_team" if roll < missing + partial / 2 else "no_third_period"
    return "full"


def shift_chart(played: GeneratedGame | None, publication: str = "full") -> dict:
    rows = played.shift_rows if played else []
    if publication == "missing":
        rows = []
    elif publication == "one_team":
        rows = [row for row in rows if row["teamId"] == played.game.home.id]
    elif publication == "no_third_period":
        rows = [row for row in rows if row["period"] != 3]
    return {"data": rows, "total": len(rows)}


# -- schedule / score ---------------------------------------------------------------------------------------------

def _winning_goalie(played: GeneratedGame) -> Player:
    return played.home_starter if played.game.outcome.home_won else played.away_starter


def _recap_slug(game: ScheduledGame) -> str:
    d = game.game_date
    return f"{game.away.abbrev.lower()}-at-{game.home.abbrev.lower()}-{d.month}-{d.day}-{d:%y}"


def schedule_game(game: ScheduledGame, state: str, played: GeneratedGame | None) -> dict:
    entry = {"id": game.id, "season": game.season, "gameType": game.game_type, "venue": {"default": game.home.venue},
             "neutralSite": False, **_timing(game), "venueTimezone": game.home.timezone, "gameState": state,
             "gameScheduleState": "PPD" if game.postponed else "OK", "tvBroadcasts": _tv(game)}
    for side, team, home in (("away", game.away, False), ("home", game.home, True)):
        block = {"id": team.id, "commonName": {"default": team.common_name}, "placeName": _place(team),
                 "placeNameWithPreposition": _place_with_preposition(team), "abbrev": team.abbrev,
                 "logo": _logo(team), "darkLogo": _logo(team, dark=True), f"{side}SplitSquad": False}
        if played:
            block["score"] = game.outcome.home_score if home else game.outcome.away_score
        else:
            block["radioLink"] = f"https://d2igy0yla8zi0u.cloudfront.net/{team.abbrev}/{game.season}/" \
                                 f"{team.abbrev}-radio.m3u8"
        entry[f"{side}Team"] = block
    if played:
        entry["periodDescriptor"] = _final_descriptor(played)
        entry["gameOutcome"] = _outcome(played)
        goalie = _winning_goalie(played)
        entry["winningGoalie"] = {"playerId": goalie.id, "firstInitial": {"default": f"{goalie.first_name[0]}."},
                                  "lastName": {"default": goalie.last_name}}
        winning_goal = played.winning_goal
        if winning_goal is not None:  # shootout wins have no winning goal scorer, as in the real schedule
            scorer = winning_goal.scorer
            entry["winningGoalScorer"] = {"playerId": scorer.id,
                                          "firstInitial": {"default": f"{scorer.first_name[0]}."},
                                          "lastName": {"default": scorer.last_name}}
        slug = _recap_slug(game)
        entry.update({"threeMinRecap": f"/video/recap-{slug}-{game.id}",
                      "threeMinRecapFr": f"/fr/video/resume-{slug}",
                      "condensedGame": f"/video/{slug}-condensed-game",
                      "condensedGameFr": f"/fr/video/condense-{slug}"})
    else:
        entry["periodDescriptor"] = _period_descriptor(1, "REG")
        tickets = f"https://www.ticketmaster.com/event/{game.id:016X}?brand=nhl&utm_source=NHL.com"
        entry.update({"ticketsLink": tickets, "ticketsLinkFr": tickets})
    entry["gameCenterLink"] = _game_center_link(game)
    return entry


def score_game(game: ScheduledGame, state: str, played: GeneratedGame | None) -> dict:
    entry = {"id": game.id, "season": game.season, "gameType": game.game_type, "gameDate": game.game_date.isoformat(),
             "venue": {"default": game.home.venue}, **_timing(game), "tvBroadcasts": _tv(game), "gameState": state,
             "gameScheduleState": "PPD" if game.postponed else "OK"}
    for side, team, home in (("away", game.away, False), ("home", game.home, True)):
        entry[f"{side}Team"] = {"id": team.id, "name": {"default": team.common_name}, "abbrev": team.abbrev,
                                **_scores(played, home), "logo": _logo(team)}
    entry["gameCenterLink"] = _game_center_link(game)
    if played is None:
        entry.update({"neutralSite": False, "venueTimezone": game.home.timezone})
        tickets = f"https://www.ticketmaster.com/event/{game.id:016X}?brand=nhl&utm_source=NHL.com"
        entry.update({"ticketsLink": tickets, "ticketsLinkFr": tickets})
        return entry
    last = played.last_period
    entry.update({"threeMinRecap": f"/video/recap-{_recap_slug(game)}-{game.id}", "clock": _final_clock(played),
                  "neutralSite": False, "venueTimezone": game.home.timezone, "period": last.number,
                  "periodDescriptor": _final_descriptor(played), "gameOutcome": _outcome(played),
                  "goals": [_score_goal(played, goal) for goal in played.goals if not goal.shootout]})
    return entry


def _score_goal(played: GeneratedGame, goal) -> dict:
    team = played.game.home if goal.home else played.game.away
    scorer = goal.scorer
    slug = f"{scorer.first_name}-{scorer.last_name}".lower().replace(" ", "-")
    return {"period": goal.period.number, "periodDescriptor": _period_descriptor(goal.period.number, goal.period.type),
            "timeInPeriod": mmss(goal.time), "playerId": scorer.id, "name": {"default": scorer.short_name},
            "firstName": {"default": scorer.first_name}, "lastName": {"default": scorer.last_name},
            "goalModifier": "empty-net" if goal.empty_net else "none",
            "assists": [{"playerId": p.id, "name": {"default": p.short_name}, "assistsToDate": total}
                        for p, total in goal.assists],
            "mugshot": _headshot(played.game, team, scorer), "teamAbbrev": team.abbrev,
            "goalsToDate": goal.scorer_total, "awayScore": goal.away_score, "homeScore": goal.home_score,
            "strength": goal.strength, "highlightClipSharingUrl": f"https://nhl.com/video/{slug}-scores-{goal.clip}",
            "highlightClip": goal.clip, "discreteClip": goal.clip + 1, "discreteClipFr": goal.clip + 3}
