"""How the ledger's reads scale with its length: a decade of daily runs is ~10,000 entries per table.

Builds a ledger of ``--entries`` commit entries (each with ``--adds`` added files, as a daily history merge has)
through ``Ledger.append`` (so segments are sealed as in production), then measures, alternating so that other load
on the machine hits both alike:

* cold read: a new process's first ``entries()`` (list the folder, read the sealed segments and the newest
  unsealed entries, verify the whole chain) and ``state()`` (what the audit needs: known versions, live files);
* warm read: a later ``entries()`` in the same process (list the folder, read nothing new);
* one append at the head (what each commit costs).

Prints the ledger's size on disk.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_report, print_table


def build(root: str, table: str, entries: int, adds: int) -> float:
    from nhl_bronze.protection.ledger import Ledger

    ledger = Ledger(root)
    started = time.perf_counter()
    for version in range(entries):
        files = [{"path": f"season=20242025/part-{version:06d}-{i}.parquet", "size": 4_000_000 + i,
                  "num_records": 30_000, "sha256": f"{version:032x}{i:032x}"} for i in range(adds)]
        ledger.append(table, "commit", f"run-{version}", version=version, operation="MERGE",
                      commit_sha256=f"{version:064x}", adds=files, removes=[], intent=None)
    return time.perf_counter() - started


def folder_files(folder: str) -> list[str]:
    return [os.path.join(top, name) for top, _, names in os.walk(folder) for name in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--adds", type=int, default=2, help="files added per commit entry")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from nhl_bronze.protection.ledger import Ledger, state_of

    print(machine_report())
    table = "bronze_player_game_stats_v2"
    with tempfile.TemporaryDirectory(prefix="bench_ledger_") as root:
        build_seconds = build(root, table, args.entries, args.adds)
        cold, states, warm, appends = [], [], [], []
        for _ in range(args.repeat):
            ledger = Ledger(root)  # a new process: nothing cached
            started = time.perf_counter()
            entries = ledger.entries(table)
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            state = state_of(table, entries)
            states.append(time.perf_counter() - started)
            started = time.perf_counter()
            ledger.entries(table)
            warm.append(time.perf_counter() - started)
            started = time.perf_counter()
            ledger.append(table, "pending", "bench", intent="x")
            appends.append(time.perf_counter() - started)
        files = folder_files(os.path.join(root, table))
        print_table(f"ledger of {args.entries:,} commit entries ({args.adds} files each), median of {args.repeat}", [
            ("entries read", f"{len(entries):,}"),
            ("live files in the state", f"{len(state.live):,}"),
            ("cold read + chain check (s)", f"{statistics.median(cold):.3f}"),
            ("state from entries (s)", f"{statistics.median(states):.3f}"),
            ("warm re-read (s)", f"{statistics.median(warm):.4f}"),
            ("one append (s)", f"{statistics.median(appends):.4f}"),
            ("build: appends per second", f"{args.entries / build_seconds:,.0f}"),
            ("objects (entries + segments)", f"{len(files):,} ({sum('segment-' in f for f in files)} segments)"),
            ("size of the objects (MB)", f"{sum(os.path.getsize(f) for f in files) / 1e6:.1f}"),
        ])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
