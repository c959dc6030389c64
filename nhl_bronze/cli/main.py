"""The ``nhl-bronze`` console script: status and verify for operators; maintenance, migration and import.

    nhl-bronze status [--json]          tables, coverage per season, corrected games
    nhl-bronze verify                   exit 1 with one line per problem (cron, CI)

The data dir is ``--data-dir``, else ``NHL_BRONZE_DATA_DIR``, else ``./data`` (the same as the pipeline's).
"""

from __future__ import annotations

import argparse
import json
import sys

from nhl_bronze.cli.progress import progress_printer
from nhl_bronze.cli.status import collect_status, render
from nhl_bronze.cli.verify import verify
from nhl_bronze.resources.lakehouse import DATA_DIR_ENV, DEFAULT_DATA_DIR
from nhl_bronze.storage.delta import DeltaStore


def _default_data_dir() -> str:
    import os

    return os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR


def _store(args: argparse.Namespace) -> DeltaStore:
    return DeltaStore(args.data_dir or _default_data_dir())


def run_status(args: argparse.Namespace) -> int:
    status = collect_status(_store(args), progress_printer(args.quiet or args.json))
    if args.json:
        print(json.dumps(status.to_json(), indent=2, default=str))
    else:
        print(render(status))
    return 0


def run_verify(args: argparse.Namespace) -> int:
    store = _store(args)
    problems = verify(store, progress_printer(args.quiet))
    for problem in problems:
        print(problem)
    if problems:
        print(f"verify: {len(problems)} problem(s) in {store.root}", file=sys.stderr)
        return 1
    print(f"verify: OK ({store.root})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help=f"table root (default: ${DATA_DIR_ENV} or {DEFAULT_DATA_DIR})")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    parser = argparse.ArgumentParser(prog="nhl-bronze", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    status = commands.add_parser("status", parents=[common], help="tables, coverage per season, corrected games")
    status.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    status.set_defaults(handler=run_status)

    check = commands.add_parser("verify", parents=[common],
                                help="history audit, unique latest keys, column contract, missing final games")
    check.set_defaults(handler=run_verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
