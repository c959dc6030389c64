"""Benchmark: what the deep content check costs (``nhl-bronze verify --deep`` and the history run's daily sample).

    python benchmarks/bench_deep_verify.py                       # three seasons of player rows (~600 k), once
    python benchmarks/bench_deep_verify.py --rows 50000 --repeat 1   # smoke
    python benchmarks/bench_deep_verify.py --keep-table           # time again on the table built last time

``--keep-table`` lets two code trees be timed alternately on one table (A/B: run it with ``PYTHONPATH`` set to
each tree in turn; a tree whose hash differs from the one that built the table fails its full check).

The player history table (the wide one: ~137 columns) is built as ``bench_merge`` builds it: one day of the
synthetic league's player rows, replicated over consecutive dates, appended a week per commit through the protected
store with real ``_row_hash`` values, then maintained as the weekly maintenance would (season files in date
order). It then times, alternated within each repetition,

* ``check_content`` of the whole table (what ``verify --deep`` runs per history table),
* the floor of that: reading the same files without hashing (the part no content check avoids),
* ``check_sample`` for the last built date (what every history run checks: the window's files + 2 random files).

The team table holds ~1/18 of the player rows and ~1/2 of the columns: its full check is estimated from the
player rate (printed), not built.
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import polars as pl
from _common import DEFAULT_WORK_DIR, dir_size_mb, load_average, machine_report, peak_rss_mb, print_grid
from bench_merge import date_log_back, history_rows, shifted, synthetic_day

THREE_SEASONS_PLAYER_ROWS = 600_000  # ~1,312 games a season x ~46 rows a game x 3 situations... as measured: 3 x 200 k


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=THREE_SEASONS_PLAYER_ROWS, help="player history rows to build")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--day", default="2024-11-26", help="synthetic-league day to replicate (a 9-game day)")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR / "deep_verify",
                        help="deleted first, unless --keep-table")
    parser.add_argument("--keep-table", action="store_true", help="reuse the table built in --work-dir, if any")
    args = parser.parse_args(argv)

    from datetime import date

    from nhl_bronze.protection import open_store
    from nhl_bronze.protection.content import check_content, check_sample
    from nhl_bronze.storage.maintenance import maintain_table
    from nhl_bronze.storage.tables import PLAYER_GAME_STATS_HISTORY as SPEC

    print(machine_report())
    base = synthetic_day(date.fromisoformat(args.day))
    print(f"base day: {base.height} player rows, {base['gameId'].n_unique()} games, {base.width} columns")
    days = math.ceil(args.rows / base.height)
    if args.keep_table and args.work_dir.exists():
        store = open_store(args.work_dir)
        print(f"reusing the table in {args.work_dir}", flush=True)
    else:
        if args.work_dir.exists():
            shutil.rmtree(args.work_dir)
        store = open_store(args.work_dir)
        started = time.perf_counter()
        for first in range(0, days, 7):
            store.append(SPEC, pl.concat([history_rows(shifted(base, i)[0], "bench-build")
                                          for i in range(first, min(days, first + 7))]))
        date_log_back(store.uri(SPEC), days=60)
        maintain_table(store, SPEC)
        print(f"built over {days} dates in {time.perf_counter() - started:.0f} s", flush=True)
    table = store.table(SPEC)
    files = table.get_add_actions(flatten=True).column("path").to_pylist()
    rows = store.row_count(SPEC)
    print(f"table: {rows:,} rows, {len(files)} files, {dir_size_mb(store.uri(SPEC)):.0f} MB (load {load_average()})",
          flush=True)
    _, last_day = shifted(base, days - 1)

    timings: dict[str, list[float]] = {"full": [], "read": [], "sample": []}
    for rep in range(args.repeat):
        started = time.perf_counter()
        for path in files:  # the floor: the same files read whole, batch by batch, nothing hashed
            store.scan_table(table, only_files=[path]).collect()
        timings["read"].append(time.perf_counter() - started)
        started = time.perf_counter()
        report = check_content(store, store.open(SPEC))
        timings["full"].append(time.perf_counter() - started)
        assert report.ok and report.rows_checked == rows, report
        started = time.perf_counter()
        sample = check_sample(store, SPEC, last_day, last_day + timedelta(days=1))
        timings["sample"].append(time.perf_counter() - started)
        assert sample.ok
        print(f"  repetition {rep + 1}: full {timings['full'][-1]:.1f} s, read only {timings['read'][-1]:.1f} s, "
              f"sample {timings['sample'][-1]:.2f} s ({sample.rows_checked:,} rows in {sample.files_checked} files)"
              f" (load {load_average()})", flush=True)

    full, read, sample_s = (statistics.median(timings[k]) for k in ("full", "read", "sample"))
    per_row_us = full / rows * 1e6
    teams_estimate = full * (1 / 18) * 0.5  # ~1/18 of the rows, ~half the columns
    print_grid(
        f"bench_deep_verify (median of {args.repeat})",
        ["player rows", "files", "full check", "of which read (floor)", "per row", "daily sample",
         "team table (estimate)", "peak RSS"],
        [[f"{rows:,}", len(files), f"{full:.1f} s", f"{read:.1f} s", f"{per_row_us:.0f} us", f"{sample_s:.2f} s",
          f"~{teams_estimate:.1f} s", f"{peak_rss_mb():.0f} MB"]],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
