"""Benchmark 9: where an unthrottled API staging step's time goes (fetch, land, parse, write), and landing A/B.

    python benchmarks/bench_fetch_path.py                                  # 2024-01-01 .. 2024-01-28, ~200 games
    python benchmarks/bench_fetch_path.py --start 2024-01-01 --end 2024-01-07

``stage_window`` with the API source against the loopback simulator (own process, pre-rendered answers, no
latency, no rate limit, 32 in flight), parsing in-process (one parse worker), so that every thread's work is in
this process. A sampler thread reads every other thread's Python stack every 5 ms and files each sample under
the first phase its stack is in (landing bodies in the raw store, staging writes, parsing, HTTP client) or as
waiting (a thread blocked in a lock, a queue or ``select``). Then, on the bodies just landed, the raw store's
append (zstd as ``DeltaStore.append(compress=True)``) at the level in the code and at level 6 (before), alternated,
CPU seconds each: the ratio is the part of landing that compression was.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_WORK_DIR, load_average, machine_report, print_grid, print_table, simulator_process

# A sample's phase: the first of these whose marker ("file:function" prefix) is on its stack.
PHASES = (
    ("landing: compress + write (raw store)", ("raw_responses.py:record", "writer.py:write_deltalake")),
    ("landing: hash, rows, dedupe (raw store)", ("raw_responses.py:record",)),
    ("staging write", ("staging.py:_write",)),
    ("parse", ("parse.py:parse_games",)),
    ("HTTP client (httpx, asyncio)", ("session.py:",)),
)
WAITING = ("threading.py:wait", "selectors.py:", "queue.py:get", "threading.py:_wait_for_tstate_lock",
           "_base.py:result", "thread.py:_worker")


class StackSampler:
    """Samples the Python stacks of the other threads of this process every ``interval_s``."""

    def __init__(self, interval_s: float = 0.005) -> None:
        self.interval_s = interval_s
        self.phases: collections.Counter[str] = collections.Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stack-sampler", daemon=True)

    def _run(self) -> None:
        own = threading.get_ident()
        while not self._stop.wait(self.interval_s):
            for ident, frame in sys._current_frames().items():
                if ident != own:
                    self.phases[classify(frame)] += 1

    def __enter__(self) -> StackSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def classify(frame) -> str:
    stack = []
    while frame is not None:
        stack.append(f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_code.co_name}")
        frame = frame.f_back
    if stack[0].startswith(WAITING):
        return "waiting"
    for phase, markers in PHASES:
        if all(any(entry.startswith(marker) for entry in stack) for marker in markers):
            return phase
    return "other (glue, schedule, Python start-up)"


def append_cpu_seconds(data_dir: Path, level: int) -> tuple[float, float]:
    """CPU seconds and MB of appending the landed bodies to a new raw table at zstd ``level``."""
    import polars as pl
    from deltalake import WriterProperties, write_deltalake

    frame = pl.read_delta(str(data_dir / "raw_nhl_api_responses"))
    target = tempfile.mkdtemp(prefix="nhl_bench_land_", dir=DEFAULT_WORK_DIR)
    try:
        started = time.process_time()
        write_deltalake(target, frame, mode="append", partition_by=["endpoint", "gameDate"],
                        writer_properties=WriterProperties(compression="ZSTD", compression_level=level))
        cpu = time.process_time() - started
        size = sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(target) for name in names)
        return cpu, size / 1e6
    finally:
        shutil.rmtree(target)


def code_level() -> int:
    """The zstd level ``DeltaStore.append(compress=True)`` writes with (read from its source line)."""
    import inspect

    from nhl_bronze.storage.delta import DeltaStore

    source = inspect.getsource(DeltaStore.append)
    return int(source.split("compression_level=")[1].split(")")[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2024, 1, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2024, 1, 28), help="inclusive")
    parser.add_argument("--pairs", type=int, default=3, help="alternated pairs of the landing A/B")
    args = parser.parse_args(argv)
    from datetime import timedelta

    from nhl_bronze.pipeline.staging import stage_window
    from nhl_bronze.resources.ingest import IngestResource
    from nhl_bronze.resources.lakehouse import LakehouseResource
    from nhl_bronze.resources.nhl_api import NhlApiResource

    print(machine_report())
    DEFAULT_WORK_DIR.mkdir(parents=True, exist_ok=True)
    data_dir = DEFAULT_WORK_DIR / "fetch_path"
    shutil.rmtree(data_dir, ignore_errors=True)
    load_before = load_average()
    with simulator_process((args.end + timedelta(days=1)).isoformat(), 0.0,
                           cache_dir=DEFAULT_WORK_DIR / "simulator_cache",
                           prerender=(args.start.isoformat(), args.end.isoformat())) as sim:
        api = NhlApiResource(web_api_url=sim.web_api_url, stats_api_url=sim.stats_api_url, max_in_flight=32,
                             rate_limit=0)
        lakehouse = LakehouseResource(data_dir=str(data_dir))
        ingest = IngestResource(parse_workers=1)
        cpu_before, started = time.process_time(), time.perf_counter()
        with StackSampler() as sampler, ingest.open_source(api, lakehouse) as source:
            report = stage_window(source, lakehouse.store(), args.start, args.end + timedelta(days=1),
                                  parse_workers=1)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_before
    busy = {phase: count for phase, count in sampler.phases.items() if phase != "waiting"}
    total = sum(busy.values()) or 1
    print_grid("bench_fetch_path: samples of busy threads by phase (5 ms)", ["phase", "samples", "share"], [
        [phase, count, f"{count / total:.0%}"] for phase, count in sorted(busy.items(), key=lambda kv: -kv[1])])

    level = code_level()
    cpu_by_level: dict[int, list[float]] = {level: [], 6: []}
    size_by_level: dict[int, float] = {}
    for _ in range(args.pairs):
        for each in (level, 6):
            seconds, size = append_cpu_seconds(data_dir, each)
            cpu_by_level[each].append(seconds)
            size_by_level[each] = size
    ratios = [a / b for a, b in zip(cpu_by_level[level], cpu_by_level[6], strict=True)]
    games = report.games_fetched
    print_table("bench_fetch_path results", [
        ("range", f"{args.start} .. {args.end}: {games} games, {report.api_calls} calls"),
        ("staging step (API, unthrottled, parse in-process)", f"wall {wall:.1f} s, process CPU {cpu:.1f} s "
                                                              f"({1000 * cpu / max(games, 1):.1f} ms a game)"),
        ("simulator process CPU while serving", f"{sim.stats.get('cpu_s', '?')} s"),
        (f"landing append, zstd {level} (code) vs 6 (before): CPU s, medians",
         f"{statistics.median(cpu_by_level[level]):.2f} vs {statistics.median(cpu_by_level[6]):.2f}"),
        ("landing append CPU ratio per pair (code / level 6)", ", ".join(f"{r:.2f}" for r in ratios)),
        ("landed files MB (code / level 6)", f"{size_by_level[level]:.1f} / {size_by_level[6]:.1f}"),
        ("load average before / after", f"{load_before} / {load_average()}"),
    ])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
