"""Offline demo: backfill a week of the synthetic NHL into ./data through the real job, then print row counts.

    python -m nhl_bronze.demo                        # 2024-10-08 .. 2024-10-14 into ./data
    python -m nhl_bronze.demo --start 2024-01-01 --days 31 --data-dir /tmp/nhl

Everything runs in-process against the built-in simulator: no network, nothing to start. Run it twice and
history does not grow: that is the point.
"""

import argparse
import os
import time
import warnings
from datetime import date, timedelta

import dagster as dg
import polars as pl

from nhl_bronze.automation.jobs import partition_range_tags
from nhl_bronze.resources.lakehouse import DATA_DIR_ENV, DEFAULT_DATA_DIR, LakehouseResource
from nhl_bronze.resources.nhl_api import SimulatedNhlApiResource
from nhl_bronze.storage.tables import ALL_TABLES


def run_demo(start: date, days: int, data_dir: str) -> dg.ExecuteInProcessResult:
    from nhl_bronze.definitions import defs

    last = start + timedelta(days=days - 1)
    # The simulated "today" is the day after the window, so every game in it is final.
    today = (last + timedelta(days=1)).isoformat()
    job = defs.resolve_job_def("bronze_job")
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    return job.execute_in_process(
        instance=instance,
        tags=partition_range_tags(start.isoformat(), last.isoformat()),
        # INFO shows the progress lines (dates done, games, requests per second) without Dagster's debug events.
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        resources={
            "nhl_api": SimulatedNhlApiResource(simulator_today=today, rate_limit=0),
            "lakehouse": LakehouseResource(data_dir=data_dir, today=today),
        },
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2024, 10, 8))
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--data-dir", default=os.environ.get(DATA_DIR_ENV, DEFAULT_DATA_DIR))
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=dg.BetaWarning)

    started = time.perf_counter()
    result = run_demo(args.start, args.days, args.data_dir)
    elapsed = time.perf_counter() - started
    print(f"\nbronze_job {args.start}+{args.days}d: {'SUCCESS' if result.success else 'FAILED'} in {elapsed:.1f} s")
    print(f"{'table':42} {'rows':>9}  path")
    for spec in ALL_TABLES:
        path = os.path.join(args.data_dir, spec.name)
        if os.path.isdir(path):
            rows = pl.scan_delta(path).select(pl.len()).collect().item()
            print(f"{spec.name:42} {rows:>9}  {path}")
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
