"""Benchmark 3: rebuild staging from the raw landing store (after a parser change), with zero API calls.

    python benchmarks/bench_rebuild.py                                 # copy of /tmp/nhl_bench/full_default
    python benchmarks/bench_rebuild.py --source-data-dir DIR --start 2024-10-08 --end 2024-10-09

The source data dir (filled by ``bench_backfill.py``) is copied, both staging tables are deleted, and
``bronze_job`` runs over the range with ``IngestResource(source="raw")`` and the API URLs pointed at a
closed loopback port (``max_retries=0``): any API call would fail the run. Asserted: the run succeeds, API calls
are 0, staging gets back exactly the rows it had, and the history tables keep their row counts (same parser:
no new versions).
"""

from __future__ import annotations

import argparse
import cProfile
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    DEFAULT_WORK_DIR,
    add_instance_option,
    add_instance_settings_options,
    apply_instance_settings,
    bench_instance,
    closed_port_url,
    fmt_s,
    instance_description,
    load_average,
    machine_report,
    peak_rss_mb,
    print_table,
    profile_summary,
    quiet_dagster,
    run_bronze_job,
    table_rows,
)

STAGING_TABLES = ("bronze_player_game_stats_v2_staging", "bronze_games_historical_v2_staging")
HISTORY_TABLES = ("bronze_player_game_stats_v2", "bronze_games_historical_v2")


def range_rows(data_dir: Path, name: str, start: date, end: date) -> int:
    """Rows of ``[start, end]`` (inclusive, as the partition range) in one table: a short range rebuilds only its
    own dates, so only those are compared."""
    import polars as pl

    from nhl_bronze.domain.dates import game_date_int

    path = data_dir / name
    if not (path / "_delta_log").is_dir():
        return 0
    first, last = game_date_int(start), game_date_int(end)
    return pl.scan_delta(str(path)).filter(pl.col("gameDate").is_between(first, last)).select(pl.len()).collect().item()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source-data-dir", type=Path, default=DEFAULT_WORK_DIR / "full_default")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR / "rebuild", help="the copy (deleted first)")
    parser.add_argument("--start", type=date.fromisoformat, default=date(2023, 10, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 6, 30), help="inclusive")
    parser.add_argument("--parse-workers", type=int, default=0,
                        help="processes parsing games (0 = one per available core, 1 = in-process)")
    parser.add_argument("--profile", type=Path, default=None)
    add_instance_settings_options(parser)
    add_instance_option(parser)
    args = parser.parse_args(argv)
    if not args.source_data_dir.is_dir():
        parser.error(f"{args.source_data_dir} does not exist: run benchmarks/bench_backfill.py first")

    instance_settings = apply_instance_settings(args)
    quiet_dagster()
    from nhl_bronze.automation.jobs import partition_range_tags
    from nhl_bronze.resources.clock import ClockResource
    from nhl_bronze.resources.ingest import IngestResource
    from nhl_bronze.resources.lakehouse import LakehouseResource
    from nhl_bronze.resources.nhl_api import NhlApiResource

    print(machine_report())
    if args.work_dir.exists():
        shutil.rmtree(args.work_dir)
    shutil.copytree(args.source_data_dir, args.work_dir)
    staging_before = {name: range_rows(args.work_dir, name, args.start, args.end) for name in STAGING_TABLES}
    history_before = {name: table_rows(args.work_dir, name) for name in HISTORY_TABLES}
    for name in STAGING_TABLES:
        shutil.rmtree(args.work_dir / name, ignore_errors=True)

    closed = closed_port_url()
    today = (args.end + timedelta(days=1)).isoformat()
    resources = {
        "nhl_api": NhlApiResource(web_api_url=f"{closed}/v1", stats_api_url=f"{closed}/stats/rest", max_retries=0),
        "lakehouse": LakehouseResource(data_dir=str(args.work_dir)), "clock": ClockResource(today=today),
        "ingest": IngestResource(source="raw", parse_workers=args.parse_workers),
    }
    print(f"range {args.start} .. {args.end}; staging deleted; API at {closed} (closed port); source=raw")
    load_before = load_average()
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    with bench_instance(args.instance) as instance:
        run = run_bronze_job(partition_range_tags(args.start.isoformat(), args.end.isoformat()), resources,
                             instance=instance)
    if profiler:
        profiler.disable()

    staging_after = {name: range_rows(args.work_dir, name, args.start, args.end) for name in STAGING_TABLES}
    history_after = {name: table_rows(args.work_dir, name) for name in HISTORY_TABLES}
    calls = int(run.value(STAGING_TABLES[0], "api_calls")) + int(run.value("bronze_schedule_raw", "api_calls"))
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in run.step_seconds.items())
    games = int(run.value(STAGING_TABLES[0], "games_fetched"))
    print_table("bench_rebuild results", [
        ("run", "SUCCESS" if run.success else "FAILED"),
        ("range", f"{args.start} .. {args.end}"),
        ("parse workers", IngestResource(parse_workers=args.parse_workers).workers()),
        ("Dagster instance settings", instance_settings),
        ("Dagster instance", instance_description(args.instance)),
        ("wall time (target < 180 s)", fmt_s(run.wall_s)),
        ("step times", steps),
        ("games rebuilt", games),
        ("games/s (games / wall)", f"{games / run.wall_s:.1f}"),
        ("API calls (target 0; API on a closed port)", calls),
        ("staging rows of the range before delete / rebuilt", " ; ".join(
            f"{staging_before[n]:,} / {staging_after[n]:,}" for n in STAGING_TABLES)),
        ("history rows before / after (must be equal)", " ; ".join(
            f"{history_before[n]:,} / {history_after[n]:,}" for n in HISTORY_TABLES)),
        ("peak RSS of pipeline process (VmHWM)", f"{peak_rss_mb():.0f} MB"),
        ("load average before / after", f"{load_before} / {load_average()}"),
    ])
    if profiler:
        profiler.dump_stats(str(args.profile))
        print(profile_summary(profiler))
    ok = run.success and calls == 0 and history_before == history_after and staging_before == staging_after
    if not ok:
        print("FAILED: run failed, API was called, history changed or staging was not rebuilt identically")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
