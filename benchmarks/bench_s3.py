"""Benchmark 7: the same ``daily`` run with the tables in S3 (moto in server mode on loopback) and on local disk.

    python benchmarks/bench_s3.py                         # 14 seeded days, tick 2026-03-15T10:00Z, 3 daily runs each
    python benchmarks/bench_s3.py --seed-days 7 --repeat 1  # smoke

For each backend, a fresh lake is first seeded with one backfill run of ``--seed-days`` game dates before the
tick (not timed), then the ``daily`` schedule's run request at ``--tick`` (3-day lookback, inside the seeded
dates) is run ``--repeat`` times with ``bronze_job.execute_in_process`` (in-process executor, ephemeral
instance). The API is the synthetic league answered in-process with the rate limit off, so the difference is
the storage: every Delta log read, data file and commit goes over HTTP to moto (a single-threaded Python
server: slower per request than real S3, and with no network latency: faster). Prints the medians and the
ratio S3 / local.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(1, str(BENCH_DIR.parent))  # nhl_bronze_tests.infra: the moto server the tests use
from _common import (  # noqa: E402
    fmt_s,
    load_average,
    machine_report,
    peak_rss_mb,
    print_table,
    quiet_dagster,
    run_bronze_job,
)

STAGING = "bronze_player_game_stats_v2_staging"
HISTORY = "bronze_player_game_stats_v2"
STAGING_STEP, SCHEDULE_STEP = "bronze_staging", "bronze_schedule_raw"


def _resources(lake: str, today: date) -> dict:
    from nhl_bronze.resources.clock import ClockResource
    from nhl_bronze.resources.lakehouse import LakehouseResource
    from nhl_bronze.resources.simulated import SimulatedNhlApiResource

    return {
        "nhl_api": SimulatedNhlApiResource(simulator_today=today.isoformat(), rate_limit=0),
        "lakehouse": LakehouseResource(data_dir=lake),
        "clock": ClockResource(today=today.isoformat()),
    }


def _bench_backend(label: str, lake: str, tags: dict, seed_tags: dict, today: date, repeat: int) -> dict:
    seed = run_bronze_job(seed_tags, _resources(lake, today))
    if not seed.success:
        raise SystemExit(f"{label}: seeding run failed")
    runs = []
    for attempt in range(repeat):
        run = run_bronze_job(tags, _resources(lake, today))
        if not run.success:
            raise SystemExit(f"{label}: daily run {attempt + 1} failed")
        runs.append(run)
        print(f"{label}: daily run {attempt + 1}/{repeat}: {fmt_s(run.wall_s)}")
    steps = {step: statistics.median(r.step_seconds.get(step, 0.0) for r in runs) for step in runs[0].step_seconds}
    return {"seed_s": seed.wall_s, "wall_s": statistics.median(r.wall_s for r in runs), "steps": steps,
            "games": runs[0].value(STAGING, "games_fetched"), "inserted": runs[0].value(HISTORY, "rows_inserted")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tick", type=datetime.fromisoformat,
                        default=datetime.fromisoformat("2026-03-15T10:00:00+00:00"))
    parser.add_argument("--seed-days", type=int, default=14)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    quiet_dagster()
    import dagster as dg

    from nhl_bronze.automation.jobs import partition_range_tags
    from nhl_bronze.automation.schedules import build_daily_schedule
    from nhl_bronze_tests.infra.s3 import running_moto

    print(machine_report())
    (request,) = build_daily_schedule().evaluate_tick(
        dg.build_schedule_context(scheduled_execution_time=args.tick)).run_requests
    tags = dict(request.tags)
    today = args.tick.astimezone(ZoneInfo("America/New_York")).date()
    seed_tags = partition_range_tags((today - timedelta(days=args.seed_days)).isoformat(),
                                     (today - timedelta(days=1)).isoformat())
    window = f"{tags['dagster/asset_partition_range_start']}..{tags['dagster/asset_partition_range_end']}"
    print(f"daily window {window}, seeded {seed_tags['dagster/asset_partition_range_start']}.."
          f"{seed_tags['dagster/asset_partition_range_end']}, simulated today {today}")
    load_before = load_average()

    work = Path(tempfile.mkdtemp(prefix="bench_s3_"))
    try:
        local = _bench_backend("local", str(work / "lake"), tags, seed_tags, today, args.repeat)
        with running_moto(work / "moto.log") as server:
            os.environ.update(server.environment())
            server.create_bucket("bench")
            s3 = _bench_backend("s3", "s3://bench/lake", tags, seed_tags, today, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = [
        ("daily window (3-day lookback)", window),
        ("games in the window / history rows inserted", f"{local['games']} / {local['inserted']}"),
        ("seeding run, local / S3 (not part of the ratio)", f"{fmt_s(local['seed_s'])} / {fmt_s(s3['seed_s'])}"),
        (f"daily run, median of {args.repeat}: local", fmt_s(local["wall_s"])),
        (f"daily run, median of {args.repeat}: S3 (moto)", fmt_s(s3["wall_s"])),
        ("ratio S3 / local", f"{s3['wall_s'] / local['wall_s']:.2f}x"),
    ]
    # Staging and the schedule landing are mostly parsing and simulating the API (CPU); the rest is storage.
    storage_steps = [step for step in local["steps"] if step not in (STAGING_STEP, SCHEDULE_STEP)]
    local_storage = sum(local["steps"][step] for step in storage_steps)
    s3_storage = sum(s3["steps"].get(step, 0.0) for step in storage_steps)
    rows.append(("storage-bound steps (history, derived, checks): local / S3 / ratio",
                 f"{local_storage:.2f} s / {s3_storage:.2f} s / {s3_storage / local_storage:.2f}x"))
    for step in local["steps"]:
        rows.append((f"  step {step}: local / S3", f"{local['steps'][step]:.2f} s / {s3['steps'].get(step, 0):.2f} s"))
    rows += [("peak RSS (VmHWM)", f"{peak_rss_mb():.0f} MB"),
             ("load average before / after", f"{load_before} / {load_average()}")]
    print_table("bench_s3 results", rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
