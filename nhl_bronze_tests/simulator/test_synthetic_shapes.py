"""SyntheticNhl responses have the real API's shapes: same keys, same nesting, same JSON types as the recorded samples.

Real plays/rows/players are grouped (per play ``typeDescKey``, per shift ``typeCode``, per boxscore group, per
schedule ``gameState``); within a group, a key present in EVERY real object is required, a key present in SOME is
optional, and no other key may appear. Beyond that, ``OPTIONAL_IN_REALITY`` lists keys the real API only sometimes
sends, which the simulator may leave out.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

import pytest

from nhl_bronze.simulator.calendar import season_calendar
from nhl_bronze.simulator.synthetic import SyntheticNhl
from nhl_bronze_tests.common import SAMPLES

# Keys the real API sends only for some games; the simulator is allowed not to send them.
OPTIONAL_IN_REALITY = {
    "specialEvent",  # only for special games (e.g. the Global Series opener 2024020001)
    "oddsPartners",  # schedule: present in 2025-26 responses, absent in 2024-25 ones
    "summary",  # boxscore: only in the playoff sample
    # French clip keys appear only in 2025-26 goals (the simulator sends them from 2025-26 on as well)
    "highlightClipFr", "highlightClipSharingUrlFr", "discreteClipFr",
}

# Keys a sample group happens not to show but that the same object carries in other real samples.
SEEN_IN_OTHER_SAMPLES = {
    "otPeriods",  # gameOutcome of an OT game (play-by-play samples); the schedule samples only hold REG games
}

TODAY = date(2025, 1, 15)


def _load(name: str):
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def _type(value) -> str:
    if value is None:
        return "null"
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict"}[type(value)]


class KeyProfile:
    """Required / optional keys and the JSON types seen per key, over a group of real objects."""

    def __init__(self, objects: list[dict]):
        assert objects
        self.required = set.intersection(*(set(o) for o in objects))
        self.known = set.union(*(set(o) for o in objects))
        self.types: dict[str, set[str]] = defaultdict(set)
        self.children: dict[str, list] = defaultdict(list)
        self._child_profiles: dict[str, KeyProfile] = {}
        for obj in objects:
            for key, value in obj.items():
                self.types[key].add(_type(value))
                if isinstance(value, dict):
                    self.children[key].append(value)
                elif isinstance(value, list) and value and isinstance(value[0], dict):
                    self.children[key].extend(value)

    def check(self, sim: dict, where: str, deep: bool = True) -> None:
        if "default" in self.required:
            # Localized string ({"default": ..., "fr": ...}): only "default" is guaranteed, languages vary per value.
            assert "default" in sim and all(len(k) == 2 for k in set(sim) - {"default"}), f"{where}: {sim}"
            assert all(isinstance(v, str) for v in sim.values()), f"{where}: {sim}"
            return
        missing = self.required - set(sim) - OPTIONAL_IN_REALITY
        extra = set(sim) - self.known - SEEN_IN_OTHER_SAMPLES
        assert not missing, f"{where}: missing keys {sorted(missing)}"
        assert not extra, f"{where}: keys the real API never sends {sorted(extra)}"
        for key, value in sim.items():
            if key not in self.types:
                continue
            real_types = self.types[key]
            # An empty real list/object tells nothing about its content; types must still match.
            assert _type(value) in real_types, f"{where}.{key}: {_type(value)} but real is {sorted(real_types)}"
            if not deep or key not in self.children or not value:
                continue
            if key not in self._child_profiles:
                self._child_profiles[key] = KeyProfile(self.children[key])
            profile = self._child_profiles[key]
            items = value if isinstance(value, list) else [value]
            for item in items:
                profile.check(item, f"{where}.{key}")


@pytest.fixture(scope="module")
def sim() -> SyntheticNhl:
    return SyntheticNhl(today=TODAY, seed=0)


def _game_ids(kind: str) -> list[int]:
    """A regulation, an OT and a shootout regular-season game, and a playoff OT game (2023-24: all final)."""
    games = season_calendar(2023, 0).games
    wanted = {
        "REG": lambda g: g.game_type == 2 and g.outcome.last_period_type == "REG" and not g.postponed,
        "OT": lambda g: g.game_type == 2 and g.outcome.last_period_type == "OT" and not g.postponed,
        "SO": lambda g: g.game_type == 2 and g.outcome.last_period_type == "SO" and not g.postponed,
        "PO": lambda g: g.game_type == 3 and g.outcome.last_period_type == "OT",
    }[kind]
    return [g.id for g in games if wanted(g)][:2]


REAL_PBP = ["play-by-play_2024020001.json", "play-by-play_2024020009.json", "play-by-play_2024020022.json",
            "play-by-play_2025030123.json"]
REAL_BOX = ["boxscore_2024020001.json", "boxscore_2024020009.json", "boxscore_2024020022.json",
            "boxscore_2025030123.json"]
REAL_SHIFTS = ["shiftcharts_2024020001.json", "shiftcharts_2024020009.json", "shiftcharts_2024020022.json"]


def _plays_by_type(bodies: list[dict]) -> dict[str, list[dict]]:
    grouped = defaultdict(list)
    for body in bodies:
        for play in body["plays"]:
            grouped[play["typeDescKey"]].append(play)
    return grouped


@pytest.mark.parametrize("kind", ["REG", "OT", "SO", "PO"])
def test_play_by_play_matches_real_shape(sim, kind):
    reals = [_load(name) for name in REAL_PBP]
    regular_reals, playoff_reals = reals[:3], reals[3:]
    real_plays = _plays_by_type(reals)
    play_profiles = {key: KeyProfile(plays) for key, plays in real_plays.items()}
    for game_id in _game_ids(kind):
        body = json.loads(sim.handle("GET", f"/v1/gamecenter/{game_id}/play-by-play", {}).body)
        header_reals = playoff_reals if kind == "PO" else regular_reals
        KeyProfile([{k: v for k, v in r.items() if k != "plays"} for r in header_reals]).check(
            {k: v for k, v in body.items() if k != "plays"}, f"pbp {game_id}")
        assert len(body["rosterSpots"]) == 40
        assert ("maxPeriods" in body) is (kind != "PO")  # real playoff feeds have no maxPeriods
        seen = set()
        for play in body["plays"]:
            kind_key = play["typeDescKey"]
            seen.add(kind_key)
            assert kind_key in real_plays, f"{kind_key} never appears in the real feed"
            play_profiles[kind_key].check(play, f"pbp {game_id} {kind_key}")
            assert play["typeCode"] == real_plays[kind_key][0]["typeCode"]
        assert {"faceoff", "hit", "shot-on-goal", "missed-shot", "blocked-shot", "giveaway", "takeaway", "stoppage",
                "penalty", "period-start", "period-end", "game-end"} <= seen
        if kind == "SO":
            assert "shootout-complete" in seen


@pytest.mark.parametrize("kind", ["REG", "OT", "SO", "PO"])
def test_boxscore_matches_real_shape(sim, kind):
    reals = [_load(name) for name in REAL_BOX]
    header = KeyProfile([{k: v for k, v in r.items() if k != "playerByGameStats"} for r in reals])
    groups = {group: KeyProfile([p for r in reals for side in ("awayTeam", "homeTeam")
                                 for p in r["playerByGameStats"][side][group]])
              for group in ("forwards", "defense", "goalies")}
    for game_id in _game_ids(kind):
        body = json.loads(sim.handle("GET", f"/v1/gamecenter/{game_id}/boxscore", {}).body)
        header.check({k: v for k, v in body.items() if k != "playerByGameStats"}, f"boxscore {game_id}")
        stats = body["playerByGameStats"]
        assert set(stats) == {"awayTeam", "homeTeam"}
        for side in ("awayTeam", "homeTeam"):
            assert set(stats[side]) == {"forwards", "defense", "goalies"}
            assert [len(stats[side][g]) for g in ("forwards", "defense", "goalies")] == [12, 6, 2]
            for group, profile in groups.items():
                for player in stats[side][group]:
                    profile.check(player, f"boxscore {game_id} {group}")


@pytest.mark.parametrize("kind", ["REG", "OT", "SO"])
def test_shift_chart_matches_real_shape(sim, kind):
    reals = [_load(name) for name in REAL_SHIFTS]
    by_code = defaultdict(list)
    for real in reals:
        for row in real["data"]:
            by_code[row["typeCode"]].append(row)
    for game_id in _game_ids(kind):
        body = json.loads(sim.handle("GET", "/stats/rest/en/shiftcharts", {"cayenneExp": f"gameId={game_id}"}).body)
        assert set(body) == {"data", "total"} and body["total"] == len(body["data"])
        profiles = {code: KeyProfile(rows) for code, rows in by_code.items()}
        for row in body["data"]:
            profiles[row["typeCode"]].check(row, f"shift {game_id} {row['typeCode']}")
        shifts = [r for r in body["data"] if r["typeCode"] == 517]
        assert 650 <= len(shifts) <= 1000
        assert len({r["playerId"] for r in shifts}) == 38  # 36 skaters + 2 starting goalies


def test_schedule_matches_real_shape(sim):
    reals = [_load("schedule_2024-10-09.json"), _load("schedule_2025-10-07.json")]
    top = KeyProfile([{k: v for k, v in r.items() if k != "gameWeek"} for r in reals])
    day_profile = KeyProfile([{k: v for k, v in d.items() if k not in ("games", "datePromo")}
                              for r in reals for d in r["gameWeek"]])
    by_state = defaultdict(list)
    for real in reals:
        for day in real["gameWeek"]:
            for game in day["games"]:
                by_state[game["gameState"]].append(game)
    state_profiles = {state: KeyProfile(games) for state, games in by_state.items()}
    # 2025-01-12 .. 2025-01-18 straddles TODAY: final games, then future ones.
    body = json.loads(sim.handle("GET", "/v1/schedule/2025-01-12", {}).body)
    top.check({k: v for k, v in body.items() if k != "gameWeek"}, "schedule")
    states = set()
    assert len(body["gameWeek"]) == 7
    for day in body["gameWeek"]:
        day_profile.check({k: v for k, v in day.items() if k not in ("games", "datePromo")}, "schedule day")
        assert isinstance(day["datePromo"], list)
        assert day["numberOfGames"] == len(day["games"])
        for game in day["games"]:
            states.add(game["gameState"])
            state_profiles[game["gameState"]].check(game, f"schedule game {game['id']}")
    assert states == {"OFF", "FUT"}


def test_score_matches_real_shape(sim):
    real = _load("score_2024-10-08.json")
    body = json.loads(sim.handle("GET", "/v1/score/2025-01-10", {}).body)
    KeyProfile([{k: v for k, v in real.items() if k != "games"}]).check(
        {k: v for k, v in body.items() if k != "games"}, "score", deep=False)
    assert [d["date"] for d in body["gameWeek"]][3] == "2025-01-10" and len(body["gameWeek"]) == 7
    KeyProfile(real["gameWeek"]).check(body["gameWeek"][0], "score gameWeek")
    assert body["games"]
    games = KeyProfile([{k: v for k, v in g.items() if k != "goals"} for g in real["games"]])
    goals = KeyProfile([goal for g in real["games"] for goal in g["goals"]])
    for game in body["games"]:
        games.check({k: v for k, v in game.items() if k != "goals"}, f"score game {game['id']}")
        for goal in game["goals"]:
            goals.check(goal, f"score goal {game['id']}")


def test_future_game_has_pre_game_shape(sim):
    game = next(g for g in season_calendar(2024, 0).games if g.game_date > TODAY and not g.postponed)
    pbp = json.loads(sim.handle("GET", f"/v1/gamecenter/{game.id}/play-by-play", {}).body)
    assert pbp["gameState"] == "FUT" and pbp["plays"] == [] and "gameOutcome" not in pbp
    assert "score" not in pbp["homeTeam"]
    box = json.loads(sim.handle("GET", f"/v1/gamecenter/{game.id}/boxscore", {}).body)
    assert box["gameState"] == "FUT" and "playerByGameStats" not in box
    shifts = json.loads(sim.handle("GET", "/stats/rest/en/shiftcharts", {"cayenneExp": f"gameId={game.id}"}).body)
    assert shifts == {"data": [], "total": 0}


def test_unknown_game_is_404(sim):
    for path in ("/v1/gamecenter/2024029999/play-by-play", "/v1/gamecenter/2024020000/boxscore",
                 "/v1/gamecenter/1999020001/play-by-play"):
        assert sim.handle("GET", path, {}).status == 404
    assert sim.handle("GET", "/stats/rest/en/shiftcharts", {"cayenneExp": "gameId=2024029999"}).status == 404


def test_bodies_are_compact_utf8_json(sim):
    game_id = _game_ids("REG")[0]
    response = sim.handle("GET", f"/v1/gamecenter/{game_id}/play-by-play", {})
    assert response.headers["content-type"] == "application/json"
    assert b'": ' not in response.body[:200] and b", " not in response.body[:200]
