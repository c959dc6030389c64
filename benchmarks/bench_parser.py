"""Games parsed per second by ``nhl_bronze.stats`` on one core.

    python benchmarks/bench_parser.py                 # the recorded real games, each repeated N times
    python benchmarks/bench_parser.py --repeat 50
    python benchmarks/bench_parser.py --simulated-season [--max-games 300]   # needs the synthetic simulator

Only ``compute_game_frames`` is timed: the JSON bodies are decoded beforehand (fetching and decoding
belong to the API client). POLARS_MAX_THREADS=1 is set before polars is imported, so the number is a
one-core number.
"""

from __future__ import annotations

import os

os.environ["POLARS_MAX_THREADS"] = "1"  # must precede the first polars import

import argparse
import datetime
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import polars as pl

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(REPO_ROOT))

from nhl_bronze.stats import GameInput, compute_game_frames, is_countable_game  # noqa: E402

SAMPLES = REPO_ROOT / "nhl_bronze_tests" / "data" / "nhl_api_samples"
REAL_GAMES = {
    2024020001: "regulation, empty net",
    2024020009: "overtime",
    2024020022: "shootout",
    2025030123: "playoff OT, no shift chart",
}


def _json(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def real_games() -> list[tuple[str, GameInput]]:
    week = _json("schedule_2024-10-09.json")
    scheduled = {g["id"]: g for day in week["gameWeek"] for g in day["games"]}
    games = []
    for game_id, label in REAL_GAMES.items():
        box = _json(f"boxscore_{game_id}.json")
        entry = scheduled.get(game_id) or {
            "id": box["id"], "season": box["season"], "gameType": box["gameType"], "gameState": box["gameState"],
            "awayTeam": {"abbrev": box["awayTeam"]["abbrev"]}, "homeTeam": {"abbrev": box["homeTeam"]["abbrev"]},
        }
        shift_file = SAMPLES / f"shiftcharts_{game_id}.json"
        games.append((
            f"{game_id} ({label})",
            GameInput(
                game_date=datetime.date.fromisoformat(box["gameDate"]),
                schedule_game=entry,
                play_by_play=_json(f"play-by-play_{game_id}.json"),
                boxscore=box,
                shift_chart=_json(shift_file.name) if shift_file.exists() else None,
            ),
        ))
    return games


def simulated_season(max_games: int) -> list[tuple[str, GameInput]] | None:
    """Finished games of a synthetic season, or None when the simulator is not available yet."""
    try:
        from nhl_bronze.simulator.synthetic import SyntheticNhl
    except ImportError as exc:
        print(f"--simulated-season skipped: synthetic simulator not importable ({exc})")
        return None
    nhl = SyntheticNhl(today=datetime.date(2025, 6, 30), seed=0)

    def get(path: str, query: dict[str, str] | None = None) -> dict | None:
        response = nhl.handle("GET", path, query or {})
        return json.loads(response.body) if response.status == 200 else None

    games: list[tuple[str, GameInput]] = []
    day = datetime.date(2024, 10, 1)
    while day < datetime.date(2025, 6, 30) and len(games) < max_games:
        week = get(f"/v1/schedule/{day.isoformat()}") or {}
        for week_day in week.get("gameWeek", []):
            for entry in week_day.get("games", []):
                if len(games) >= max_games or not is_countable_game(entry):
                    continue
                game_id = entry["id"]
                pbp = get(f"/v1/gamecenter/{game_id}/play-by-play")
                box = get(f"/v1/gamecenter/{game_id}/boxscore")
                shifts = get("/stats/rest/en/shiftcharts", {"cayenneExp": f"gameId={game_id}"})
                if pbp is None or box is None:
                    continue
                game = GameInput(datetime.date.fromisoformat(week_day["date"]), entry, pbp, box, shifts)
                games.append((f"{game_id} (simulated)", game))
        day += datetime.timedelta(days=7)
    return games


def time_games(games: list[tuple[str, GameInput]], repeat: int) -> list[tuple[str, float]]:
    """Median seconds per call for each game over ``repeat`` runs (after one warm-up run)."""
    results = []
    for label, game in games:
        compute_game_frames(game)  # warm-up (lazy imports, polars caches)
        samples = []
        for _ in range(repeat):
            start = time.perf_counter()
            compute_game_frames(game)
            samples.append(time.perf_counter() - start)
        results.append((label, statistics.median(samples)))
    return results


def print_machine() -> None:
    print(f"machine : {platform.platform()} | {platform.machine()} | {platform.processor() or '?'}")
    print(f"cpus    : {os.cpu_count()} (benchmark pinned to POLARS_MAX_THREADS={os.environ['POLARS_MAX_THREADS']},"
          f" polars thread pool = {pl.thread_pool_size()})")
    print(f"python  : {sys.version.split()[0]} | polars {pl.__version__}")


def print_table(title: str, rows: list[tuple[str, float]]) -> None:
    width = max(len(label) for label, _ in rows)
    print(f"\n{title}")
    print(f"{'game'.ljust(width)}  {'ms/game':>8}  {'games/s':>8}")
    for label, seconds in rows:
        print(f"{label.ljust(width)}  {seconds * 1000:8.2f}  {1 / seconds:8.1f}")
    mean = sum(s for _, s in rows) / len(rows)
    print(f"{'overall (mean time)'.ljust(width)}  {mean * 1000:8.2f}  {1 / mean:8.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per game (default 20)")
    parser.add_argument("--simulated-season", action="store_true", help="also time a synthetic season")
    parser.add_argument("--max-games", type=int, default=200, help="games of the simulated season to time")
    args = parser.parse_args(argv)

    print_machine()
    print_table(f"real recorded games, median of {args.repeat} runs", time_games(real_games(), args.repeat))
    if args.simulated_season:
        games = simulated_season(args.max_games)
        if games:
            start = time.perf_counter()
            for _, game in games:
                compute_game_frames(game)
            elapsed = time.perf_counter() - start
            print(f"\nsimulated season: {len(games)} games in {elapsed:.2f} s -> {len(games) / elapsed:.1f} games/s")
        elif games is not None:
            print("--simulated-season: the simulator returned no finished games")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
