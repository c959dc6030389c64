"""A synthetic game agrees with itself: boxscore == recomputation from its own play-by-play and shift chart.

The recomputation is written here, independently of the generator (and without nhl_bronze.stats).
Conventions: shootout plays (period type SO) count for nothing but the +1 of the winning team's score; a shift
covers the moment t when start <= t <= end (plus/minus uses start < t <= end: who was on when the goal went in).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date
from itertools import pairwise

import pytest

from nhl_bronze.simulator.calendar import season_calendar
from nhl_bronze.simulator.synthetic import SyntheticNhl


def _seconds(clock: str) -> int:
    minutes, seconds = clock.split(":")
    return int(minutes) * 60 + int(seconds)


def _sample_game_ids() -> list[int]:
    """Every kind of ending, plus a spread of ordinary games and a multi-OT playoff game if one exists."""
    games = season_calendar(2023, 0).games
    picks: list[int] = []
    for game_type, ending in ((2, "REG"), (2, "OT"), (2, "SO"), (3, "REG"), (3, "OT"), (1, "SO")):
        picks += [g.id for g in games
                  if g.game_type == game_type and g.outcome.last_period_type == ending and not g.postponed][:2]
    picks += [g.id for g in games if g.game_type == 3 and g.outcome.ot_periods >= 2][:1]
    regular = [g.id for g in games if g.game_type == 2 and not g.postponed]
    picks += regular[::180]
    return sorted(set(picks))


@pytest.fixture(scope="module")
def sim() -> SyntheticNhl:
    return SyntheticNhl(today=date(2024, 7, 1), seed=0)


@pytest.fixture(scope="module", params=_sample_game_ids())
def game(request, sim):
    game_id = request.param
    pbp = json.loads(sim.handle("GET", f"/v1/gamecenter/{game_id}/play-by-play", {}).body)
    box = json.loads(sim.handle("GET", f"/v1/gamecenter/{game_id}/boxscore", {}).body)
    shifts = json.loads(sim.handle("GET", "/stats/rest/en/shiftcharts", {"cayenneExp": f"gameId={game_id}"}).body)
    return pbp, box, shifts["data"]


def _regular_plays(pbp: dict) -> list[dict]:
    return [p for p in pbp["plays"] if p["periodDescriptor"]["periodType"] != "SO"]


def _shifts_by_player(rows: list[dict]) -> dict[int, list[tuple[int, int, int]]]:
    out = defaultdict(list)
    for row in rows:
        if row["typeCode"] == 517:
            out[row["playerId"]].append((row["period"], _seconds(row["startTime"]), _seconds(row["endTime"])))
    return out


def _base_skaters(code: str) -> tuple[int, int]:
    """Skaters each side has by penalties alone (a pulled goalie's extra attacker is not a power play)."""
    away_goalie, away, home, home_goalie = (int(c) for c in code)
    return away - (1 - away_goalie), home - (1 - home_goalie)


def test_skater_boxscore_equals_recomputation(game):
    pbp, box, rows = game
    home_id = pbp["homeTeam"]["id"]
    positions = {s["playerId"]: s["positionCode"] for s in pbp["rosterSpots"]}
    team_of = {s["playerId"]: s["teamId"] for s in pbp["rosterSpots"]}
    shifts = _shifts_by_player(rows)
    expected: dict[int, Counter] = defaultdict(Counter)
    for play in _regular_plays(pbp):
        d, kind = play.get("details", {}), play["typeDescKey"]
        if kind == "goal":
            scorer = d["scoringPlayerId"]
            expected[scorer].update(goals=1, sog=1)
            for key in ("assist1PlayerId", "assist2PlayerId"):
                if key in d:
                    expected[d[key]]["assists"] += 1
            away_base, home_base = _base_skaters(play["situationCode"])
            scoring_home = d["eventOwnerTeamId"] == home_id
            mine, theirs = (home_base, away_base) if scoring_home else (away_base, home_base)
            if mine > theirs:
                expected[scorer]["powerPlayGoals"] += 1
            else:  # plus/minus for every non-power-play goal, skaters on the ice when it went in
                period, t = play["periodDescriptor"]["number"], _seconds(play["timeInPeriod"])
                for player, spans in shifts.items():
                    if positions[player] != "G" and any(p == period and s < t <= e for p, s, e in spans):
                        expected[player]["plusMinus"] += 1 if team_of[player] == d["eventOwnerTeamId"] else -1
        elif kind == "shot-on-goal":
            expected[d["shootingPlayerId"]]["sog"] += 1
        elif kind == "hit":
            expected[d["hittingPlayerId"]]["hits"] += 1
        elif kind == "blocked-shot":
            expected[d["blockingPlayerId"]]["blockedShots"] += 1
        elif kind in ("giveaway", "takeaway"):
            expected[d["playerId"]][kind + "s"] += 1
        elif kind == "penalty":
            expected[d["committedByPlayerId"]]["pim"] += d["duration"]
        elif kind == "faceoff":
            expected[d["winningPlayerId"]]["won"] += 1
            expected[d["losingPlayerId"]]["lost"] += 1
    for player, spans in shifts.items():
        expected[player]["toi"] = sum(e - s for _, s, e in spans)
        expected[player]["shifts"] = len(spans)

    for side in ("awayTeam", "homeTeam"):
        for group in ("forwards", "defense"):
            for line in box["playerByGameStats"][side][group]:
                want = expected[line["playerId"]]
                for key in ("goals", "assists", "sog", "hits", "blockedShots", "giveaways", "takeaways", "pim",
                            "powerPlayGoals", "plusMinus", "shifts"):
                    assert line[key] == want[key], (line["playerId"], key, line[key], want[key])
                assert line["points"] == want["goals"] + want["assists"]
                assert _seconds(line["toi"]) == want["toi"]
                faceoffs = want["won"] + want["lost"]
                assert line["faceoffWinningPctg"] == pytest.approx(want["won"] / faceoffs if faceoffs else 0.0)


def test_goalies_and_team_totals_equal_recomputation(game):
    pbp, box, rows = game
    home_id = pbp["homeTeam"]["id"]
    shifts = _shifts_by_player(rows)
    sog = Counter()
    goals = Counter()
    shots_against, goals_against = Counter(), Counter()
    for play in _regular_plays(pbp):
        d, kind = play.get("details", {}), play["typeDescKey"]
        if kind in ("shot-on-goal", "goal"):
            sog[d["eventOwnerTeamId"]] += 1
            if "goalieInNetId" in d:
                shots_against[d["goalieInNetId"]] += 1
        if kind == "goal":
            goals[d["eventOwnerTeamId"]] += 1
            if "goalieInNetId" in d:
                goals_against[d["goalieInNetId"]] += 1
    shootout_goals = Counter(p["details"]["eventOwnerTeamId"] for p in pbp["plays"]
                             if p["periodDescriptor"]["periodType"] == "SO" and p["typeDescKey"] == "goal")
    score = Counter(goals)
    if shootout_goals:
        score[max(shootout_goals, key=shootout_goals.get)] += 1
        assert len(set(shootout_goals.values())) == 2 or len(shootout_goals) == 1  # a shootout has a winner
    for side in ("awayTeam", "homeTeam"):
        team_id = pbp[side]["id"]
        assert box[side]["score"] == pbp[side]["score"] == score[team_id]
        assert box[side]["sog"] == pbp[side]["sog"] == sog[team_id]
        starters = [g for g in box["playerByGameStats"][side]["goalies"] if g["starter"]]
        assert len(starters) == 1
        for goalie in box["playerByGameStats"][side]["goalies"]:
            gid = goalie["playerId"]
            assert goalie["shotsAgainst"] == shots_against[gid]
            assert goalie["goalsAgainst"] == goals_against[gid]
            assert goalie["saves"] == shots_against[gid] - goals_against[gid]
            assert goalie["saveShotsAgainst"] == f"{goalie['saves']}/{goalie['shotsAgainst']}"
            assert _seconds(goalie["toi"]) == sum(e - s for _, s, e in shifts.get(gid, []))
            assert ("decision" in goalie) == goalie["starter"]
    # The winner's starting goalie has the W.
    winner = "homeTeam" if score[home_id] > score[pbp["awayTeam"]["id"]] else "awayTeam"
    assert [g["decision"] for g in box["playerByGameStats"][winner]["goalies"] if g["starter"]] == ["W"]


def test_every_event_player_was_on_the_ice(game):
    pbp, _, rows = game
    shifts = _shifts_by_player(rows)
    keys = ("winningPlayerId", "losingPlayerId", "hittingPlayerId", "hitteePlayerId", "playerId", "shootingPlayerId",
            "blockingPlayerId", "scoringPlayerId", "assist1PlayerId", "assist2PlayerId", "committedByPlayerId",
            "drawnByPlayerId", "goalieInNetId")
    for play in _regular_plays(pbp):
        period, t = play["periodDescriptor"]["number"], _seconds(play["timeInPeriod"])
        for key in keys:
            player = play.get("details", {}).get(key)
            if player is not None:
                assert any(p == period and s <= t <= e for p, s, e in shifts[player]), (play, key)


def test_situation_code_matches_shift_chart(game):
    """Away/home skaters and goalies in situationCode equal the shift chart's on-ice counts (away from changes)."""
    pbp, _, rows = game
    positions = {s["playerId"]: s["positionCode"] for s in pbp["rosterSpots"]}
    team_of = {s["playerId"]: s["teamId"] for s in pbp["rosterSpots"]}
    away_id = pbp["awayTeam"]["id"]
    shifts = _shifts_by_player(rows)
    changes = {(p, t) for spans in shifts.values() for p, s, e in spans for t in (s, e)}
    checked = 0
    for play in _regular_plays(pbp):
        period, t = play["periodDescriptor"]["number"], _seconds(play["timeInPeriod"])
        if (period, t) in changes or play["typeDescKey"] in ("game-end",):
            continue
        on_ice = [p for p, spans in shifts.items() if any(q == period and s < t < e for q, s, e in spans)]
        counts = Counter((team_of[p] == away_id, positions[p] == "G") for p in on_ice)
        code = f"{counts[True, True]}{counts[True, False]}{counts[False, False]}{counts[False, True]}"
        assert code == play["situationCode"], (play, code)
        checked += 1
    assert checked > 100


def test_shift_chart_structure(game):
    pbp, _, rows = game
    goals = [p for p in pbp["plays"] if p["typeDescKey"] == "goal"]
    markers = [r for r in rows if r["typeCode"] == 505]
    assert sorted(r["eventNumber"] for r in markers) == sorted(p["eventId"] for p in goals)
    for row in markers:
        assert row["duration"] is None and row["shiftNumber"] == 0 and row["startTime"] == row["endTime"]
    # Rows contiguous per player, shiftNumber ascending within a player.
    order = [r["playerId"] for r in rows]
    assert len({p for i, p in enumerate(order) if i == 0 or order[i - 1] != p}) == len(set(order))
    skater_lengths = []
    goalies = {s["playerId"] for s in pbp["rosterSpots"] if s["positionCode"] == "G"}
    for player, spans in _shifts_by_player(rows).items():
        numbers = [r["shiftNumber"] for r in rows if r["playerId"] == player and r["typeCode"] == 517]
        assert numbers == list(range(1, len(numbers) + 1))
        for _period, start, end in spans:
            assert end > start
            if player not in goalies:
                skater_lengths.append(end - start)
        if player in goalies:  # goalies play whole periods (less a pulled-goalie spell)
            assert len(spans) <= len({p for p, _, _ in spans}) + 2
    assert 35 <= sum(skater_lengths) / len(skater_lengths) <= 55
    assert len(set(rows[i]["id"] for i in range(len(rows)))) == len(rows)


def test_play_sequence_is_well_formed(game):
    pbp, _, _ = game
    plays = pbp["plays"]
    orders = [p["sortOrder"] for p in plays]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)
    assert len({p["eventId"] for p in plays}) == len(plays)
    periods_played = len({p["periodDescriptor"]["number"] for p in _regular_plays(pbp)})
    assert 230 <= len(plays) <= 420 + 110 * max(0, periods_played - 4)  # ~300 for a 60-minute game
    assert plays[-1]["typeDescKey"] == "game-end"
    sides = {}
    last_clock = {}
    for play in plays:
        period = play["periodDescriptor"]["number"]
        sides.setdefault(period, play["homeTeamDefendingSide"])
        assert sides[period] == play["homeTeamDefendingSide"]
        t = _seconds(play["timeInPeriod"])
        assert t >= last_clock.get(period, 0)
        last_clock[period] = t
        if play["periodDescriptor"]["periodType"] == "SO":
            assert play["situationCode"] in ("1010", "0101")
    numbers = sorted(sides)
    for earlier, later in pairwise(numbers):
        assert sides[earlier] != sides[later]  # ends switch every period
    home_id = pbp["homeTeam"]["id"]
    for play in _regular_plays(pbp):
        d = play.get("details", {})
        if play["typeDescKey"] in ("shot-on-goal", "goal", "missed-shot", "blocked-shot"):
            home_attacks_right = play["homeTeamDefendingSide"] == "left"
            attacks_right = home_attacks_right == (d["eventOwnerTeamId"] == home_id)
            assert (d["xCoord"] > 0) == attacks_right, play
            assert -99 <= d["xCoord"] <= 99 and -42 <= d["yCoord"] <= 42
