"""Benchmark 2: the ``daily`` schedule's run, end to end through Dagster, on top of a full backfill.

    python benchmarks/bench_daily.py                                   # copy of /tmp/nhl_bench/full_default
    python benchmarks/bench_daily.py --source-data-dir DIR --tick 2026-03-15T10:00:00+00:00

The source data dir (the one ``bench_backfill.py`` filled) is copied first (the run writes staging, history and
the derived tables). The ``daily`` schedule (``build_daily_schedule()``, 3-day lookback) is evaluated at
``--tick`` to get its run request; its tags are then run with ``bronze_job.execute_in_process(tags=...)``
(in-process executor, ephemeral instance) against the loopback simulator in its own process, at the default
politeness (10 req/s, 8 in flight) and 50 ms latency. The simulated "today" is the tick's US Eastern date.

The default tick is mid-season (2026-03-15) so the window holds a normal night of games; since the backfill
already holds those dates, history inserts 0 rows (the same work as a normal night except the insert itself).
"""

from __future__ import annotations

import argparse
import cProfile
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    DEFAULT_WORK_DIR,
    fmt_s,
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
HISTORY = "bronze_player_game_stats_v2"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source-data-dir", type=Path, default=DEFAULT_WORK_DIR / "full_default",
                        help="data dir holding the backfill (copied, never modified)")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR / "daily", help="the copy (deleted first)")
    parser.add_argument("--tick", type=datetime.fromisoformat,
                        default=datetime.fromisoformat("2026-03-15T10:00:00+00:00"),
                        help="scheduled execution time of the daily tick (UTC)")
    parser.add_argument("--rate-limit", type=float, default=10.0)
    parser.add_argument("--in-flight", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.source_data_dir.is_dir():
        parser.error(f"{args.source_data_dir} does not exist: run benchmarks/bench_backfill.py first")

    quiet_dagster()
    import dagster as dg

    from nhl_bronze.automation.schedules import build_daily_schedule
    from nhl_bronze.resources.clock import ClockResource
    from nhl_bronze.resources.lakehouse import LakehouseResource
    from nhl_bronze.resources.nhl_api import NhlApiResource

    print(machine_report())
    started = time.perf_counter()
    if args.work_dir.exists():
        shutil.rmtree(args.work_dir)
    shutil.copytree(args.source_data_dir, args.work_dir)
    copy_s = time.perf_counter() - started

    tick = args.tick
    data = build_daily_schedule().evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick))
    (request,) = data.run_requests
    tags = dict(request.tags)
    today = tick.astimezone(ZoneInfo("America/New_York")).date()
    window = f"{tags['dagster/asset_partition_range_start']} .. {tags['dagster/asset_partition_range_end']}"
    print(f"daily tick {tick.isoformat()} -> run key {request.run_key}, window {window}, simulated today {today}")
    history_before = table_rows(args.work_dir, HISTORY)
    load_before = load_average()

    with simulator_process(today.isoformat(), args.latency_ms) as sim:
        resources = {
            "nhl_api": NhlApiResource(web_api_url=sim.web_api_url, stats_api_url=sim.stats_api_url,
                                      max_in_flight=args.in_flight, rate_limit=args.rate_limit),
            "lakehouse": LakehouseResource(data_dir=str(args.work_dir)),
            "clock": ClockResource(today=today.isoformat()),
        }
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        run = run_bronze_job(tags, resources)
        if profiler:
            profiler.disable()

    calls = int(run.value(STAGING, "api_calls")) + int(run.value("bronze_schedule_raw", "api_calls"))
    steps = ", ".join(f"{k} {v:.2f} s" for k, v in run.step_seconds.items())
    print_table("bench_daily results", [
        ("run", "SUCCESS" if run.success else "FAILED"),
        ("how", "schedule.evaluate_tick -> bronze_job.execute_in_process(tags=run request tags)"),
        ("window (3-day lookback)", window),
        ("wall time (target < 30 s)", fmt_s(run.wall_s)),
        ("step times", steps),
        ("final games fetched", run.value(STAGING, "games_fetched")),
        ("API calls (client / server-side)", f"{calls} / {sim.stats.get('requests', '?')}"),
        ("history rows before / inserted", f"{history_before:,} / {run.value(HISTORY, 'rows_inserted')}"),
        ("history rows after", f"{table_rows(args.work_dir, HISTORY):,}"),
        ("copy of the data dir (not timed in the run)", fmt_s(copy_s)),
        ("peak RSS of pipeline process (VmHWM)", f"{peak_rss_mb():.0f} MB"),
        ("load average before / after", f"{load_before} / {load_average()}"),
    ])
    if profiler:
        profiler.dump_stats(str(args.profile))
        print(profile_summary(profiler))
    return 0 if run.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
