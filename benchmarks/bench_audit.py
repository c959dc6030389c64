"""What the history audit costs per run and what ``nhl-bronze verify``'s full audit costs, at three seasons.

Builds a player history of ``--seasons`` seasons (1,312 games of ``--rows-per-game`` rows each, the contract's
133 columns with small synthetic values), appended through the guarded store in ``--commits-per-season``
commits (each audited before and recorded in the ledger after, as production's), then compacted per season by
the project's maintenance (what a deployment's table looks like). Then measures, alternating so that other load
on the machine hits each alike, each in a cold state (the ledger read again, as in a new run's process):

* per run: the blocking audit a run's first commit pays (table opened, ledger read and checked, newest commit
  files re-hashed, live files against the ledger with their size on storage, the daily SHA-256 sample);
* per later commit of the same run: the same audit, ledger cached, no sample;
* verify: every recorded commit file re-hashed and every live data file's SHA-256 (``audit_table(full, deep)``).

    python benchmarks/bench_audit.py                      # three seasons, ~600 k rows
    python benchmarks/bench_audit.py --seasons 1 --repeat 1
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import dir_size_mb, fmt_s, machine_report, print_table

GAMES_PER_SEASON = 1312


def synthetic_rows(season: int, first_game: int, games: int, rows_per_game: int):
    """Rows of the player contract: random small counts and two-decimal floats (real statistics compress a little
    better: more zeros), the identity columns as production fills them."""
    import polars as pl

    from nhl_bronze.contract import PLAYER_GAME_STATS_SCHEMA

    count = games * rows_per_game
    seed = season * 10_000 + first_game
    decimals = pl.int_range(0, 6_000, eager=True) / 100
    counts = pl.Series([0, 0, 0, 0, 0, 1, 1, 1, 2, 3])
    index = pl.int_range(0, count, dtype=pl.Int64, eager=True)
    game = first_game + index // rows_per_game
    columns = {}
    for name, dtype in PLAYER_GAME_STATS_SCHEMA.items():
        if name == "gameId":
            columns[name] = season * 1_000_000 + 20_000 + game
        elif name == "playerId":
            columns[name] = 8_470_000 + index % rows_per_game
        elif name == "gameDate":
            columns[name] = (season * 10_000 + 1_001 + (game // 8) % 28 + 100 * ((game // 224) % 3)).cast(dtype)
        elif name == "season":
            columns[name] = pl.Series([season * 10_000 + season + 1] * count).cast(dtype)
        elif name == "situation":
            columns[name] = pl.Series(["all", "5on5", "5on4", "4on5"] * (count // 4 + 1))[:count].cast(dtype)
        elif dtype == pl.String:
            columns[name] = pl.Series(["TOR", "MTL", "BOS", "NYR"] * (count // 4 + 1))[:count]
        elif dtype.is_float():  # e.g. ice time, expected goals: two decimals
            columns[name] = decimals.sample(count, with_replacement=True, seed=seed + len(columns)).cast(dtype)
        else:  # counts: mostly 0-3
            columns[name] = counts.sample(count, with_replacement=True, seed=seed + len(columns)).cast(dtype)
    frame = pl.DataFrame(columns)
    return frame.select(list(PLAYER_GAME_STATS_SCHEMA)).cast(dict(PLAYER_GAME_STATS_SCHEMA))


def build(root: str, seasons: int, rows_per_game: int, commits_per_season: int) -> tuple[float, int]:
    import polars as pl

    from nhl_bronze.protection import open_store
    from nhl_bronze.storage.history import INGESTED_AT, ROW_HASH, RUN_ID, VERSION
    from nhl_bronze.storage.maintenance import maintain_table
    from nhl_bronze.storage.tables import PLAYER_GAME_STATS_HISTORY

    store = open_store(root)
    started = time.perf_counter()
    rows = 0
    games_per_commit = -(-GAMES_PER_SEASON // commits_per_season)
    for season in range(2022, 2022 + seasons):
        for first in range(0, GAMES_PER_SEASON, games_per_commit):
            frame = synthetic_rows(season, first, min(games_per_commit, GAMES_PER_SEASON - first), rows_per_game)
            frame = frame.with_columns(
                pl.lit(None, pl.Datetime("us", "UTC")).alias(INGESTED_AT), pl.lit("bench").alias(RUN_ID),
                pl.lit("0" * 40).alias(ROW_HASH), pl.lit(1, pl.Int32).alias(VERSION))
            store.append(PLAYER_GAME_STATS_HISTORY, frame)
            rows += frame.height
    maintain_table(store, PLAYER_GAME_STATS_HISTORY, since_version=0)
    return time.perf_counter() - started, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seasons", type=int, default=3)
    parser.add_argument("--rows-per-game", type=int, default=152, help="players x situations of one game")
    parser.add_argument("--commits-per-season", type=int, default=26, help="appends per season (weekly: 26)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from nhl_bronze.protection import audit, open_store
    from nhl_bronze.protection.audit import audit_table, ledger_of, require_untampered
    from nhl_bronze.storage.tables import PLAYER_GAME_STATS_HISTORY as HISTORY

    print(machine_report())
    with tempfile.TemporaryDirectory(prefix="bench_audit_") as root:
        build_s, rows = build(root, args.seasons, args.rows_per_game, args.commits_per_season)
        store = open_store(root)

        def first_commit_audit() -> None:
            audit._ledgers.clear()  # a new run's process: the ledger is read again
            store.guard = open_store(root).guard
            require_untampered(store, store.open(HISTORY), sample=True)

        def later_commit_audit() -> None:
            require_untampered(store, store.open(HISTORY))

        def verify() -> None:
            audit._ledgers.clear()
            store.guard = open_store(root).guard
            report = audit_table(store, HISTORY, full=True, deep=True)
            assert report.ok, report.problems

        timings: dict[str, list[float]] = {"first": [], "later": [], "verify": []}
        for _ in range(args.repeat):
            for name, measured in (("first", first_commit_audit), ("later", later_commit_audit),
                                   ("verify", verify)):
                started = time.perf_counter()
                measured()
                timings[name].append(time.perf_counter() - started)
        snapshot = store.open(HISTORY)
        files = len(snapshot.delta_table().get_add_actions(flatten=True))
        entries = len(ledger_of(store).entries(HISTORY.name))
        print_table(f"bench_audit results ({args.seasons} seasons, median of {args.repeat}, alternated)", [
            ("history rows / Delta version / live files", f"{rows:,} / {snapshot.version()} / {files}"),
            ("table size on disk", f"{dir_size_mb(Path(root) / HISTORY.name):.1f} MB"),
            ("ledger entries / size on disk",
             f"{entries:,} / {dir_size_mb(Path(root) / '_nhl_bronze_ledger'):.2f} MB"),
            ("build (appends + maintenance)", fmt_s(build_s)),
            ("audit of a run's first commit (cold ledger, daily sample)",
             f"{statistics.median(timings['first']):.3f} s"),
            ("audit of a later commit in the run", f"{statistics.median(timings['later']):.3f} s"),
            ("verify's full audit (all commit files, all data files' SHA-256)",
             f"{statistics.median(timings['verify']):.3f} s"),
        ])
    return 0


if __name__ == "__main__":
    sys.exit(main())
