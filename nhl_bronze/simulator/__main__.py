"""Run the offline NHL API on loopback: ``python -m nhl_bronze.simulator --port 8765``.

Default backend: the synthetic league (``SyntheticNhl``); ``--recorded DIR`` serves recorded real responses.
Fault flags inject latency, 5xx, 429 bursts, hangs, truncated bodies, missing shift charts and schedule answers
that break the contract.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from datetime import date
from pathlib import Path

from nhl_bronze.simulator.faults import FaultConfig, RateLimitBurst, SchedulePatch
from nhl_bronze.simulator.http import SimulatorServer


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nhl_bronze.simulator", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--today", type=date.fromisoformat, default=None,
                        help="YYYY-MM-DD: the synthetic league's today (decides which games are final)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic league and of the faults")
    parser.add_argument("--recorded", type=Path, default=None, help="serve this folder of recorded responses")
    faults = parser.add_argument_group("faults")
    faults.add_argument("--latency-ms", type=float, default=0.0)
    faults.add_argument("--error-rate", type=float, default=0.0, help="fraction answered 500/503 (HTML)")
    faults.add_argument("--rate-limit-burst", type=RateLimitBurst.parse, default=None,
                        metavar="EVERY[:LENGTH[:RETRY_AFTER]]",
                        help="every EVERY-th request starts LENGTH 429s with Retry-After seconds, e.g. 50:3:1")
    faults.add_argument("--hang-rate", type=float, default=0.0)
    faults.add_argument("--hang-seconds", type=float, default=15.0)
    faults.add_argument("--truncate-rate", type=float, default=0.0)
    faults.add_argument("--missing-shift-charts", type=float, default=0.0,
                        help="fraction of games whose shift chart is empty or 404")
    faults.add_argument("--schedule-patch", type=SchedulePatch.parse, action="append", default=[],
                        metavar="DAY:[gameN.]FIELD=VALUE",
                        help="set a field of a day (or of its Nth game) in every schedule answer, e.g. "
                        "2024-10-04:game0.id=-5 or 2024-10-10:date=2024-13-40 (repeatable)")
    return parser


def build_backend(args: argparse.Namespace):
    if args.recorded is not None:
        from nhl_bronze.simulator.recorded import RecordedNhl

        return RecordedNhl(args.recorded, today=args.today)
    from nhl_bronze.simulator.synthetic import SyntheticNhl  # heavy; imported only when used

    return SyntheticNhl(today=args.today, seed=args.seed)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    faults = FaultConfig(latency_ms=args.latency_ms, error_rate=args.error_rate,
                         rate_limit_burst=args.rate_limit_burst, hang_rate=args.hang_rate,
                         hang_seconds=args.hang_seconds, truncate_rate=args.truncate_rate,
                         missing_shift_charts=args.missing_shift_charts,
                         schedule_patches=tuple(args.schedule_patch), seed=args.seed)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with SimulatorServer(build_backend(args), faults, host=args.host, port=args.port) as server:
        print(f"NHL API simulator on {server.base_url}", flush=True)
        print(f"NHL_WEB_API_URL={server.web_api_url} NHL_STATS_API_URL={server.stats_api_url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
