"""Games parsed per second by ``nhl_bronze.stats`` on one core.

    python benchmarks/bench_parser.py                 # real games, then ~200 simulated regular-season games
    python benchmarks/bench_parser.py --repeat 50 --max-games 300 --batch-size 50
    python benchmarks/bench_parser.py --no-simulated  # real games only
    python benchmarks/bench_parser.py --against /path/to/other/checkout --pairs 5  # alternated A/B pairs

Two numbers matter: batched (``pipeline.parse.parse_games`` on chunks of ``--batch-size`` games from their JSON
bytes, exactly what a staging parse worker does with a chunk: decoding, statistics, boxscore parity) and
single-game (``compute_game_frames``, a batch of one, which pays the polars plan overhead for every game).
The simulated bodies are generated beforehand (fetching is the API client's); their decoding is timed, as it
happens in the parse worker. POLARS_MAX_THREADS=1 is set before polars is imported, so the number is a
one-core number. Wall time is reported next to process
CPU time: on a machine shared with other work the CPU number is the steadier of the two.

The batched number is printed beside its floor: decoding the same bodies (play-by-play, boxscore, shift chart)
with ``orjson``, in the same process, each round alternating floor and parse, so the ratio parse/floor (the
target of issue 23: <= 2.0) compares runs made under the same load. ``--against DIR`` measures another
checkout (e.g. the commit before a change, from ``git archive``) in alternated pairs of processes, this
checkout then the other, and prints each side's ratio per pair: the before/after figure of a change.
"""

from __future__ import annotations

import os

os.environ["POLARS_MAX_THREADS"] = "1"  # must precede the first polars import

import argparse
import datetime
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# ``--code DIR``: import the parser from another checkout (the A/B mode runs this script once per side)
CODE_ROOT = Path(sys.argv[sys.argv.index("--code") + 1]).resolve() if "--code" in sys.argv[:-1] else REPO_ROOT
sys.path.insert(0, str(CODE_ROOT))

import orjson  # noqa: E402
import polars as pl  # noqa: E402

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


def decode_floor(games: list[FetchedGame]) -> None:
    """The floor: every body of the stretch decoded once with orjson (nothing kept)."""
    for game in games:
        for body in (game.play_by_play, game.boxscore, game.shift_chart):
            if body is not None:
                orjson.loads(body)


def time_stretch(games: list[FetchedGame], rounds: int, batch_size: int) -> dict[str, float]:
    """Parse the whole stretch with parse_games per chunk of ``batch_size``, each round right after its floor.

    Median wall and CPU seconds of the parse, median CPU seconds of the floor, median of the per-round ratios,
    and the ratio of the fastest parse to the fastest floor (on a loaded machine the steadiest of them: load
    slows the memory-bound decoding more than the parse, which flatters the per-round ratios).
    """
    parse_games(games[:5])  # warm-up (lazy imports, polars caches)
    decode_floor(games[:5])
    chunks = [games[i:i + batch_size] for i in range(0, len(games), batch_size)]
    walls, cpus, floors = [], [], []
    for _ in range(rounds):
        _, c0 = _clocks()
        decode_floor(games)
        w1, c1 = _clocks()
        for chunk in chunks:
            parsed = parse_games(chunk)
            assert not parsed.failures, parsed.failures[:1]
        w2, c2 = _clocks()
        floors.append(c1 - c0)
        walls.append(w2 - w1)
        cpus.append(c2 - c1)
    return dict(wall=statistics.median(walls), cpu=statistics.median(cpus), floor=statistics.median(floors),
                   ratio=statistics.median(c / f for c, f in zip(cpus, floors, strict=True)), games=len(games),
                   best_cpu=min(cpus), best_floor=min(floors), best_ratio=min(cpus) / min(floors))


def print_stretch(stretch: dict[str, float], batch_size: int) -> None:
    n, wall, cpu, floor = stretch["games"], stretch["wall"], stretch["cpu"], stretch["floor"]
    print(f"parse_games x{batch_size:<4d} {wall:6.2f} s -> {n / wall:6.1f} games/s   "
          f"(cpu {cpu:6.2f} s -> {n / cpu:6.1f} games/s, {cpu / n * 1000:5.2f} ms/game)")
    print(f"floor: orjson  {floor:6.2f} s cpu  ({floor / n * 1000:5.2f} ms/game: every body decoded once)")
    print(f"parse/floor    {stretch['ratio']:6.2f}   (median of the per-round ratios; target <= 2.0)")
    best_cpu, best_floor = stretch["best_cpu"] / n * 1000, stretch["best_floor"] / n * 1000
    print(f"best/best      {stretch['best_ratio']:6.2f}   (fastest parse {best_cpu:5.2f} ms/game, "
          f"fastest floor {best_floor:5.2f} ms/game)")


def compare(other: Path, pairs: int, argv: list[str]) -> int:
    """Alternated pairs of processes, this checkout (B) then ``other`` (A): each side's parse/floor per pair."""
    at = argv.index("--against")
    passed = argv[:at] + argv[at + 2:]
    rows = []
    for pair in range(pairs):
        ratios = {}
        for side, code in (("B", REPO_ROOT), ("A", other)):
            out = subprocess.run([sys.executable, __file__, *passed, "--stretch-json", "--code", str(code)],
                                 check=True, capture_output=True, text=True).stdout
            ratios[side] = json.loads(out.strip().splitlines()[-1])
        rows.append(ratios)
        b, a = ratios["B"], ratios["A"]
        print(f"pair {pair + 1}: B {b['ratio']:.2f} (best {b['best_ratio']:.2f}, {b['cpu'] / b['games'] * 1000:.2f} "
              f"ms/game)   A {a['ratio']:.2f} (best {a['best_ratio']:.2f}, {a['cpu'] / a['games'] * 1000:.2f} ms/game)"
              f"   B/A {b['ratio'] / a['ratio']:.3f}", flush=True)
    for key, label in (("ratio", "parse/floor"), ("best_ratio", "best/best")):
        b = statistics.median(r["B"][key] for r in rows)
        a = statistics.median(r["A"][key] for r in rows)
        print(f"median {label}: B (this checkout) {b:.2f}, A ({other}) {a:.2f}; "
              f"median of the pairs' B/A {statistics.median(r['B'][key] / r['A'][key] for r in rows):.3f}")
    return 0


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
    parser.add_argument("--against", type=Path, help="another checkout: alternated A/B pairs of the simulated stretch")
    parser.add_argument("--pairs", type=int, default=5, help="pairs of processes with --against (default 5)")
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)  # read before the imports, above
    parser.add_argument("--stretch-json", action="store_true", help=argparse.SUPPRESS)  # one side of a pair
    args = parser.parse_args(argv)

    if args.against is not None:
        return compare(args.against.resolve(), args.pairs, sys.argv[1:] if argv is None else argv)
    if args.stretch_json:
        games = simulated_season(args.max_games)
        print(json.dumps(time_stretch(games, args.rounds, args.batch_size)))
        return 0
    print_machine()
    print_table(f"real recorded games one by one (compute_game_frames), median of {args.repeat} runs",
                time_games(real_games(), args.repeat))
    if args.no_simulated:
        return 0
    games = simulated_season(args.max_games)
    if games:
        n = len(games)
        print(f"\nsimulated regular season: {n} games from JSON bytes, median of {args.rounds}")
        print_stretch(time_stretch(games, args.rounds, args.batch_size), args.batch_size)
    elif games is not None:
        print("\nsimulated season: the simulator returned no finished games")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
