"""Benchmark 4: cost of merging one day into the player history table as history grows.

    python benchmarks/bench_merge.py                                  # 0.1 M, 1 M, 3 M rows, median of 5
    python benchmarks/bench_merge.py --source-data-dir /tmp/nhl_bench/full_default   # real staged day from a backfill
    python benchmarks/bench_merge.py --sizes 4000,8000 --repeat 1     # smoke

The history table is realistic: one real staged day of player rows (the day with the most rows in
``--source-data-dir``'s staging table, or a day computed from the synthetic league), replicated with shifted
``gameDate``/``gameId``/``season``, ``--days-per-commit`` dates per commit, appended through ``DeltaStore.append``
with the history table's spec (partitioned by season, ``delta.appendOnly``), with real ``_row_hash`` values, then
maintained as the weekly maintenance would (``maintain_table``: each season rewritten in game-date order into files
of ~4 MB, so a day's merge and version lookup open one or two files at any size; checkpoint, log cleanup; skip with
``--no-maintenance``). A history of millions of rows was built over seasons, so the log cleanup of its maintenance
(30-day log retention) has long dropped the commits that built it; here the build takes minutes, so its commit
files are dated 60 days back before that maintenance (``--keep-build-log``: a log of one commit per build batch,
which no real table keeps). At each size it times ``nhl_bronze.protection.merge.merge_new_versions`` (exactly what the
history step calls, history audit included) for

* a new day (all rows inserted as version 1), and
* a re-merge of a day already in history (0 rows inserted),

and ``DeltaStore.row_count`` (the history asset counts the table twice per run). Medians of ``--repeat``.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import polars as pl
from _common import (
    DEFAULT_WORK_DIR,
    dir_size_mb,
    load_average,
    machine_report,
    peak_rss_mb,
    print_grid,
    print_table,
)

FIRST_SYNTHETIC_DATE = date(2000, 1, 1)  # replicated days: 2000-01-01, 2000-01-02, ...
GAME_ID_STEP = 100  # a day's games span < 100 ids, so shifted days never collide


def real_day_from_staging(data_dir: Path) -> pl.DataFrame:
    path = data_dir / "bronze_player_game_stats_v2_staging"
    scan = pl.scan_delta(str(path))
    busiest = scan.group_by("gameDate").len().sort("len", descending=True).collect()["gameDate"][0]
    return scan.filter(pl.col("gameDate") == busiest).collect()


def synthetic_day(day: date) -> pl.DataFrame:
    """One day's player rows computed from the synthetic league, in-process (no server needed)."""
    from nhl_bronze.pipeline.parse import parse_games
    from nhl_bronze.resources.simulated import SimulatedNhlApiResource

    api = SimulatedNhlApiResource(simulator_today=(day + timedelta(days=1)).isoformat(), rate_limit=0)
    with api.open_session() as session:
        window = session.fetch_window(day, day + timedelta(days=1))
    parsed = parse_games(window.games)  # what staging runs (bodies arrive as JSON bytes)
    assert not parsed.failures, parsed.failures
    return parsed.frames.players


def shifted(base: pl.DataFrame, index: int) -> tuple[pl.DataFrame, date]:
    day = FIRST_SYNTHETIC_DATE + timedelta(days=index)
    season_start = day.year if day.month >= 9 else day.year - 1  # an NHL season starts in the autumn
    frame = base.with_columns(
        pl.lit(day.year * 10_000 + day.month * 100 + day.day, dtype=pl.Int32).alias("gameDate"),
        (pl.col("gameId") + index * GAME_ID_STEP).cast(base.schema["gameId"]),
        pl.lit(season_start * 10_000 + season_start + 1, dtype=base.schema["season"]).alias("season"),
    )
    return frame, day


def history_rows(frame: pl.DataFrame, run_id: str) -> pl.DataFrame:
    from nhl_bronze.storage.history import INGESTED_AT, RUN_ID, VERSION, content_hash

    return frame.with_columns(content_hash(frame)).with_columns(
        pl.lit(datetime.now(UTC)).cast(pl.Datetime("us", "UTC")).alias(INGESTED_AT),
        pl.lit(run_id, dtype=pl.String).alias(RUN_ID),
        pl.lit(1, dtype=pl.Int32).alias(VERSION),
    )


def date_log_back(table_uri: str, days: int) -> None:
    """Date the table's commit files ``days`` back (file times, which the log cleanup judges them by)."""
    then = time.time() - days * 24 * 3600
    for commit in Path(table_uri, "_delta_log").glob("*.json"):
        os.utime(commit, (then, then))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000,3000000", help="history sizes in rows, ascending")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--source-data-dir", type=Path, default=None,
                        help="take the real staged day from this data dir (default: compute one, synthetic league)")
    parser.add_argument("--day", type=date.fromisoformat, default=date(2024, 11, 26),
                        help="synthetic-league day to replicate when no --source-data-dir (default: a 9-game day)")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR / "merge", help="deleted first")
    parser.add_argument("--days-per-commit", type=int, default=7, help="dates appended per commit while building")
    parser.add_argument("--no-maintenance", action="store_true", help="measure the table as built (no compaction)")
    parser.add_argument("--keep-build-log", action="store_true",
                        help="do not date the build's commits back (the maintenance's log cleanup then keeps them)")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))

    from nhl_bronze.protection import open_store
    from nhl_bronze.protection.merge import merge_new_versions
    from nhl_bronze.storage.maintenance import maintain_table
    from nhl_bronze.storage.tables import PLAYER_GAME_STATS_HISTORY as SPEC

    print(machine_report())
    if args.source_data_dir:
        base = real_day_from_staging(args.source_data_dir)
        origin = f"busiest staged day of {args.source_data_dir}"
    else:
        base = synthetic_day(args.day)
        origin = f"{args.day} of the synthetic league (computed in-process)"
    games = base["gameId"].n_unique()
    print(f"base day: {origin}: {base.height} player rows, {games} games, {base.width} columns")

    if args.work_dir.exists():
        shutil.rmtree(args.work_dir)
    built = []
    for size in sizes:  # one table per size, so the sizes can be measured alternately
        store = open_store(args.work_dir / f"rows_{size}")
        target_days = math.ceil(size / base.height)
        started = time.perf_counter()
        for first_day in range(0, target_days, args.days_per_commit):
            batch = range(first_day, min(target_days, first_day + args.days_per_commit))
            store.append(SPEC, pl.concat([history_rows(shifted(base, i)[0], "bench-build") for i in batch]))
        if not args.keep_build_log:
            date_log_back(store.uri(SPEC), days=60)
        if not args.no_maintenance:
            maintain_table(store, SPEC)
        files = len(store.table(SPEC).get_add_actions(flatten=True).column("path").to_pylist())
        built.append({"size": size, "store": store, "dates": target_days, "rows": store.row_count(SPEC),
                      "files": files, "mb": dir_size_mb(store.uri(SPEC)), "build_s": time.perf_counter() - started,
                      "new": [], "remerge": [], "count": []})
        print(f"  built {built[-1]['rows']:,} rows in {built[-1]['build_s']:.0f} s, {files} data files "
              f"(load {load_average()})", flush=True)

    # Sizes alternate within each repetition (A B A B ...), so a ratio compares runs made under the same load.
    for rep in range(args.repeat):
        for entry in built:
            store = entry["store"]
            existing, existing_day = shifted(base, entry["dates"] - 1)
            started = time.perf_counter()
            result = merge_new_versions(store, SPEC, lambda e=existing: e, existing_day,
                                        existing_day + timedelta(days=1), f"bench-remerge-{rep}", datetime.now(UTC))
            entry["remerge"].append(time.perf_counter() - started)
            assert result.rows_written == 0, f"re-merge inserted {result.rows_written} rows"
            new, new_day = shifted(base, 100_000 + rep)  # a fresh date, after every built one
            started = time.perf_counter()
            result = merge_new_versions(store, SPEC, lambda n=new: n, new_day, new_day + timedelta(days=1),
                                        f"bench-new-{rep}", datetime.now(UTC))
            entry["new"].append(time.perf_counter() - started)
            assert result.rows_written == new.height, f"new-day merge inserted {result.rows_written}/{new.height}"
            started = time.perf_counter()
            store.row_count(SPEC)
            entry["count"].append(time.perf_counter() - started)
        print(f"  repetition {rep + 1}: new-day merge " + ", ".join(
            f"{e['new'][-1]:.3f} s" for e in built) + f" (load {load_average()})", flush=True)

    print_grid(
        f"bench_merge results (median of {args.repeat}; one day = {base.height} player rows, {games} games)",
        ["history rows", "dates", "data files", "table size", "build", "merge new day",
         "re-merge existing day (0 inserts)", "row count (log statistics)"],
        [[f"{r['rows']:,}", r["dates"], r["files"], f"{r['mb']:.0f} MB", f"{r['build_s']:.0f} s",
          f"{statistics.median(r['new']):.3f} s", f"{statistics.median(r['remerge']):.3f} s",
          f"{statistics.median(r['count']):.3f} s"] for r in built],
    )
    first, last = built[0], built[-1]

    def pair_ratio(metric: str) -> str:
        ratios = [b / a for a, b in zip(first[metric], last[metric], strict=True)]
        return f"{statistics.median(ratios):.2f} (pairs: {min(ratios):.2f} .. {max(ratios):.2f})"

    print_table("bench_merge ratios (largest / smallest history, median of per-repetition ratios)", [
        ("sizes", f"{last['rows']:,} / {first['rows']:,} rows"),
        ("merge new day ratio (target <= 1.2)", pair_ratio("new")),
        ("re-merge existing day ratio (target <= 1.2)", pair_ratio("remerge")),
        ("row count ratio", pair_ratio("count")),
        ("maintenance after build", "no" if args.no_maintenance else "maintain_table (sorted by gameDate, checkpoint)"),
        ("build's commits", "kept" if args.keep_build_log else "dated 60 days back: the log cleanup dropped them"),
        ("peak RSS of this process (VmHWM)", f"{peak_rss_mb():.0f} MB"),
        ("load average at end", load_average()),
    ])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
