"""Benchmark 1: a full backfill through Dagster against the simulator on loopback.

    python benchmarks/bench_backfill.py                                # 2023-10-01..2026-06-30, 10 req/s, 8 in flight
    python benchmarks/bench_backfill.py --rate-limit 0 --in-flight 32  # no politeness: where our code is the bound
    python benchmarks/bench_backfill.py --start 2024-10-08 --end 2024-10-09 --data-dir /tmp/x   # quick run
    python benchmarks/bench_backfill.py ... --profile /tmp/backfill.prof   # + cProfile of the pipeline process

The simulator (synthetic league, ``--latency-ms`` per request) runs in a separate process
(``benchmarks/_simulator_process.py``), so only the pipeline's own work is in this process's CPU and memory.
It serves answers rendered once into ``--sim-cache-dir`` and renders the range's answers before the clock starts
(the first run on a machine pays that once, outside the timings): otherwise generating games would eat the same
cores the pipeline is measured on. ``--no-sim-cache`` renders every answer per request, as before. The cache of
the full default range takes ~1.9 GB of disk and ~90 s of one core to fill (keyed by simulated today, seed and
the simulator's source, so a new ``--today`` or a changed simulator renders again).
Peak memory is reported per phase (staging, history, derived) from RSS samples, for this process and for its
child processes (the parse workers).
``bronze_job`` (staging -> history -> derived) runs in-process, in-process executor, one run over the whole range
(partition-range tags), with ``NhlApiResource`` pointed at the loopback server: the path a Dagster backfill takes.

Lower bound of the fetch: ``max(calls / rate_limit, calls * latency / in_flight)`` (the second term alone when
the rate limit is off). The ratio printed is wall time / lower bound.
"""

from __future__ import annotations

import argparse
import cProfile
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    DEFAULT_WORK_DIR,
    RssSampler,
    add_instance_option,
    add_instance_settings_options,
    apply_instance_settings,
    bench_instance,
    dir_size_mb,
    fmt_s,
    instance_description,
    load_average,
    machine_report,
    peak_rss_mb,
    print_table,
    profile_summary,
    quiet_dagster,
    run_bronze_job,
    simulator_process,
    table_rows,
)

STAGING = "bronze_player_game_stats_v2_staging"
SCHEDULE = "bronze_schedule_2023_v2"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2023, 10, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 6, 30), help="inclusive")
    parser.add_argument("--rate-limit", type=float, default=10.0, help="request starts/s; 0 = unlimited")
    parser.add_argument("--in-flight", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=50.0, help="injected per-request latency")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="fresh table root (deleted first); default /tmp/nhl_bench/backfill_<rate>_<inflight>")
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="simulated today (default: the day after --end, so every game is final)")
    parser.add_argument("--profile", type=Path, default=None, help="write cProfile stats here and print a summary")
    parser.add_argument("--fetch-only", action="store_true",
                        help="diagnostic: only the API client (session.fetch_window per 7-day chunk, no Dagster, "
                        "no parsing, no raw landing), to separate the client's own rate from the pipeline's")
    parser.add_argument("--drop-game-cache", action="store_true",
                        help="with --fetch-only: empty the session's per-game body cache after each chunk, to "
                        "measure how much of the peak memory that cache holds")
    parser.add_argument("--sim-cache-dir", type=Path, default=DEFAULT_WORK_DIR / "simulator_cache",
                        help="where the simulator keeps answers rendered once (kept between runs)")
    parser.add_argument("--no-sim-cache", action="store_true",
                        help="the simulator renders every answer per request (its CPU then competes with the run)")
    parser.add_argument("--rss-log", type=Path, default=None,
                        help="write the RSS samples (unix time, pipeline MB, child processes MB) as CSV here")
    add_instance_settings_options(parser)
    add_instance_option(parser)
    args = parser.parse_args(argv)
    if args.fetch_only:
        return fetch_only(args)

    today = args.today or args.end + timedelta(days=1)
    data_dir = args.data_dir or DEFAULT_WORK_DIR / f"backfill_r{args.rate_limit:g}_f{args.in_flight}"
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)

    instance_settings = apply_instance_settings(args)
    quiet_dagster()
    from nhl_bronze.automation.jobs import partition_range_tags
    from nhl_bronze.resources.clock import ClockResource
    from nhl_bronze.resources.lakehouse import LakehouseResource
    from nhl_bronze.resources.nhl_api import NhlApiResource

    print(machine_report())
    print(f"range   : {args.start} .. {args.end} ({(args.end - args.start).days + 1} dates), simulated today {today}")
    print(f"settings: rate limit {args.rate_limit:g}/s, in flight {args.in_flight}, latency {args.latency_ms:g} ms, "
          f"data dir {data_dir}")
    load_before = load_average()

    with simulator_process(today.isoformat(), args.latency_ms, **sim_cache_options(args)) as sim, \
            RssSampler() as rss:
        resources = {
            "nhl_api": NhlApiResource(web_api_url=sim.web_api_url, stats_api_url=sim.stats_api_url,
                                      max_in_flight=args.in_flight, rate_limit=args.rate_limit),
            "lakehouse": LakehouseResource(data_dir=str(data_dir)), "clock": ClockResource(today=today.isoformat()),
        }
        tags = partition_range_tags(args.start.isoformat(), args.end.isoformat())
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        with bench_instance(args.instance) as instance:
            run = run_bronze_job(tags, resources, instance=instance)
        if profiler:
            profiler.disable()
    peak_mb = peak_rss_mb()
    load_after = load_average()

    staging_calls = int(run.value(STAGING, "api_calls"))
    schedule_calls = int(run.value("bronze_schedule_raw", "api_calls"))
    calls = staging_calls + schedule_calls
    games = int(run.value(STAGING, "games_fetched"))
    retries = int(run.value(STAGING, "api_retries"))
    latency = args.latency_ms / 1000
    latency_bound = calls * latency / max(1, args.in_flight)
    rate_bound = calls / args.rate_limit if args.rate_limit > 0 else 0.0
    lower_bound = max(rate_bound, latency_bound)
    staging_s = run.step_seconds.get("bronze_staging", float("nan"))

    rows = [
        ("run", "SUCCESS" if run.success else "FAILED"),
        ("range", f"{args.start} .. {args.end}"),
        ("Dagster instance settings", instance_settings),
        ("Dagster instance", instance_description(args.instance)),
        ("rate limit / in flight / latency", f"{args.rate_limit:g}/s / {args.in_flight} / {args.latency_ms:g} ms"),
        ("wall time (bronze_job, in-process)", fmt_s(run.wall_s)),
        ("  staging step", fmt_s(staging_s)),
        ("  history steps (player, team)", " / ".join(
            fmt_s(run.step_seconds.get(k, float("nan")))
            for k in ("bronze_player_game_stats_v2", "bronze_games_historical_v2"))),
        ("  derived steps (schedule, skaters)", " / ".join(
            fmt_s(run.step_seconds.get(k, float("nan"))) for k in (SCHEDULE, "bronze_skaters_2023_v2"))),
        ("  outside the steps (run creation and teardown)", fmt_s(outside_steps_s(run))),
        ("final games fetched", games),
        ("API calls (client; staging + schedule landing)", f"{calls} ({staging_calls} + {schedule_calls})"),
        ("API calls (server-side count)", sim.stats.get("requests", "?")),
        ("API retries", retries),
        ("calls per game", f"{calls / games:.3f}" if games else "n/a"),
        ("requests/s achieved (calls / wall)", f"{calls / run.wall_s:.2f}"),
        ("requests/s in staging step", f"{staging_calls / staging_s:.2f}" if staging_s == staging_s else "n/a"),
        ("games/s (games / wall)", f"{games / run.wall_s:.2f}"),
        ("lower bound max(calls/rate, calls*latency/in-flight)",
         f"{fmt_s(lower_bound)} (rate {rate_bound:.1f} s, latency {latency_bound:.1f} s)"),
        ("ratio wall / lower bound (target <= 1.25)", f"{run.wall_s / lower_bound:.2f}" if lower_bound else "n/a"),
        ("ratio staging step / lower bound", f"{staging_s / lower_bound:.2f}" if lower_bound else "n/a"),
        ("peak RSS of pipeline process (VmHWM)", f"{peak_mb:.0f} MB"),
        *phase_memory_rows(run, rss),
        ("simulator process CPU while serving", f"{sim.stats.get('cpu_s', '?')} s"),
        ("simulator pre-rendering before the clock", "off (--no-sim-cache)" if args.no_sim_cache else
         f"{sim.stats.get('prerender_cpu_s', '?')} s CPU, {sim.stats.get('prerendered', '?')} answers"),
        ("player rows in history", table_rows(data_dir, "bronze_player_game_stats_v2")),
        ("team rows in history", table_rows(data_dir, "bronze_games_historical_v2")),
        ("data dir size", f"{dir_size_mb(data_dir):.0f} MB"),
        ("load average before / after", f"{load_before} / {load_after}"),
    ]
    print_table("bench_backfill results", rows)
    if args.rss_log:
        args.rss_log.write_text("time,pipeline_mb,children_mb\n" + "".join(
            f"{t:.2f},{own:.0f},{children:.0f}\n" for t, own, children in rss.samples))
        print(f"RSS samples: {args.rss_log}; step windows: " + ", ".join(
            f"{step} {start:.1f}..{end:.1f}" for step, (start, end) in sorted(run.step_windows.items(),
                                                                            key=lambda item: item[1])))
    if profiler:
        profiler.dump_stats(str(args.profile))
        print(profile_summary(profiler))
    return 0 if run.success else 1


def sim_cache_options(args: argparse.Namespace) -> dict:
    if args.no_sim_cache:
        return {}
    return {"cache_dir": args.sim_cache_dir, "prerender": (args.start.isoformat(), args.end.isoformat())}


PHASES = {
    "staging": ("bronze_staging",),
    "history": ("bronze_player_game_stats_v2", "bronze_games_historical_v2"),
    "derived": (SCHEDULE, "bronze_skaters_2023_v2"),
}


def outside_steps_s(run) -> float:
    """Wall time of the run not spent between its first step's start and its last step's end. It grows with the
    range: creating a run logs Dagster's "planned" events per partition and asset/check (~25 s of a 1,004-day
    range on a quiet machine with --dagster-default-planned-events; ~8 s with the deploy/ setting)."""
    if not run.step_windows:
        return float("nan")
    first = min(start for start, _ in run.step_windows.values())
    last = max(end for _, end in run.step_windows.values())
    return run.wall_s - (last - first)


def phase_memory_rows(run, rss: RssSampler) -> list[tuple[str, str]]:
    """Peak RSS per phase (this process / its children, e.g. parse workers), from the samples in each step."""
    rows = []
    for phase, steps in PHASES.items():
        windows = [run.step_windows[step] for step in steps if step in run.step_windows]
        if not windows:
            continue
        own, children = rss.peak_between(min(w[0] for w in windows), max(w[1] for w in windows))
        rows.append((f"  peak RSS during {phase} (pipeline / child processes)", f"{own:.0f} MB / {children:.0f} MB"))
    return rows


def fetch_only(args: argparse.Namespace) -> int:
    from nhl_bronze.domain.dates import chunk_window
    from nhl_bronze.resources.nhl_api import NhlApiResource

    today = args.today or args.end + timedelta(days=1)
    print(machine_report())
    print(f"fetch-only: {args.start} .. {args.end}, rate {args.rate_limit:g}/s, in flight {args.in_flight}, "
          f"latency {args.latency_ms:g} ms")
    with simulator_process(today.isoformat(), args.latency_ms, **sim_cache_options(args)) as sim:
        api = NhlApiResource(web_api_url=sim.web_api_url, stats_api_url=sim.stats_api_url,
                             max_in_flight=args.in_flight, rate_limit=args.rate_limit)
        started = time.perf_counter()
        games = calls = 0
        with api.open_session() as session:
            for chunk_start, chunk_end in chunk_window(args.start, args.end + timedelta(days=1), 7):
                window = session.fetch_window(chunk_start, chunk_end)
                games += len(window.games)
                calls += window.api_calls
                del window
                if args.drop_game_cache:
                    session._games.clear()  # diagnostic only: the cache keeps every fetched game's bodies
        wall = time.perf_counter() - started
    latency_bound = calls * args.latency_ms / 1000 / max(1, args.in_flight)
    lower_bound = max(calls / args.rate_limit if args.rate_limit > 0 else 0.0, latency_bound)
    print_table("bench_backfill --fetch-only results", [
        ("wall time (fetch only)", fmt_s(wall)),
        ("games / API calls", f"{games} / {calls}"),
        ("requests/s achieved", f"{calls / wall:.2f}"),
        ("lower bound", fmt_s(lower_bound)),
        ("ratio wall / lower bound", f"{wall / lower_bound:.2f}" if lower_bound else "n/a"),
        ("session game cache emptied after each chunk", "yes" if args.drop_game_cache else "no"),
        ("peak RSS (VmHWM)", f"{peak_rss_mb():.0f} MB"),
        ("load average at end", load_average()),
    ])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
