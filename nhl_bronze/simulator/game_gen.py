"""One synthetic game: goals/penalties -> situation timeline -> line shifts -> plays placed with on-ice players.

The result (``GeneratedGame``) holds the plays and shift rows in the API's exact JSON shape plus the per-player
tallies the boxscore is made of, all derived from the same events, so every endpoint of a game agrees.
Seeded by (seed, game id) only: the same game is byte-identical whatever else was generated before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace

from nhl_bronze.simulator.calendar import PLAYOFF, ScheduledGame
from nhl_bronze.simulator.league import Player, Roster, roster_for
from nhl_bronze.simulator.shifts import Deployment, deploy
from nhl_bronze.simulator.strength import Goal, Penalty, Period, Situation, build_timeline, goalie_pulls

_SHOT_TYPES = ("wrist", "wrist", "wrist", "snap", "snap", "slap", "backhand", "tip-in", "deflected", "wrap-around")
_MISS_REASONS = ("wide-left", "wide-right", "high-and-wide-left", "high-and-wide-right", "over-net", "short",
                 "hit-left-post", "hit-right-post", "hit-crossbar")
_STOPPAGES = ("icing", "offside", "offside", "icing", "goalie-stopped-after-sog", "puck-in-netting", "puck-in-crowd",
              "puck-frozen", "puck-in-benches", "hand-pass", "high-stick", "net-dislodged-defensive-skater")
_MINORS = ("tripping", "hooking", "holding", "slashing", "interference", "roughing", "cross-checking",
           "high-sticking", "delaying-game-puck-over-glass", "holding-the-stick", "too-many-men-on-the-ice")
_MAJORS = ("fighting", "boarding", "charging")
_FACEOFF_DOTS = ((0, 0), (69, 22), (69, -22), (-69, 22), (-69, -22), (20, 22), (20, -22), (-20, 22), (-20, -22))
_TYPE_CODES = {"faceoff": 502, "hit": 503, "giveaway": 504, "goal": 505, "shot-on-goal": 506, "missed-shot": 507,
               "blocked-shot": 508, "penalty": 509, "stoppage": 516, "period-start": 520, "period-end": 521,
               "shootout-complete": 523, "game-end": 524, "takeaway": 525, "delayed-penalty": 535}
# Intra-second ordering: play happens, then the whistle, then the faceoff that restarts play.
_ORDER = {"period-start": 0, "play": 1, "goal": 2, "penalty": 3, "stoppage": 4, "faceoff": 5, "period-end": 8}


_MMSS = [f"{s // 60:02d}:{s % 60:02d}" for s in range(4 * 3600)]  # formatting is hot: ~1,000 per game


def mmss(seconds: int) -> str:
    return _MMSS[seconds]


@dataclass
class SkaterLine:
    goals: int = 0
    assists: int = 0
    plus_minus: int = 0
    pim: int = 0
    hits: int = 0
    power_play_goals: int = 0
    sog: int = 0
    faceoffs_won: int = 0
    faceoffs_lost: int = 0
    blocked_shots: int = 0
    giveaways: int = 0
    takeaways: int = 0
    toi: int = 0
    shifts: int = 0


@dataclass
class GoalieLine:
    shots: dict[str, int] = field(default_factory=lambda: {"ev": 0, "pp": 0, "sh": 0})
    goals: dict[str, int] = field(default_factory=lambda: {"ev": 0, "pp": 0, "sh": 0})
    pim: int = 0
    toi: int = 0


@dataclass(frozen=True)
class GoalRecord:
    event_id: int
    period: Period
    time: int  # seconds elapsed in the period
    home: bool
    scorer: Player
    scorer_total: int
    assists: tuple[tuple[Player, int], ...]
    strength: str  # ev | pp | sh
    empty_net: bool
    away_score: int
    home_score: int
    shootout: bool
    clip: int


@dataclass
class GeneratedGame:
    game: ScheduledGame
    away_roster: Roster
    home_roster: Roster
    away_starter: Player
    home_starter: Player
    periods: list[Period]
    plays: list[dict]
    shift_rows: list[dict]
    skaters: dict[int, SkaterLine]
    goalies: dict[int, GoalieLine]
    away_sog: int
    home_sog: int
    goals: list[GoalRecord]

    @property
    def last_period(self) -> Period:
        return self.periods[-1]

    @property
    def winning_goal(self) -> GoalRecord | None:
        """The goal that put the winner one ahead of the loser's final total (none for shootout wins)."""
        outcome = self.game.outcome
        if outcome.last_period_type == "SO":
            return None
        loser_goals = min(outcome.away_goals, outcome.home_goals)
        winner_goals = [g for g in self.goals if g.home == outcome.home_won and not g.shootout]
        return winner_goals[loser_goals]


class _Tally:
    """Running counters while plays are emitted in order."""

    def __init__(self, rosters: tuple[Roster, Roster]):
        self.skaters = {p.id: SkaterLine() for roster in rosters for p in roster.skaters}
        self.goalies = {p.id: GoalieLine() for roster in rosters for p in roster.goalies}
        self.sog = {False: 0, True: 0}
        self.score = {False: 0, True: 0}
        self.goals_by: dict[int, int] = {}
        self.assists_by: dict[int, int] = {}


def _periods(rng: random.Random, game: ScheduledGame) -> list[Period]:
    outcome = game.outcome
    periods = [Period(n, "REG", 1200, 1200, (n - 1) * 1200) for n in (1, 2, 3)]
    if outcome.last_period_type == "REG":
        return periods
    if game.game_type == PLAYOFF:
        for k in range(outcome.ot_periods):
            final = k == outcome.ot_periods - 1
            periods.append(Period(4 + k, "OT", rng.randint(30, 1190) if final else 1200, 1200, 3600 + 1200 * k))
    else:
        length = rng.randint(8, 295) if outcome.last_period_type == "OT" else 300
        periods.append(Period(4, "OT", length, 300, 3600))
    if outcome.last_period_type == "SO":
        periods.append(Period(5, "SO", 0, 0, 3900))
    return periods


def _regulation_time(rng: random.Random, taken: set[int], latest_in_period: int = 1195, periods=(0, 1, 2)) -> int:
    while True:
        t = rng.choice(periods) * 1200 + rng.randint(5, latest_in_period)
        if t not in taken:
            taken.add(t)
            return t


def generate_game(game: ScheduledGame, seed: int = 0) -> GeneratedGame:
    rng = random.Random(f"game:{seed}:{game.id}")
    outcome = game.outcome
    away_roster = roster_for(game.start_year, game.away_slot, seed)
    home_roster = roster_for(game.start_year, game.home_slot, seed)
    away_starter = away_roster.goalies[outcome.away_starter]
    home_starter = home_roster.goalies[outcome.home_starter]
    periods = _periods(rng, game)
    played = [p for p in periods if p.type != "SO"]

    # 1. Goals and penalties (times), then the strength timeline they imply.
    ot_winner_home = (outcome.home_goals > outcome.away_goals) if outcome.last_period_type == "OT" else None
    taken: set[int] = set()
    scorers_home = ([False] * (outcome.away_goals - (ot_winner_home is False))
                    + [True] * (outcome.home_goals - (ot_winner_home is True)))
    rng.shuffle(scorers_home)
    goals = sorted((Goal(_regulation_time(rng, taken), home) for home in scorers_home), key=lambda g: g.time)
    if ot_winner_home is not None:
        goals.append(Goal(played[-1].offset + played[-1].length, ot_winner_home))
    penalties = []
    for home in (False, True):
        for _ in range(rng.choice((1, 2, 3, 3, 4, 4, 5, 6))):
            period_index = rng.choice((0, 1, 2))
            t = _regulation_time(rng, taken, 900 if period_index == 2 else 1180, (period_index,))
            penalties.append(Penalty(t, home, 5 if rng.random() < 0.04 else 2))
    penalties.sort(key=lambda p: p.time)
    pulls = goalie_pulls(goals, 3600, rng)
    timeline = build_timeline(played, goals, penalties, pulls, 5 if game.game_type == PLAYOFF else 3)

    # 2. Shifts: lines change on their cadence and after every goal.
    goal_times: dict[int, list[int]] = {}
    period_of = {}
    for goal in goals:
        period = next(p for p in played if p.offset <= goal.time <= p.offset + p.length and
                      (goal.time < p.offset + p.length or p is played[-1]))
        period_of[goal] = period
        goal_times.setdefault(period.number, []).append(goal.time - period.offset)
    away_dep = deploy(rng, away_roster, away_starter, played, timeline, False, goal_times)
    home_dep = deploy(rng, home_roster, home_starter, played, timeline, True, goal_times)

    builder = _PlayBuilder(rng, game, periods, timeline, {False: away_dep, True: home_dep},
                           {False: away_roster, True: home_roster}, {False: away_starter, True: home_starter})
    # 3. Plays, period by period.
    penalties_by_period: dict[int, list[Penalty]] = {}
    for penalty in penalties:
        period = next(p for p in played if p.offset <= penalty.time < p.offset + p.length)
        penalties_by_period.setdefault(period.number, []).append(penalty)
    for period in played:
        builder.period(period, [g for g in goals if period_of[g] is period],
                       penalties_by_period.get(period.number, []), period is played[-1] and ot_winner_home is not None)
    if outcome.last_period_type == "SO":
        builder.shootout(periods[-1], outcome.shootout_winner_home)
    builder.finish()

    tally = builder.tally
    shift_rows = _shift_rows(game, (away_dep, home_dep), (away_roster, home_roster), builder.goals, tally)
    return GeneratedGame(game, away_roster, home_roster, away_starter, home_starter, periods, builder.plays,
                         shift_rows, tally.skaters, tally.goalies, tally.sog[False], tally.sog[True], builder.goals)


class _PlayBuilder:
    def __init__(self, rng, game, periods, timeline, deployments, rosters, starters):
        self.rng = rng
        self.game = game
        self.periods = periods
        self.timeline = timeline
        self.dep: dict[bool, Deployment] = deployments
        self.rosters = rosters
        self.starters = starters
        self.team_id = {False: game.away.id, True: game.home.id}
        self.tally = _Tally((rosters[False], rosters[True]))
        self.raw: list[tuple] = []  # (period, t, order, kind, details, situation)
        self.goals: list[GoalRecord] = []
        self.plays: list[dict] = []
        first = rng.choice(("left", "right"))
        self.defending = {p.number: first if p.number % 2 else ("right" if first == "left" else "left")
                          for p in periods}
        self.clip_base = 6_300_000_000_000 + (game.id % 10_000_000) * 1000

    # -- geometry -------------------------------------------------------------------------------------------------
    def _attack_sign(self, period: int, home: bool) -> int:
        """+1 if ``home``'s team shoots at the net on the +x side in this period."""
        home_sign = 1 if self.defending[period] == "left" else -1
        return home_sign if home else -home_sign

    def _zone(self, period: int, home: bool, x: int) -> str:
        relative = x * self._attack_sign(period, home)
        return "O" if relative > 25 else "D" if relative < -25 else "N"

    def _spot(self, period: int, home: bool, near: int, far: int) -> tuple[int, int]:
        depth = self.rng.randint(near, far)
        spread = 41 if depth < 70 else 30  # close to the goal line the puck is nearer the middle
        return depth * self._attack_sign(period, home), self.rng.randint(-spread, spread)

    def _anywhere(self) -> tuple[int, int]:
        return self.rng.randint(-99, 99), self.rng.randint(-41, 42)

    # -- helpers --------------------------------------------------------------------------------------------------
    def _pick_skater(self, unit: tuple[Player, ...], shooter: bool = False) -> Player:
        if shooter:
            weighted = [p for p in unit if p.position != "D"] * 2 + [p for p in unit if p.position == "D"]
            return self.rng.choice(weighted)
        return self.rng.choice(unit)

    def _emit(self, period: Period, t: int, kind: str, situation: Situation, details: dict | None = None,
              extra: dict | None = None) -> None:
        self.raw.append((period, t, kind, situation, details, extra))

    # -- regulation / OT periods ----------------------------------------------------------------------------------
    def period(self, period: Period, goals: list[Goal], penalties: list[Penalty], ends_on_goal: bool) -> None:
        rng, length = self.rng, period.length
        scale = length / 1200
        schedule: list[tuple[int, int, str, object]] = [(0, _ORDER["period-start"], "period-start", None),
                                                         (0, _ORDER["faceoff"], "faceoff", "center")]
        for goal in goals:
            t = goal.time - period.offset
            schedule.append((t, _ORDER["goal"], "goal", goal))
            if not (ends_on_goal and goal is goals[-1]):
                schedule.append((t, _ORDER["faceoff"], "faceoff", "center"))
        for penalty in penalties:
            t = penalty.time - period.offset
            if rng.random() < 0.25 and t > 12:
                schedule.append((t - rng.randint(2, 10), _ORDER["play"], "delayed-penalty", penalty))
            schedule.append((t, _ORDER["penalty"], "penalty", penalty))
            schedule.append((t, _ORDER["faceoff"], "faceoff", "dot"))
        if length > 1:
            counts = {"hit": 16, "shot-on-goal": 15, "missed-shot": 10, "blocked-shot": 12, "giveaway": 9,
                      "takeaway": 4, "stoppage": 13}
            for kind, mean in counts.items():
                for _ in range(round(mean * scale * rng.uniform(0.7, 1.3))):
                    t = rng.randint(1, length - 1)
                    if kind == "stoppage":
                        schedule.append((t, _ORDER["stoppage"], "stoppage", None))
                        schedule.append((t, _ORDER["faceoff"], "faceoff", "dot"))
                    else:
                        schedule.append((t, _ORDER["play"], kind, None))
        schedule.append((length, _ORDER["period-end"], "period-end", None))
        schedule.sort(key=lambda item: (item[0], item[1]))
        tv_timeouts = set(rng.sample(range(len(schedule)), 3)) if len(schedule) > 10 else set()
        for index, (t, _, kind, item) in enumerate(schedule):
            getattr(self, "_" + kind.replace("-", "_"))(period, t, item, index in tv_timeouts)

    def _situation(self, period: Period, t: int, at: bool = False) -> Situation:
        return self.timeline.at(period.number, t) if at else self.timeline.before(period.number, t)

    def _period_start(self, period, t, item, _tv) -> None:
        self._emit(period, t, "period-start", self._situation(period, t, at=True))

    def _period_end(self, period, t, item, _tv) -> None:
        self._emit(period, t, "period-end", self._situation(period, t))

    def _faceoff(self, period, t, item, _tv) -> None:
        n = period.number
        units = {home: self.dep[home].skaters_at(n, t) for home in (False, True)}
        centres = {home: next((p for p in unit if p.position == "C"), unit[0]) for home, unit in units.items()}
        winner_home = self.rng.random() < 0.5
        x, y = (0, 0) if item == "center" else self.rng.choice(_FACEOFF_DOTS)
        self.tally.skaters[centres[winner_home].id].faceoffs_won += 1
        self.tally.skaters[centres[not winner_home].id].faceoffs_lost += 1
        self._emit(period, t, "faceoff", self._situation(period, t, at=True), {
            "eventOwnerTeamId": self.team_id[winner_home], "losingPlayerId": centres[not winner_home].id,
            "winningPlayerId": centres[winner_home].id, "xCoord": x, "yCoord": y,
            "zoneCode": self._zone(n, winner_home, x)})

    def _hit(self, period, t, item, _tv) -> None:
        home = self.rng.random() < 0.5
        hitter = self._pick_skater(self.dep[home].skaters_before(period.number, t))
        hittee = self._pick_skater(self.dep[not home].skaters_before(period.number, t))
        x, y = self._anywhere()
        self.tally.skaters[hitter.id].hits += 1
        self._emit(period, t, "hit", self._situation(period, t), {
            "xCoord": x, "yCoord": y, "zoneCode": self._zone(period.number, home, x),
            "eventOwnerTeamId": self.team_id[home], "hittingPlayerId": hitter.id, "hitteePlayerId": hittee.id})

    def _puck_battle(self, period, t, kind: str) -> None:
        home = self.rng.random() < 0.5
        player = self._pick_skater(self.dep[home].skaters_before(period.number, t))
        x, y = self._anywhere()
        line = self.tally.skaters[player.id]
        if kind == "giveaway":
            line.giveaways += 1
        else:
            line.takeaways += 1
        self._emit(period, t, kind, self._situation(period, t), {
            "xCoord": x, "yCoord": y, "zoneCode": self._zone(period.number, home, x),
            "eventOwnerTeamId": self.team_id[home], "playerId": player.id})

    def _giveaway(self, period, t, item, _tv) -> None:
        self._puck_battle(period, t, "giveaway")

    def _takeaway(self, period, t, item, _tv) -> None:
        self._puck_battle(period, t, "takeaway")

    def _shooting_side(self, situation: Situation) -> bool:
        # The side with more skaters (power play, extra attacker) shoots more.
        away_weight, home_weight = situation.away_skaters ** 2, situation.home_skaters ** 2
        return self.rng.random() * (away_weight + home_weight) < home_weight

    @staticmethod
    def _strength(situation: Situation, home: bool) -> str:
        mine, theirs = ((situation.home_base, situation.away_base) if home
                        else (situation.away_base, situation.home_base))
        return "pp" if mine > theirs else "sh" if mine < theirs else "ev"

    def _shot_on_goal(self, period, t, item, _tv) -> None:
        situation = self._situation(period, t)
        home = self._shooting_side(situation)
        goalie = self.dep[not home].goalie_before(period.number, t)
        if goalie is None:  # nobody to save it: an on-target shot at an empty net would be a goal
            self._missed_shot(period, t, home, _tv)
            return
        shooter = self._pick_skater(self.dep[home].skaters_before(period.number, t), shooter=True)
        x, y = self._spot(period.number, home, 35, 88)
        self.tally.sog[home] += 1
        self.tally.skaters[shooter.id].sog += 1
        self.tally.goalies[goalie.id].shots[self._strength(situation, home)] += 1
        self._emit(period, t, "shot-on-goal", situation, {
            "xCoord": x, "yCoord": y, "zoneCode": self._zone(period.number, home, x),
            "shotType": self.rng.choice(_SHOT_TYPES), "shootingPlayerId": shooter.id, "goalieInNetId": goalie.id,
            "eventOwnerTeamId": self.team_id[home], "awaySOG": self.tally.sog[False], "homeSOG": self.tally.sog[True]})

    def _missed_shot(self, period, t, item, _tv) -> None:
        situation = self._situation(period, t)
        home = item if isinstance(item, bool) else self._shooting_side(situation)
        goalie = self.dep[not home].goalie_before(period.number, t)
        shooter = self._pick_skater(self.dep[home].skaters_before(period.number, t), shooter=True)
        x, y = self._spot(period.number, home, 30, 88)
        details = {"xCoord": x, "yCoord": y, "zoneCode": self._zone(period.number, home, x),
                   "reason": self.rng.choice(_MISS_REASONS), "shotType": self.rng.choice(_SHOT_TYPES),
                   "shootingPlayerId": shooter.id}
        if goalie is not None:
            details["goalieInNetId"] = goalie.id
        details["eventOwnerTeamId"] = self.team_id[home]
        self._emit(period, t, "missed-shot", situation, details)

    def _blocked_shot(self, period, t, item, _tv) -> None:
        situation = self._situation(period, t)
        home = self._shooting_side(situation)
        shooter = self._pick_skater(self.dep[home].skaters_before(period.number, t), shooter=True)
        blocker = self._pick_skater(self.dep[not home].skaters_before(period.number, t))
        x, y = self._spot(period.number, home, 30, 80)
        self.tally.skaters[blocker.id].blocked_shots += 1
        # As in the real feed: the owner is the SHOOTING team, the zone is seen from the blocker's side.
        self._emit(period, t, "blocked-shot", situation, {
            "xCoord": x, "yCoord": y, "zoneCode": self._zone(period.number, not home, x),
            "blockingPlayerId": blocker.id, "shootingPlayerId": shooter.id, "eventOwnerTeamId": self.team_id[home],
            "reason": "blocked"})

    def _stoppage(self, period, t, item, tv_timeout) -> None:
        details = {"reason": self.rng.choice(_STOPPAGES)}
        if tv_timeout:
            details["secondaryReason"] = "tv-timeout"
        self._emit(period, t, "stoppage", self._situation(period, t), details)

    def _delayed_penalty(self, period, t, penalty: Penalty, _tv) -> None:
        self._emit(period, t, "delayed-penalty", self._situation(period, t),
                   {"eventOwnerTeamId": self.team_id[penalty.home]})

    def _penalty(self, period, t, penalty: Penalty, _tv) -> None:
        n, home = period.number, penalty.home
        offender = self._pick_skater(self.dep[home].skaters_before(n, t))
        drawn_by = self._pick_skater(self.dep[not home].skaters_before(n, t))
        x, y = self._anywhere()
        major = penalty.minutes == 5
        self.tally.skaters[offender.id].pim += penalty.minutes
        self._emit(period, t, "penalty", self._situation(period, t), {
            "xCoord": x, "yCoord": y, "zoneCode": self._zone(n, home, x), "typeCode": "MAJ" if major else "MIN",
            "descKey": self.rng.choice(_MAJORS if major else _MINORS), "duration": penalty.minutes,
            "committedByPlayerId": offender.id, "drawnByPlayerId": drawn_by.id,
            "eventOwnerTeamId": self.team_id[home]})

    def _goal(self, period, t, goal: Goal, _tv) -> None:
        n, home, rng = period.number, goal.home, self.rng
        situation = self._situation(period, t)
        unit = self.dep[home].skaters_before(n, t)
        opponents = self.dep[not home].skaters_before(n, t)
        goalie = self.dep[not home].goalie_before(n, t)
        scorer = self._pick_skater(unit, shooter=True)
        teammates = [p for p in unit if p is not scorer]
        assisters = rng.sample(teammates, min(len(teammates), rng.choice((2, 2, 2, 1, 1, 0))))
        strength = self._strength(situation, home)
        tally = self.tally
        tally.score[home] += 1
        tally.sog[home] += 1
        scorer_line = tally.skaters[scorer.id]
        scorer_line.goals += 1
        scorer_line.sog += 1
        scorer_line.power_play_goals += strength == "pp"
        tally.goals_by[scorer.id] = tally.goals_by.get(scorer.id, 0) + 1
        assists = []
        for player in assisters:
            tally.skaters[player.id].assists += 1
            tally.assists_by[player.id] = tally.assists_by.get(player.id, 0) + 1
            assists.append((player, tally.assists_by[player.id]))
        if strength != "pp":  # plus/minus: every goal except power-play goals, skaters only
            for player in unit:
                tally.skaters[player.id].plus_minus += 1
            for player in opponents:
                tally.skaters[player.id].plus_minus -= 1
        if goalie is not None:
            tally.goalies[goalie.id].shots[strength] += 1
            tally.goalies[goalie.id].goals[strength] += 1
        x, y = self._spot(n, home, 60, 88)
        clip = self.clip_base + len(self.goals) * 7 + 1
        details = {"xCoord": x, "yCoord": y, "zoneCode": self._zone(n, home, x), "shotType": rng.choice(_SHOT_TYPES),
                   "scoringPlayerId": scorer.id, "scoringPlayerTotal": tally.goals_by[scorer.id]}
        for number, (player, total) in enumerate(assists, start=1):
            details[f"assist{number}PlayerId"] = player.id
            details[f"assist{number}PlayerTotal"] = total
        details["eventOwnerTeamId"] = self.team_id[home]
        if goalie is not None:
            details["goalieInNetId"] = goalie.id
        details.update({"awayScore": tally.score[False], "homeScore": tally.score[True]})
        details.update(self._clip_keys(scorer, clip))
        record = GoalRecord(0, period, t, home, scorer, tally.goals_by[scorer.id], tuple(assists), strength,
                            goalie is None, tally.score[False], tally.score[True], False, clip)
        self._emit(period, t, "goal", situation, details, {"goal": record})

    def _clip_keys(self, scorer: Player, clip: int) -> dict:
        slug = f"{scorer.first_name}-{scorer.last_name}".lower().replace(" ", "-")
        keys = {"highlightClipSharingUrl": f"https://nhl.com/video/{slug}-scores-{clip}", "highlightClip": clip,
                "discreteClip": clip + 1}
        if self.game.start_year >= 2025:  # French clip variants appear in the 2025-26 feed
            keys.update({"highlightClipSharingUrlFr": f"https://nhl.com/fr/video/{slug}-marque-{clip + 2}",
                         "highlightClipFr": clip + 2, "discreteClipFr": clip + 3})
        return keys

    # -- shootout -------------------------------------------------------------------------------------------------
    def shootout(self, period: Period, home_wins: bool) -> None:
        rng = self.rng
        attempts, home_won = _draw_shootout(rng)
        while home_won != home_wins:  # redraw until the predetermined side wins (same rng stream: deterministic)
            attempts, home_won = _draw_shootout(rng)
        shooters = {home: [p for p in self.rosters[home].forwards] + list(self.rosters[home].defense)
                    for home in (False, True)}
        used = {False: 0, True: 0}
        score = (self.tally.score[False], self.tally.score[True])
        self._emit(period, 0, "period-start", Situation(1, 0, 1, 0, 0, 0))
        for home, scored in attempts:
            shooter = shooters[home][used[home] % len(shooters[home])]
            used[home] += 1
            goalie = self.starters[not home]
            situation = Situation(1, 0, 1, 0, 0, 0) if home else Situation(0, 1, 0, 1, 0, 0)
            x, y = self._spot(period.number, home, 68, 84)
            base = {"xCoord": x, "yCoord": y, "zoneCode": "O", "shotType": rng.choice(("wrist", "wrist", "backhand",
                                                                                         "snap"))}
            if scored:
                details = {**base, "scoringPlayerId": shooter.id, "eventOwnerTeamId": self.team_id[home],
                           "goalieInNetId": goalie.id, "awayScore": score[0], "homeScore": score[1]}
                record = GoalRecord(0, period, 0, home, shooter, 0, (), "ev", False, score[0], score[1], True, 0)
                self._emit(period, 0, "goal", situation, details, {"goal": record})
            elif rng.random() < 0.6:
                self._emit(period, 0, "shot-on-goal", situation, {
                    **base, "shootingPlayerId": shooter.id, "goalieInNetId": goalie.id,
                    "eventOwnerTeamId": self.team_id[home], "awaySOG": self.tally.sog[False],
                    "homeSOG": self.tally.sog[True]})
            else:
                self._emit(period, 0, "missed-shot", situation, {
                    **base, "reason": rng.choice(("wide-left", "wide-right", "over-net", "hit-left-post")),
                    "shootingPlayerId": shooter.id, "goalieInNetId": goalie.id,
                    "eventOwnerTeamId": self.team_id[home]})
        last = self.raw[-1][3]
        self._emit(period, 0, "shootout-complete", last)
        self._emit(period, 0, "period-end", last)

    # -- assembly -------------------------------------------------------------------------------------------------
    def finish(self) -> None:
        period, t, _, situation, _, _ = self.raw[-1]
        self._emit(period, t, "game-end", situation)
        rng = self.rng
        event_ids = rng.sample(range(1, 4 * len(self.raw) + 50), len(self.raw))
        sort_order = 7
        descriptors = {p.number: {"number": p.number, "periodType": p.type, "maxRegulationPeriods": 3}
                       for p in self.periods}
        season, game_id = self.game.season, self.game.id
        for event_id, (period, t, kind, situation, details, extra) in zip(event_ids, self.raw, strict=True):
            sort_order += rng.randint(1, 4)
            remaining = 0 if period.type == "SO" else period.full_length - t
            play = {"eventId": event_id, "periodDescriptor": descriptors[period.number],
                    "timeInPeriod": mmss(t), "timeRemaining": mmss(remaining), "situationCode": situation.code,
                    "homeTeamDefendingSide": self.defending[period.number], "typeCode": _TYPE_CODES[kind],
                    "typeDescKey": kind, "sortOrder": sort_order}
            if details is not None:
                play["details"] = details
            if kind == "goal":
                play["pptReplayUrl"] = f"https://wsr.nhle.com/sprites/{season}/{game_id}/ev{event_id}.json"
                self.goals.append(replace(extra["goal"], event_id=event_id))
            self.plays.append(play)


def _draw_shootout(rng: random.Random) -> tuple[list[tuple[bool, bool]], bool]:
    """(home shooter?, scored?) attempts, home first, three rounds then sudden death; stops once decided."""
    attempts: list[tuple[bool, bool]] = []
    made = {False: 0, True: 0}
    taken = {False: 0, True: 0}
    while True:
        for home in (True, False):
            scored = rng.random() < 0.33
            attempts.append((home, scored))
            made[home] += scored
            taken[home] += 1
            rounds = max(3, *taken.values())
            left = {side: rounds - taken[side] for side in (False, True)}
            if made[True] > made[False] + left[False] or made[False] > made[True] + left[True]:
                return attempts, made[True] > made[False]


def _shift_rows(game: ScheduledGame, deployments: tuple[Deployment, Deployment], rosters: tuple[Roster, Roster],
                goals: list[GoalRecord], tally: _Tally) -> list[dict]:
    """Shift chart rows: per player, shifts in time order then that player's goal markers (as the real feed)."""
    number = game.id % 10_000
    if game.start_year >= 2023:
        first_id = 10_000_000 + ((game.start_year - 2023) * 3 + game.game_type - 1) * 2_000_000 + number * 1000
    else:  # older seasons above the newer ones' range (which ends below 40 M)
        first_id = 100_000_000 + ((game.start_year - 2010) * 3 + game.game_type - 1) * 2_000_000 + number * 1000
    by_player: dict[int, list] = {}
    for deployment in deployments:
        for shift in deployment.shifts:
            by_player.setdefault(shift.player.id, []).append(shift)
    chronological = sorted((s.period, s.start, s.player.id) for d in deployments for s in d.shifts)
    event_number = {key: 100 + index for index, key in enumerate(chronological)}
    rows: list[dict] = []
    markers: list[dict] = []
    for team_index, roster in enumerate(rosters):
        team = roster.team
        team_name = team.full_name
        for player in sorted(roster.everyone, key=lambda p: (p.last_name, p.id)):
            shifts = sorted(by_player.get(player.id, ()), key=lambda s: (s.period, s.start))
            line = tally.skaters.get(player.id) or tally.goalies[player.id]
            line.toi = sum(s.end - s.start for s in shifts)
            if player.id in tally.skaters:
                tally.skaters[player.id].shifts = len(shifts)
            for shift_number, shift in enumerate(shifts, start=1):
                rows.append({
                    "id": 0, "detailCode": 0, "duration": mmss(shift.end - shift.start), "endTime": mmss(shift.end),
                    "eventDescription": None, "eventDetails": None,
                    "eventNumber": event_number[(shift.period, shift.start, player.id)],
                    "firstName": player.first_name, "gameId": game.id, "hexValue": team.hex_value,
                    "lastName": player.last_name, "period": shift.period, "playerId": player.id,
                    "shiftNumber": shift_number, "startTime": mmss(shift.start), "teamAbbrev": team.abbrev,
                    "teamId": team.id, "teamName": team_name, "typeCode": 517})
            for goal in goals:
                if goal.scorer.id != player.id or goal.home != bool(team_index):
                    continue
                description = ("Shootout" if goal.shootout else "EN" if goal.empty_net
                               else {"ev": "EVG", "pp": "PPG", "sh": "SHG"}[goal.strength])
                marker = {
                    "id": 0, "detailCode": 806 if goal.empty_net else 803, "duration": None,
                    "endTime": mmss(goal.time), "eventDescription": description,
                    "eventDetails": ", ".join(p.full_name for p, _ in goal.assists), "eventNumber": goal.event_id,
                    "firstName": player.first_name, "gameId": game.id, "hexValue": team.hex_value,
                    "lastName": player.last_name, "period": goal.period.number, "playerId": player.id,
                    "shiftNumber": 0, "startTime": mmss(goal.time), "teamAbbrev": team.abbrev, "teamId": team.id,
                    "teamName": team_name, "typeCode": 505}
                rows.append(marker)
                markers.append(marker)
    # Ids: shifts first, goal markers numbered after them (the real feed adds markers last).
    next_id = first_id
    for row in rows:
        if row["typeCode"] == 517:
            row["id"] = next_id
            next_id += 1
    for marker in markers:
        marker["id"] = next_id
        next_id += 1
    return rows
