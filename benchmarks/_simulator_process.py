"""The loopback simulator as its own process, for the benchmarks (started by ``_common.simulator_process``).

Same as ``python -m nhl_bronze.simulator --port 0 --today D --latency-ms L`` (synthetic league), plus:

- with ``--cache-dir``, every answer is rendered once and then served from a file (``simulator.render_cache``),
  and ``--prerender START END`` renders the answers of a backfill of that range *before* the server announces
  itself, i.e. before the benchmark clock starts: serving then costs the simulator ~nothing, so it does not
  eat the cores the pipeline is measured on;
- on SIGTERM it prints ``STATS {"requests": N, "cpu_s": S, "prerender_cpu_s": P, "prerendered": R}``
  (server-side request count, its CPU time while serving, and what the pre-rendering cost before the clock).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from datetime import date
from pathlib import Path


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--today", type=date.fromisoformat, required=True)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cache-dir", type=Path, default=None, help="root of the rendered-answer cache")
    parser.add_argument("--prerender", type=date.fromisoformat, nargs=2, metavar=("START", "END"), default=None,
                        help="with --cache-dir: render a backfill's answers of [START, END] before serving")
    args = parser.parse_args()

    from nhl_bronze.simulator.faults import FaultConfig
    from nhl_bronze.simulator.http import SimulatorServer
    from nhl_bronze.simulator.render_cache import RenderCache, prerender, synthetic_cache_dir
    from nhl_bronze.simulator.synthetic import SyntheticNhl

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    backend = SyntheticNhl(today=args.today, seed=args.seed)
    prerendered = 0
    if args.cache_dir is not None:
        backend = RenderCache(backend, synthetic_cache_dir(args.cache_dir, args.today, args.seed))
        if args.prerender:
            prerendered = prerender(backend, *args.prerender)
    prerender_cpu = _cpu_seconds()
    with SimulatorServer(backend, FaultConfig(latency_ms=args.latency_ms, seed=args.seed), port=args.port) as server:
        print(f"NHL_WEB_API_URL={server.web_api_url} NHL_STATS_API_URL={server.stats_api_url}", flush=True)
        stop.wait()
        count = server.request_count
    stats = {"requests": count, "cpu_s": round(_cpu_seconds() - prerender_cpu, 2),
             "prerender_cpu_s": round(prerender_cpu, 2), "prerendered": prerendered}
    print("STATS " + json.dumps(stats), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
