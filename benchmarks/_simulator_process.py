"""The loopback simulator as its own process, for the benchmarks (started by ``_common.simulator_process``).

Same as ``python -m nhl_bronze.simulator --port 0 --today D --latency-ms L`` (synthetic league), plus: on
SIGTERM it prints ``STATS {"requests": N, "cpu_s": S}`` (server-side request count and its own CPU time) so
a benchmark can check the client's call count and see what the simulator cost on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from datetime import date


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--today", type=date.fromisoformat, required=True)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    from nhl_bronze.simulator.faults import FaultConfig
    from nhl_bronze.simulator.http import SimulatorServer
    from nhl_bronze.simulator.synthetic import SyntheticNhl

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    backend = SyntheticNhl(today=args.today, seed=args.seed)
    with SimulatorServer(backend, FaultConfig(latency_ms=args.latency_ms, seed=args.seed), port=args.port) as server:
        print(f"NHL_WEB_API_URL={server.web_api_url} NHL_STATS_API_URL={server.stats_api_url}", flush=True)
        stop.wait()
        count = server.request_count
    times = os.times()
    print("STATS " + json.dumps({"requests": count, "cpu_s": round(times.user + times.system, 2)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
