"""The ``nhl-bronze`` console script: status and verify for operators; maintenance, migration and import.

    nhl-bronze status [--json]          tables, coverage per season, corrected games
    nhl-bronze verify [--deep]          exit 1 with one line per problem (cron, CI); --deep: every row's content
    nhl-bronze acknowledge-loss --reason R [--table T] [--game G]   accept lost rows (verify --deep lists them)
    nhl-bronze maintain [--table T]     compact, vacuum, checkpoint (as the weekly maintenance asset does)
    nhl-bronze migrate [--table T]      move history to the current layout (verified copy, old table kept)
    nhl-bronze import SRC --table T --label L   add an old export (Delta or Parquet) to history as versions

The data dir is ``--data-dir``, else ``NHL_BRONZE_DATA_DIR``, else ``./data`` (the same as the pipeline's).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from nhl_bronze import settings
from nhl_bronze.cli.deep import acknowledge, deep_problems
from nhl_bronze.cli.lifecycle import describe_import, describe_migration, import_table, migrate
from nhl_bronze.cli.maintain import describe, maintain
from nhl_bronze.cli.progress import progress_printer
from nhl_bronze.cli.status import collect_status, render
from nhl_bronze.cli.verify import verify
from nhl_bronze.protection import open_store
from nhl_bronze.readers.schema import HISTORY_TABLES
from nhl_bronze.readers.source import spec_named
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.maintenance import DEFAULT_RETENTION_HOURS
from nhl_bronze.storage.tables import ALL_TABLES


def _default_data_dir() -> str:

    return settings.env(settings.DATA_DIR) or settings.DEFAULT_DATA_DIR


def _store(args: argparse.Namespace) -> DeltaStore:
    return open_store(args.data_dir or _default_data_dir())


def run_status(args: argparse.Namespace) -> int:
    status = collect_status(_store(args), progress_printer(args.quiet))
    if args.json:
        print(json.dumps(status.to_json(), indent=2, default=str))
    else:
        print(render(status))
    return 0


def run_verify(args: argparse.Namespace) -> int:
    store = _store(args)
    progress = progress_printer(args.quiet)
    problems = verify(store, progress)
    if args.deep:
        problems += deep_problems(store, progress)
    for problem in problems:
        print(problem)
    if problems:
        print(f"verify: {len(problems)} problem(s) in {store.root}", file=sys.stderr)
        return 1
    print(f"verify: OK ({store.root})")
    return 0


def run_maintain(args: argparse.Namespace) -> int:
    store = _store(args)
    specs = [spec_named(name) for name in args.table] if args.table else list(ALL_TABLES)
    reports, problems = maintain(store, specs, args.retention_hours, progress_printer(args.quiet))
    if args.json:
        print(json.dumps({"reports": [asdict(r) for r in reports], "problems": problems}, indent=2, default=str))
    else:
        print("\n".join(describe(report) for report in reports))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def _report(args: argparse.Namespace, reports: list, describe_one, problems: list[str]) -> int:
    if args.json:
        print(json.dumps({"reports": [asdict(r) for r in reports], "problems": problems}, indent=2, default=str))
    else:
        for report in reports:
            print(describe_one(report))
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def run_migrate(args: argparse.Namespace) -> int:
    specs = [spec_named(name) for name in args.table] if args.table else []
    partition_by = tuple(args.partition_by.split(",")) if args.partition_by else None
    reports, problems = migrate(_store(args), specs, partition_by, progress_printer(args.quiet))
    return _report(args, reports, describe_migration, problems)


def run_import(args: argparse.Namespace) -> int:
    report, problems = import_table(_store(args), spec_named(args.table), args.source, args.label, args.supersede,
                                    progress_printer(args.quiet))
    return _report(args, [report] if report else [], describe_import, problems)


def run_acknowledge_loss(args: argparse.Namespace) -> int:
    specs = [spec_named(name) for name in args.table] if args.table else list(HISTORY_TABLES)
    lost, restorable = acknowledge(_store(args), specs, args.game or [], args.reason, args.by,
                                   progress_printer(args.quiet))
    for row in lost:
        print(f"acknowledged as lost: {row.describe()}")
    for line in restorable:
        print(line, file=sys.stderr)
    if not lost:
        print("acknowledge-loss: no lost row to acknowledge", file=sys.stderr)
    return 1 if restorable else 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help=f"table root (default: ${settings.DATA_DIR} or {settings.DEFAULT_DATA_DIR})")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    parser = argparse.ArgumentParser(prog="nhl-bronze", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    status = commands.add_parser("status", parents=[common], help="tables, coverage per season, corrected games")
    status.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    status.set_defaults(handler=run_status)

    check = commands.add_parser("verify", parents=[common],
                                help="history audit, unique latest keys, column contract, missing final games")
    check.add_argument("--deep", action="store_true", help="also hash every history row's content again and name "
                       "each altered row (table, key, _version, columns)")
    check.set_defaults(handler=run_verify)

    history_names = [s.name for s in HISTORY_TABLES]
    accept = commands.add_parser("acknowledge-loss", parents=[common],
                                 help="record, with a reason, that altered rows nothing can restore are known")
    accept.add_argument("--reason", required=True, help="recorded with each acknowledged row")
    accept.add_argument("--table", action="append", choices=history_names, help="default: both history tables")
    accept.add_argument("--game", action="append", type=int, help="only the rows of this game (repeatable)")
    accept.add_argument("--by", help="who acknowledges (default: the current user)")
    accept.set_defaults(handler=run_acknowledge_loss)

    upkeep = commands.add_parser("maintain", parents=[common], help="compact, vacuum, checkpoint, clean the log")
    upkeep.add_argument("--table", action="append", choices=[s.name for s in ALL_TABLES],
                        help="a table to maintain (repeatable; default: every table)")
    upkeep.add_argument("--retention-hours", type=int, default=DEFAULT_RETENTION_HOURS,
                        help=f"vacuum files unreferenced for longer than this (default {DEFAULT_RETENTION_HOURS})")
    upkeep.add_argument("--json", action="store_true", help="the maintenance reports as JSON on stdout")
    upkeep.set_defaults(handler=run_maintain)

    move = commands.add_parser("migrate", parents=[common],
                               help="rebuild a history table in the current layout, verify it, switch, keep a backup")
    move.add_argument("--table", action="append", choices=history_names, help="default: both history tables")
    move.add_argument("--partition-by", help="comma-separated partition columns (default: the table's current "
                      "spec)")
    move.add_argument("--json", action="store_true")
    move.set_defaults(handler=run_migrate)

    load = commands.add_parser("import", parents=[common],
                               help="add a Delta table or Parquet export with the column contract to history")
    load.add_argument("source", help="path or URI of a Delta table, a Parquet file or a folder of Parquet files")
    load.add_argument("--table", required=True, choices=history_names)
    load.add_argument("--label", required=True, help="recorded as _run_id of the imported versions")
    load.add_argument("--supersede", action="store_true",
                      help="also add versions for keys history already holds (default: skip them)")
    load.add_argument("--json", action="store_true")
    load.set_defaults(handler=run_import)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
