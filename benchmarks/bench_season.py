"""Benchmark 6: a season of daily operation with scheduled maintenance. Does day 180 cost what day 1 cost?

    python benchmarks/bench_season.py                        # 180 daily runs from 2024-10-08, maintenance weekly
    python benchmarks/bench_season.py --days 3 --maintenance-every 2          # smoke mode (CI)
    python benchmarks/bench_season.py --maintenance-every 0                   # no maintenance at all

Each simulated day D is one ``daily`` schedule tick (``build_daily_schedule().evaluate_tick`` at D 10:00 UTC, 3-day
lookback) executed as ``bronze_job.execute_in_process(tags=...)`` (staging -> history -> derived) against the
synthetic league in-process (``SimulatedNhlApiResource``, today = D, rate limit off), on one Dagster instance
kept for the whole season. Every ``--maintenance-every`` days the ``bronze_maintenance_job`` runs on the same
instance (so it compacts only what the week touched; retention 168 h). After every day (untimed) the script
records per table: live data files and bytes, Delta log files and bytes, and everything the table folder holds.
Each run's steps are timed in wall and in CPU seconds (the process CPU clock read as each step ends: on a shared
machine the CPU figures are the ones to compare); the headline is the median daily run of the last week / first
week, with the per-step medians that explain it.

Raw store growth without the hash dedupe is measured exactly, outside the timed runs: every response the day's
run offered the raw store is landed again, after the run, into a second raw store that lands every body.

Output: markdown tables; ``benchmarks/results/season_<label>.csv`` (one row per day and table) and
``season_<label>.png`` (needs matplotlib: ``pip install -e ".[bench]"``). A simulated week takes 168 simulated
hours but a few real seconds, so vacuum (retention >= 24 h of real time) removes nothing here: tombstoned files
show as "awaiting vacuum" instead.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    BENCH_DIR,
    DEFAULT_WORK_DIR,
    dir_size_mb,
    fmt_s,
    load_average,
    machine_report,
    peak_rss_mb,
    print_grid,
    print_table,
    quiet_dagster,
    summarize,
)

RESULTS_DIR = BENCH_DIR / "results"
STAGING = "bronze_player_game_stats_v2_staging"
HISTORY = "bronze_player_game_stats_v2"
EDGE_DAYS = 7  # "start" and "end" are the medians of the first and the last week of runs


def mb(n_bytes: float) -> str:
    return f"{n_bytes / 1024 / 1024:.1f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2024, 10, 8), help="first simulated day")
    parser.add_argument("--days", type=int, default=180, help="consecutive daily runs")
    parser.add_argument("--maintenance-every", type=int, default=7, help="days between maintenance runs; 0: never")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR / "season", help="deleted first")
    parser.add_argument("--label", default=None, help="name of the CSV/PNG (default: from the options)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR, help="where the CSV and PNG go")
    args = parser.parse_args(argv)
    label = args.label or f"{args.days}d_maint{args.maintenance_every}"

    quiet_dagster()
    import dagster as dg

    from nhl_bronze.automation.schedules import build_daily_schedule
    from nhl_bronze.definitions import defs
    from nhl_bronze.protection import open_store
    from nhl_bronze.resources.clock import ClockResource
    from nhl_bronze.resources.lakehouse import LakehouseResource
    from nhl_bronze.resources.simulated import SimulatedNhlApiResource
    from nhl_bronze.storage.maintenance import footprint
    from nhl_bronze.storage.raw_responses import RawResponseStore, response_frame
    from nhl_bronze.storage.tables import ALL_TABLES, RAW_API_RESPONSES

    class EveryBodyStore(RawResponseStore):
        """The raw store without the body-hash dedupe: what the dedupe saves is measured against it."""

        def record(self, responses):
            return self.store.append(RAW_API_RESPONSES, response_frame(responses), compress=True)

    print(machine_report())
    if args.work_dir.exists():
        shutil.rmtree(args.work_dir)
    data_dir, shadow_dir = args.work_dir / "data", args.work_dir / "raw_without_dedupe"
    store, shadow = open_store(data_dir), EveryBodyStore(open_store(shadow_dir))

    # Every response a run offers the raw store, kept to be landed again (untimed) into the no-dedupe store.
    offered: list = []
    record_with_dedupe = RawResponseStore.record

    def record_and_keep(self, responses):
        responses = list(responses)
        if self is not shadow:
            offered.extend(responses)
        return record_with_dedupe(self, responses)

    RawResponseStore.record = record_and_keep

    instance = dg.DagsterInstance.ephemeral()
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    daily_job, maintenance_job = defs.resolve_job_def("bronze_job"), defs.resolve_job_def("bronze_maintenance_job")
    # CPU time per step: the steps run one after the other in this process, so the process CPU clock read when
    # each step succeeds, minus the reading before it, is that step's CPU (its polars/deltalake threads included).
    # Steadier than wall time on a shared machine.
    cpu_marks: list[tuple[str, float]] = []

    @dg.success_hook
    def mark_cpu(context):
        cpu_marks.append((context.op.name, time.process_time()))

    daily_job = daily_job.with_hooks({mark_cpu})
    schedule = build_daily_schedule()
    days: list[dict] = []
    tables: list[dict] = []
    load_before, started = load_average(), time.perf_counter()
    for index in range(args.days):
        tick = datetime.combine(args.start + timedelta(days=index), datetime.min.time(), UTC).replace(hour=10)
        (request,) = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=tick)).run_requests
        today = (args.start + timedelta(days=index)).isoformat()
        resources = {
            "nhl_api": SimulatedNhlApiResource(simulator_today=today, rate_limit=0, max_in_flight=16),
            "lakehouse": LakehouseResource(data_dir=str(data_dir)),
            "clock": ClockResource(today=today),
        }
        cpu_marks.clear()
        run_started, cpu_started = time.perf_counter(), time.process_time()
        result = daily_job.execute_in_process(instance=instance, tags=request.tags, resources=resources,
                                              run_config=quiet, raise_on_error=False)
        run = summarize(result, time.perf_counter() - run_started)
        cpu_s = time.process_time() - cpu_started  # all threads of this process: less sensitive to others' load
        if not run.success:
            print(f"day {index + 1} ({today}): bronze_job FAILED", file=sys.stderr)
            return 1
        maintenance_s = None
        if args.maintenance_every and (index + 1) % args.maintenance_every == 0:
            maintenance_started = time.perf_counter()
            maintained = maintenance_job.execute_in_process(instance=instance, resources=resources,
                                                            run_config=quiet, raise_on_error=False)
            maintenance_s = time.perf_counter() - maintenance_started
            if not maintained.success:
                print(f"day {index + 1} ({today}): maintenance FAILED", file=sys.stderr)
                return 1
        shadow.record(offered)
        offered.clear()
        days.append({
            "day": index + 1, "date": today, "run_s": run.wall_s, "cpu_s": cpu_s, "maintenance_s": maintenance_s,
            "steps": dict(run.step_seconds), "step_cpu": step_cpu(cpu_marks, cpu_started),
            "games": int(run.value(STAGING, "games_fetched")), "inserted": int(run.value(HISTORY, "rows_inserted")),
            "raw_rows": store.row_count(RAW_API_RESPONSES), "raw_mb": dir_size_mb(store.uri(RAW_API_RESPONSES)),
            "raw_rows_no_dedupe": shadow.store.row_count(RAW_API_RESPONSES),
            "raw_mb_no_dedupe": dir_size_mb(shadow.store.uri(RAW_API_RESPONSES)),
            "ledger_mb": dir_size_mb(data_dir / "_nhl_bronze_ledger"),
            "ledger_files": sum(len(names) for _, _, names in os.walk(data_dir / "_nhl_bronze_ledger")),
        })
        for spec in ALL_TABLES:
            if store.exists(spec):
                fp = footprint(store, spec, store.table(spec))
                tables.append({"day": index + 1, "table": spec.name, "version": store.version(spec),
                               "files": fp.files, "bytes": fp.bytes, "log_files": fp.log_files,
                               "log_bytes": fp.log_bytes, "stored_bytes": fp.stored_bytes})
        note = f", maintenance {maintenance_s:.1f} s" if maintenance_s is not None else ""
        steps = " ".join(f"{short_step(k)} {v:.2f}/{days[-1]['step_cpu'].get(k, 0.0):.2f}"
                         for k, v in sorted(run.step_seconds.items()))
        print(f"day {index + 1:3d} {today}: {run.wall_s:5.1f} s (CPU {cpu_s:4.1f} s), {days[-1]['games']:2d} games"
              f"{note} | steps (wall/CPU s) {steps}", flush=True)
    RawResponseStore.record = record_with_dedupe
    total_s = time.perf_counter() - started

    args.results_dir.mkdir(parents=True, exist_ok=True)
    csv_path = args.results_dir / f"season_{label}.csv"
    with csv_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(tables[0]))
        writer.writeheader()
        writer.writerows(tables)
    png_path = plot(days, tables, args.results_dir / f"season_{label}.png")
    report(args, days, tables, total_s, load_before, csv_path, png_path, data_dir)
    return 0


def step_cpu(marks: list[tuple[str, float]], cpu_started: float) -> dict[str, float]:
    """Step -> CPU seconds, from the process CPU clock read as each step succeeded (in execution order)."""
    cpu, previous = {}, cpu_started
    for name, mark in marks:
        cpu[name] = mark - previous
        previous = mark
    return cpu


def short_step(step_key: str) -> str:
    """A step key without the table-name noise, for the per-day line (``bronze_skaters_2023_v2`` -> ``skaters``)."""
    name = step_key.removeprefix("bronze_").removesuffix("_v2").replace("_2023", "")
    return name.split("_")[0] if name.startswith("freshness_check") else name


def edge_medians(days: list[dict], measure: str) -> tuple[float, float, float, float]:
    """Median of ``measure`` (run_s or cpu_s), and of it per game, over the first and the last week of runs."""
    with_games = [d for d in days if d["games"]] or days
    edge = min(EDGE_DAYS, max(1, len(with_games) // 2))
    first, last = with_games[:edge], with_games[-edge:]

    def per_game(sample: list[dict]) -> float:
        return statistics.median(d[measure] / max(d["games"], 1) for d in sample)

    return (statistics.median(d[measure] for d in first), statistics.median(d[measure] for d in last),
            per_game(first), per_game(last))


def report(args, days, tables, total_s, load_before, csv_path, png_path, data_dir) -> None:
    start_s, end_s, start_pg, end_pg = edge_medians(days, "run_s")
    start_cpu, end_cpu, start_cpu_pg, end_cpu_pg = edge_medians(days, "cpu_s")
    last_day = days[-1]["day"]
    final = [t for t in tables if t["day"] == last_day]
    live = sum(t["bytes"] for t in final)
    logs = sum(t["log_bytes"] or 0 for t in final)
    stored = sum(t["stored_bytes"] or 0 for t in final)
    maintenance = [d["maintenance_s"] for d in days if d["maintenance_s"] is not None]
    raw_rows, raw_rows_plain = days[-1]["raw_rows"], days[-1]["raw_rows_no_dedupe"]
    print_table("bench_season results", [
        ("simulated days (daily runs, 3-day lookback, rate limit off)",
         f"{len(days)}: {days[0]['date']} .. {days[-1]['date']}"),
        ("maintenance", f"every {args.maintenance_every} days ({len(maintenance)} runs, median "
                        f"{fmt_s(statistics.median(maintenance)) if maintenance else '-'})"
         if args.maintenance_every else "never"),
        ("games fetched / history rows inserted", f"{sum(d['games'] for d in days):,} / "
                                                  f"{sum(d['inserted'] for d in days):,}"),
        ("daily run, median of first / last week", f"{start_s:.2f} s / {end_s:.2f} s"),
        ("ratio end / start (target <= 1.2)", f"{end_s / start_s:.2f}"),
        ("per game, first / last week (ratio)", f"{start_pg:.3f} s / {end_pg:.3f} s ({end_pg / start_pg:.2f})"),
        ("CPU time of the run, first / last week (ratio)",
         f"{start_cpu:.2f} s / {end_cpu:.2f} s ({end_cpu / start_cpu:.2f})"),
        ("CPU per game, first / last week (ratio)",
         f"{start_cpu_pg:.3f} s / {end_cpu_pg:.3f} s ({end_cpu_pg / start_cpu_pg:.2f})"),
        ("storage used (all table folders)", mb(stored)),
        ("  live data (files of the current versions)", mb(live)),
        ("  Delta logs", mb(logs)),
        ("  awaiting vacuum (older versions' files, < retention)", mb(stored - live - logs)),
        ("raw store rows / size with dedupe", f"{raw_rows:,} / {days[-1]['raw_mb']:.1f} MB"),
        ("raw store rows / size without dedupe", f"{raw_rows_plain:,} / {days[-1]['raw_mb_no_dedupe']:.1f} MB"),
        ("raw store growth saved by the dedupe",
         f"{1 - days[-1]['raw_mb'] / max(days[-1]['raw_mb_no_dedupe'], 1e-9):.0%} of the bytes, "
         f"{1 - raw_rows / max(raw_rows_plain, 1):.0%} of the rows"),
        ("ledger of the protected tables: objects / size",
         f"{days[-1]['ledger_files']:,} / {days[-1]['ledger_mb']:.2f} MB"),
        ("data dir size", f"{dir_size_mb(data_dir):.1f} MB"),
        ("total wall time", fmt_s(total_s)),
        ("peak RSS (VmHWM)", f"{peak_rss_mb():.0f} MB"),
        ("load average before / after", f"{load_before} / {load_average()}"),
        ("per-day CSV / plot", f"{csv_path} / {png_path or 'not drawn (pip install matplotlib)'}"),
    ])
    checkpoints = sorted({1, *range(30, last_day + 1, 30), last_day})
    print_grid("live files / Delta log entries / log size per table over time",
               ["table", *[f"day {d}" for d in checkpoints]],
               [[name, *[_cell(tables, name, d) for d in checkpoints]]
                for name in sorted({t["table"] for t in tables})])
    run_rows = [[d, f"{days[d - 1]['run_s']:.2f} s", f"{days[d - 1]['cpu_s']:.2f} s", days[d - 1]["games"]]
                for d in checkpoints]
    print_grid("daily run time over the season", ["day", "wall", "CPU", "games"], run_rows)
    steps = sorted({step for d in days for step in d["steps"]})
    edge = min(EDGE_DAYS, max(1, len(days) // 2))
    for measure, label in (("steps", "wall"), ("step_cpu", "CPU")):
        print_grid(f"step times ({label}), median of the first / last week",
                   ["step", "first week", "last week", "ratio"], [
            [step, f"{first:.2f} s", f"{last:.2f} s", f"{last / first:.2f}" if first else "-"]
            for step in steps
            for first, last in [(statistics.median(d[measure].get(step, 0.0) for d in days[:edge]),
                                 statistics.median(d[measure].get(step, 0.0) for d in days[-edge:]))]
        ])


def _cell(tables: list[dict], name: str, day: int) -> str:
    row = next((t for t in tables if t["table"] == name and t["day"] == day), None)
    if row is None:
        return "-"
    return f"{row['files']} / {row['log_files']} / {row['log_bytes'] / 1024:.0f} kB"


def plot(days: list[dict], tables: list[dict], path: Path) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    figure, axes = plt.subplots(2, 2, figsize=(13, 8))
    run, files, log, raw = axes.flat
    run.plot([d["day"] for d in days], [d["run_s"] for d in days], label="daily run (wall)")
    run.plot([d["day"] for d in days], [d["cpu_s"] for d in days], label="daily run (CPU)")
    run.scatter([d["day"] for d in days if d["maintenance_s"]],
                [d["maintenance_s"] for d in days if d["maintenance_s"]], color="red", s=8, label="maintenance")
    run.set(title="run time (s)", xlabel="day")
    run.legend()
    for name in sorted({t["table"] for t in tables}):
        rows = [t for t in tables if t["table"] == name]
        files.plot([t["day"] for t in rows], [t["files"] for t in rows], label=name)
        log.plot([t["day"] for t in rows], [(t["log_bytes"] or 0) / 1024 for t in rows], label=name)
    files.set(title="live data files per table", xlabel="day", yscale="log")
    log.set(title="Delta log size per table (kB)", xlabel="day")
    files.legend(fontsize=7)
    raw.plot([d["day"] for d in days], [d["raw_mb"] for d in days], label="with body hash dedupe")
    raw.plot([d["day"] for d in days], [d["raw_mb_no_dedupe"] for d in days], label="without")
    raw.set(title="raw landing store (MB on disk)", xlabel="day")
    raw.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    return path


if __name__ == "__main__":
    raise SystemExit(main())
