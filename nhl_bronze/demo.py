"""Offline demo: backfill a week of the synthetic NHL into ./data through the real job, then print row counts.

    python -m nhl_bronze.demo                        # 2024-10-08 .. 2024-10-14 into ./data
    python -m nhl_bronze.demo --start 2024-01-01 --days 31 --data-dir /tmp/nhl

Everything runs in-process against the built-in simulator: no network, nothing to start. Run it twice and
history does not grow: that is the point. The runs are recorded in a persistent Dagster instance
(``--dagster-home``, default ``$DAGSTER_HOME`` or ``./dagster_home``), so ``dagster dev`` started afterwards
with that ``DAGSTER_HOME`` shows the demo's materializations, checks and metadata. The simulated "today" is the
day after the window; the printed ``dagster dev`` command passes it as ``NHL_BRONZE_TODAY``, so the UI's runs
and the freshness checks see the same league day as the demo did.
"""

import argparse
import os
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from nhl_bronze import settings
from nhl_bronze.automation.jobs import partition_range_tags
from nhl_bronze.protection import open_store
from nhl_bronze.resources.clock import ClockResource
from nhl_bronze.resources.lakehouse import LakehouseResource
from nhl_bronze.resources.simulated import SimulatedNhlApiResource
from nhl_bronze.storage.tables import ALL_TABLES

DEFAULT_DAGSTER_HOME = "./dagster_home"
DEMO_SETTINGS_MARK = "# Created by python -m nhl_bronze.demo"
# Default (SQLite) storage in the folder; no telemetry (otherwise Dagster prints its banner on every run).
DEMO_INSTANCE_SETTINGS = f"""{DEMO_SETTINGS_MARK}: default (SQLite) storage in this folder.
telemetry:
  enabled: false
"""


def persistent_instance(dagster_home: str) -> dg.DagsterInstance:
    """The instance of ``dagster_home`` (created with the demo's settings if new, or if an earlier demo created it
    without them): what ``dagster dev`` reads. A ``dagster.yaml`` someone else wrote is left as it is."""
    home = os.path.abspath(dagster_home)
    os.makedirs(home, exist_ok=True)
    settings_file = Path(home) / "dagster.yaml"
    existing = settings_file.read_text(encoding="utf-8") if settings_file.exists() else None
    if existing is None or (existing.startswith(DEMO_SETTINGS_MARK) and existing != DEMO_INSTANCE_SETTINGS):
        settings_file.write_text(DEMO_INSTANCE_SETTINGS, encoding="utf-8")
    return dg.DagsterInstance.from_config(home)


def simulated_today(start: date, days: int) -> date:
    """The day after the window: every game in it is final."""
    return start + timedelta(days=days)


def run_demo(start: date, days: int, data_dir: str,
             instance: dg.DagsterInstance | None = None) -> dg.ExecuteInProcessResult:
    from nhl_bronze.definitions import defs

    last = start + timedelta(days=days - 1)
    today = simulated_today(start, days).isoformat()
    job = defs.resolve_job_def("bronze_job")
    return job.execute_in_process(
        instance=instance or dg.DagsterInstance.ephemeral(),
        tags=partition_range_tags(start.isoformat(), last.isoformat()),
        # INFO shows the progress lines (dates done, games, requests per second) without Dagster's debug events.
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        resources={
            "nhl_api": SimulatedNhlApiResource(simulator_today=today, rate_limit=0),
            "lakehouse": LakehouseResource(data_dir=data_dir),
            "clock": ClockResource(today=today),
        },
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2024, 10, 8))
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--data-dir", default=settings.env(settings.DATA_DIR) or settings.DEFAULT_DATA_DIR)
    parser.add_argument("--dagster-home", default=settings.env("DAGSTER_HOME") or DEFAULT_DAGSTER_HOME,
                        help="where the runs are recorded (default: $DAGSTER_HOME or ./dagster_home)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=dg.BetaWarning)

    started = time.perf_counter()
    with persistent_instance(args.dagster_home) as instance:
        result = run_demo(args.start, args.days, args.data_dir, instance)
    elapsed = time.perf_counter() - started
    print(f"\nbronze_job {args.start}+{args.days}d: {'SUCCESS' if result.success else 'FAILED'} in {elapsed:.1f} s")
    print(f"{'table':42} {'rows':>9}  path")
    store = open_store(args.data_dir)
    for spec in ALL_TABLES:
        if store.exists(spec):
            print(f"{spec.name:42} {store.row_count(spec):>9}  {store.uri(spec)}")
    home, data_dir = os.path.abspath(args.dagster_home), os.path.abspath(args.data_dir)
    today = simulated_today(args.start, args.days)
    print(f"\nRuns, checks and metadata are recorded in DAGSTER_HOME={home}. Browse them (offline; the simulated "
          f"league's today is {today}) with:\n"
          f"  DAGSTER_HOME={home} NHL_BRONZE_DATA_DIR={data_dir} NHL_BRONZE_OFFLINE=1 NHL_BRONZE_TODAY={today} "
          f"dagster dev\n"
          f"Check it: nhl-bronze status, nhl-bronze verify (--data-dir {data_dir})")
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
