"""Games parsed per second by ``nhl_bronze.stats`` on one core.

    python benchmarks/bench_parser.py                 # real games, then ~200 simulated regular-season games
    python benchmarks/bench_parser.py --repeat 50 --max-games 300 --batch-size 50
    python benchmarks/bench_parser.py --no-simulated  # real games only

Two numbers matter: batched (``pipeline.parse.parse_games`` on chunks of ``--batch-size`` games from their JSON
bytes, exactly what a staging parse worker does with a chunk: decoding, statistics, boxscore parity) and
single-game (``compute_game_frames``, a batch of one, which pays the polars plan overhead for every game).
The simulated bodies are generated beforehand (fetching is the API client's); their decoding is timed, as it
happens in the parse worker. POLARS_MAX_THREADS=1 is set before polars is imported, so the number is a
one-core number. Wall time is reported next to process
CPU time: on a machine shared with other work the CPU number is the steadier of the two.
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

from nhl_bronze.client.window import FetchedGame  # noqa: E402
from nhl_bronze.pipeline.parse import parse_games  # noqa: E402
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


def simulated_season(max_games: int) -> list[FetchedGame] | None:
    """Finished regular-season games of a synthetic season as fetched (JSON bytes), or None without simulator.

    Every body is produced through the in-process backend (``SyntheticNhl.handle``, as the HTTP layer
    would) before any timing starts.
    """
    try:
        from nhl_bronze.simulator.synthetic import SyntheticNhl
    except ImportError as exc:
        print(f"\nsimulated season skipped: synthetic simulator not importable ({exc})")
        return None
    nhl = SyntheticNhl(today=datetime.date(2025, 6, 30), seed=0)

    def body(path: str, query: dict[str, str] | None = None) -> bytes | None:
        response = nhl.handle("GET", path, query or {})
        return response.body if response.status == 200 else None

    raw: list[tuple[str, dict, bytes | None, bytes | None, bytes | None]] = []
    day = datetime.date(2024, 10, 1)
    while day < datetime.date(2025, 6, 30) and len(raw) < max_games:
        week = json.loads(body(f"/v1/schedule/{day.isoformat()}") or b"{}")
        for week_day in week.get("gameWeek", []):
            for entry in week_day.get("games", []):
                if len(raw) >= max_games or entry.get("gameType") != 2 or not is_countable_game(entry):
                    continue
                game_id = entry["id"]
                raw.append((
                    week_day["date"], entry,
                    body(f"/v1/gamecenter/{game_id}/play-by-play"),
                    body(f"/v1/gamecenter/{game_id}/boxscore"),
                    body("/stats/rest/en/shiftcharts", {"cayenneExp": f"gameId={game_id}"}),
                ))
        day += datetime.timedelta(days=7)
    return [
        FetchedGame(datetime.date.fromisoformat(date), entry, pbp, box, shifts, "ok" if shifts else "not_published")
        for date, entry, pbp, box, shifts in raw
        if pbp is not None and box is not None
    ]


def _clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def time_games(games: list[tuple[str, GameInput]], repeat: int) -> list[tuple[str, float, float]]:
    """Median wall and CPU seconds per call for each game over ``repeat`` runs (after one warm-up run)."""
    results = []
    for label, game in games:
        compute_game_frames(game)  # warm-up (lazy imports, polars caches)
        wall, cpu = [], []
        for _ in range(repeat):
            w0, c0 = _clocks()
            compute_game_frames(game)
            w1, c1 = _clocks()
            wall.append(w1 - w0)
            cpu.append(c1 - c0)
        results.append((label, statistics.median(wall), statistics.median(cpu)))
    return results


def time_stretch(games: list[FetchedGame], rounds: int, batch_size: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds to parse the whole stretch with parse_games per chunk of ``batch_size``."""
    parse_games(games[:5])  # warm-up (lazy imports, polars caches)
    chunks = [games[i:i + batch_size] for i in range(0, len(games), batch_size)]
    runs: list[tuple[float, float]] = []
    for _ in range(rounds):
        w0, c0 = _clocks()
        for chunk in chunks:
            parsed = parse_games(chunk)
            assert not parsed.failures, parsed.failures[:1]
        w1, c1 = _clocks()
        runs.append((w1 - w0, c1 - c0))
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def print_machine() -> None:
    print(f"machine : {platform.platform()} | {platform.machine()} | {platform.processor() or '?'}")
    print(f"cpus    : {os.cpu_count()} (benchmark pinned to POLARS_MAX_THREADS={os.environ['POLARS_MAX_THREADS']},"
          f" polars thread pool = {pl.thread_pool_size()})")
    print(f"python  : {sys.version.split()[0]} | polars {pl.__version__}")


def print_table(title: str, rows: list[tuple[str, float, float]]) -> None:
    width = max(len(label) for label, _, _ in rows)
    print(f"\n{title}")
    print(f"{'game'.ljust(width)}  {'ms/game':>8}  {'games/s':>8}  {'cpu ms':>8}  {'cpu g/s':>8}")
    mean_wall = sum(w for _, w, _ in rows) / len(rows)
    mean_cpu = sum(c for _, _, c in rows) / len(rows)
    for label, wall, cpu in [*rows, ("overall (mean time)", mean_wall, mean_cpu)]:
        print(f"{label.ljust(width)}  {wall * 1000:8.2f}  {1 / wall:8.1f}  {cpu * 1000:8.2f}  {1 / cpu:8.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per real game (default 20)")
    parser.add_argument("--no-simulated", action="store_true", help="skip the simulated stretch")
    parser.add_argument("--simulated-season", action="store_true", help=argparse.SUPPRESS)  # the default now
    parser.add_argument("--max-games", type=int, default=200, help="simulated regular-season games (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the simulated stretch (default 3)")
    parser.add_argument("--batch-size", type=int, default=100, help="games per compute_batch call (default 100)")
    args = parser.parse_args(argv)

    print_machine()
    print_table(f"real recorded games one by one (compute_game_frames), median of {args.repeat} runs",
                time_games(real_games(), args.repeat))
    if args.no_simulated:
        return 0
    games = simulated_season(args.max_games)
    if games:
        n = len(games)
        print(f"\nsimulated regular season: {n} games from JSON bytes, median of {args.rounds}")
        wall, cpu = time_stretch(games, args.rounds, args.batch_size)
        print(f"parse_games x{args.batch_size:<4d} {wall:6.2f} s -> {n / wall:6.1f} games/s   "
              f"(cpu {cpu:6.2f} s -> {n / cpu:6.1f} games/s)")
    elif games is not None:
        print("\nsimulated season: the simulator returned no finished games")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
