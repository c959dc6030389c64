"""Benchmark 8: Dagster's bookkeeping of a range run of ``bronze_job``'s staging and history steps.

    python benchmarks/bench_bookkeeping.py                         # 2023-10-01 .. 2026-06-30 (1,004 dates), 3 pairs
    python benchmarks/bench_bookkeeping.py --instance postgres     # deploy/dagster.yaml on a loopback PostgreSQL

The real asset and check definitions (staging multi-asset, both history assets, ``all_games_merged``), with
``stage_window`` and ``merge_window`` replaced by stand-ins that return a report at once: what is left of a run's
wall time is Dagster's (run creation, planned events and rows, one materialization per date and asset, check
evaluations). Alternated in the same process, on one instance:

- ``job``: ``bronze_job``'s selection (the checks reported once per run by their steps, ``assets/checks.py``);
- ``all checks``: the same assets with every check selected (what ``bronze_job`` selected before: one planned
  row per date for each of 12 checks).

Each over the long range and over its first date alone; bookkeeping of the range = range - one date (the fixed
cost of a run, paid by a one-date run too). The stand-ins report no failure, so every run succeeds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    add_instance_option,
    add_instance_settings_options,
    apply_instance_settings,
    bench_instance,
    instance_description,
    load_average,
    machine_report,
    print_grid,
    print_table,
    quiet_dagster,
)


def install_stand_ins() -> None:
    """``stage_window`` / ``merge_window`` as the assets see them: a report of a clean run, no I/O."""
    import nhl_bronze.assets.history as history_assets
    import nhl_bronze.assets.staging as staging_assets
    from nhl_bronze.pipeline.report import MergeReport, StagingReport, TableMerge, TableState

    def state(name: str) -> TableState:
        return TableState(name, f"/bench/{name}", 70, 640_000, 0)

    def stage_window(source, store, start, end, **_):
        report = StagingReport("raw", start, end, games_fetched=4_195)
        report.tables = {name: state(name) for name in staging_assets.STAGING_KEYS}
        return report

    def merge_window(store, start, end, run_id, tables):
        report = MergeReport(start, end, run_id)
        for spec in tables:
            report.tables[spec.name] = TableMerge(state(spec.name), 0, 640_000, 640_000, 640_000)
        return report

    class NoSource:
        def __enter__(self):
            return None

        def __exit__(self, *exc):
            return False

    staging_assets.stage_window = stage_window
    history_assets.merge_window = merge_window
    from nhl_bronze.resources.ingest import IngestResource

    IngestResource.open_source = lambda self, nhl_api, lakehouse, run_id=None: NoSource()


def jobs():
    import dagster as dg

    from nhl_bronze.assets.history import (
        ALL_GAMES_MERGED_RUN_KEY,
        all_games_merged,
        games_historical_history,
        player_game_stats_history,
    )
    from nhl_bronze.assets.staging import bronze_staging
    from nhl_bronze.resources.ingest import IngestResource
    from nhl_bronze.resources.lakehouse import LakehouseResource
    from nhl_bronze.resources.nhl_api import NhlApiResource

    assets = [bronze_staging, player_game_stats_history, games_historical_history]
    groups = dg.AssetSelection.groups("staging", "history")
    # bronze_job's rule (automation/jobs.py), without the landing and derived steps.
    job = dg.define_asset_job("job",
                              selection=groups.without_checks() | dg.AssetSelection.checks(ALL_GAMES_MERGED_RUN_KEY))
    all_checks = dg.define_asset_job("all_checks", selection=groups | dg.AssetSelection.checks_for_assets(*assets)
                                     | dg.AssetSelection.checks(*all_games_merged.check_keys))
    defs = dg.Definitions(
        assets=assets, asset_checks=[all_games_merged], jobs=[job, all_checks], executor=dg.in_process_executor,
        resources={"nhl_api": NhlApiResource(), "lakehouse": LakehouseResource(data_dir="/nonexistent"),
                   "ingest": IngestResource(parse_workers=1)},
    )
    check_keys = [key for definition in [*assets, all_games_merged] for key in definition.check_keys]
    return {name: defs.resolve_job_def(name) for name in ("job", "all_checks")}, check_keys


def check_rows(instance, run_id: str, check_keys) -> int:
    storage = instance.event_log_storage
    return sum(1 for key in check_keys
               for row in storage.get_asset_check_execution_history(key, limit=100_000) if row.run_id == run_id)


def timed_run(job, instance, start: date, end: date, check_keys) -> tuple[float, int, int]:
    """Wall seconds, the run's rows in the check table, its materialization events."""
    from nhl_bronze.automation.jobs import partition_range_tags

    started = time.perf_counter()
    result = job.execute_in_process(
        instance=instance, tags=partition_range_tags(start.isoformat(), end.isoformat()), raise_on_error=True,
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}})
    wall = time.perf_counter() - started
    return wall, check_rows(instance, result.run_id, check_keys), len(result.get_asset_materialization_events())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2023, 10, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 6, 30), help="inclusive")
    parser.add_argument("--pairs", type=int, default=3)
    add_instance_settings_options(parser)
    add_instance_option(parser)
    args = parser.parse_args(argv)
    instance_settings = apply_instance_settings(args)
    quiet_dagster()
    print(machine_report())
    install_stand_ins()
    by_name, check_keys = jobs()
    load_before = load_average()
    seconds: dict[tuple[str, str], list[float]] = {}
    counts: dict[str, tuple[int, int]] = {}
    with bench_instance(args.instance) as instance:
        for job in by_name.values():  # warm-up: imports, first writes to the instance
            timed_run(job, instance, args.start, args.start, check_keys)
        for _ in range(args.pairs):
            for name, job in by_name.items():
                for span, end in (("one date", args.start), ("range", args.end)):
                    wall, rows, materializations = timed_run(job, instance, args.start, end, check_keys)
                    seconds.setdefault((name, span), []).append(wall)
                    if span == "range":
                        counts[name] = (rows, materializations)
    dates = (args.end - args.start).days + 1
    median = {key: statistics.median(values) for key, values in seconds.items()}
    bookkeeping = {name: median[(name, "range")] - median[(name, "one date")] for name in by_name}
    print_grid(f"bench_bookkeeping: {dates} dates, {args.pairs} alternated pairs, median seconds", [
        "selection", "one date", "range", "bookkeeping of the range (range - one date)", "check rows of the run",
        "materialization events"], [
        [name, f"{median[(name, 'one date')]:.2f}", f"{median[(name, 'range')]:.2f}", f"{bookkeeping[name]:.2f}",
         counts[name][0], counts[name][1]] for name in by_name])
    pairs = [a / b for a, b in zip(seconds[("job", "range")], seconds[("all_checks", "range")], strict=True)]
    print_table("bench_bookkeeping results", [
        ("Dagster instance", instance_description(args.instance)),
        ("Dagster instance settings", instance_settings),
        ("range", f"{args.start} .. {args.end} ({dates} dates)"),
        ("bronze_job's range run, median (target <= 2 s bookkeeping)",
         f"{median[('job', 'range')]:.2f} s, bookkeeping {bookkeeping['job']:.2f} s"),
        ("all checks selected, median", f"{median[('all_checks', 'range')]:.2f} s, "
                                        f"bookkeeping {bookkeeping['all_checks']:.2f} s"),
        ("range run job / all checks, per pair", ", ".join(f"{r:.2f}" for r in pairs)),
        ("load average before / after", f"{load_before} / {load_average()}"),
    ])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
