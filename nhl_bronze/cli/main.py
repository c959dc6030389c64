"""The ``nhl-bronze`` console script: status and verify for operators; maintenance, migration and import.

    nhl-bronze status [--json]          tables, coverage per season, corrected games
    nhl-bronze verify [--against D] [--deep]   exit 1 with one line per problem (cron, CI); the ledger digests;
                                        --deep: every history row's content hashed again
    nhl-bronze ledger adopt [--table T] record a lake that predates the ledger as its trust anchor (after checks)
    nhl-bronze acknowledge-loss --reason R [--table T] [--game G]   accept lost rows (verify --deep lists them)
    nhl-bronze maintain [--table T]     compact, vacuum, checkpoint (as the weekly maintenance asset does)
    nhl-bronze migrate [--table T]      move history to the current layout (verified copy, old table kept)
    nhl-bronze import SRC --table T --label L   add an old export (Delta or Parquet) to history as versions
    nhl-bronze backfill --season 2012-13       one run of bronze_job over the season's real dates (playoffs too)

The data dir is ``--data-dir``, else ``NHL_BRONZE_DATA_DIR``, else ``./data`` (the same as the pipeline's).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path

from nhl_bronze import settings
from nhl_bronze.cli.attention import eastern_today
from nhl_bronze.cli.backfill import equivalent_command, launch, season_range, submit
from nhl_bronze.cli.deep import acknowledge, deep_problems
from nhl_bronze.cli.lifecycle import describe_import, describe_migration, import_table, migrate
from nhl_bronze.cli.maintain import describe, maintain
from nhl_bronze.cli.progress import progress_printer
from nhl_bronze.cli.status import collect_status, render
from nhl_bronze.cli.verify import ledger_digests, verify
from nhl_bronze.domain.seasons import parse_season
from nhl_bronze.protection import open_store
from nhl_bronze.protection.adopt import AdoptionRefusedError, adopt_table
from nhl_bronze.protection.audit import ledger_of
from nhl_bronze.protection.digests import extension_problem, parse_digest
from nhl_bronze.readers.schema import HISTORY_TABLES
from nhl_bronze.readers.source import spec_named
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.maintenance import DEFAULT_RETENTION_HOURS
from nhl_bronze.storage.tables import ALL_TABLES


def _default_data_dir() -> str:

    return settings.env(settings.DATA_DIR) or settings.DEFAULT_DATA_DIR


def _store(args: argparse.Namespace) -> DeltaStore:
    ledger_root = getattr(args, "ledger_root", None) or settings.env(settings.LEDGER_ROOT)
    return open_store(args.data_dir or _default_data_dir(), ledger_root=ledger_root)


def unusable_data_dir(store: DeltaStore) -> str | None:
    """Why ``store`` cannot be the data dir of a bronze lake (a wrong ``--data-dir`` or none), or None."""
    if "://" not in store.root or store.root.startswith("file://"):
        path = Path(store.root.removeprefix("file://"))
        if not path.is_dir():
            return f"the data dir {path.resolve()} does not exist (--data-dir, or ${settings.DATA_DIR})"
    if not any(store.exists(spec) for spec in ALL_TABLES):
        names = ", ".join(spec.name for spec in ALL_TABLES[:3])
        return (f"the data dir {store.root} holds no bronze tables ({names}, ...): wrong --data-dir or "
                f"${settings.DATA_DIR}, or nothing was loaded yet (python -m nhl_bronze.demo)")
    return None


def run_status(args: argparse.Namespace) -> int:
    store = _store(args)
    if (reason := unusable_data_dir(store)) is not None:
        print(f"status: {reason}", file=sys.stderr)
        return 2
    status = collect_status(store, progress_printer(args.quiet))
    if args.json:
        print(json.dumps(status.to_json(), indent=2, default=str))
    else:
        print(render(status))
    return 0


def run_verify(args: argparse.Namespace) -> int:
    store = _store(args)
    if (reason := unusable_data_dir(store)) is not None:
        print(f"verify: {reason}", file=sys.stderr)
        return 2
    notes: list[str] = []
    progress = progress_printer(args.quiet)
    problems = verify(store, progress, notes)
    if args.deep:
        problems += deep_problems(store, progress)
    for problem in problems:
        print(problem)
    for digest in args.against or []:
        problem = against_problem(store, digest)
        if problem:
            problems.append(problem)
            print(problem)
    digests, unreadable = ledger_digests(store)
    for line in digests:
        print(line)
    for problem in unreadable:
        if problem not in problems:
            problems.append(problem)
            print(problem)
    for note in notes:
        print(note)
    if problems:
        print(f"verify: {len(problems)} problem(s) in {store.root}", file=sys.stderr)
        return 1
    print(f"verify: OK ({store.root})")
    return 0


def against_problem(store: DeltaStore, digest: str) -> str | None:
    parts = digest.split()
    if len(parts) != 3 or parts[0] not in {s.name for s in ALL_TABLES if s.protected}:
        return f"--against {digest!r}: not a digest line ('table version chain-hash' of a protected table)"
    return extension_problem(ledger_of(store), parts[0], parse_digest(digest))


def run_adopt(args: argparse.Namespace) -> int:
    store = _store(args)
    specs = [spec_named(name) for name in args.table] if args.table else [s for s in ALL_TABLES if s.protected]
    failed = 0
    for spec in specs:
        try:
            result = adopt_table(store, spec, again=args.reanchor)
        except AdoptionRefusedError as error:
            print(error, file=sys.stderr)
            failed += 1
            continue
        if result.version is None:
            print(f"{spec.name}: no table, nothing to adopt")
        elif result.already_known:
            print(f"{spec.name}: already recorded by the ledger (version {result.version}), left alone")
        else:
            print(f"{spec.name}: adopted at Delta version {result.version} ({result.files} live files hashed)")
    return 1 if failed else 0


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


def run_backfill(args: argparse.Namespace) -> int:
    progress = progress_printer(args.quiet)
    if args.data_dir:
        # The run's lakehouse resource reads the variable (definitions.py wires it as an EnvVar).
        os.environ[settings.DATA_DIR] = args.data_dir
    today = eastern_today()
    failed = 0
    for text in args.season:
        try:
            span = season_range(parse_season(text), settings.first_game_date(), today, args.until)
        except ValueError as error:
            print(f"backfill: {error}", file=sys.stderr)
            return 2
        print(f"season {span.season.label}: {span.start} .. {span.end} ({span.days} game dates, one run)")
        if args.dry_run:
            print(equivalent_command(span))
            continue
        if args.launch:
            code = submit(span)
            print(f"season {span.season.label}: {'submitted to the instance' if code == 0 else 'NOT submitted'}")
            failed += code != 0
            continue
        run_id, success = launch(span, progress)
        print(f"season {span.season.label}: run {run_id} {'succeeded' if success else 'FAILED'}")
        failed += not success
    return 1 if failed else 0


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
    common.add_argument("--ledger-root", help=f"where the ledger lives (default: ${settings.LEDGER_ROOT} or "
                        "<data dir>/_nhl_bronze_ledger)")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    parser = argparse.ArgumentParser(prog="nhl-bronze", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    status = commands.add_parser("status", parents=[common], help="tables, coverage per season, corrected games")
    status.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    status.set_defaults(handler=run_status)

    check = commands.add_parser("verify", parents=[common],
                                help="history audit, unique latest keys, column contract, missing final games")
    check.add_argument("--against", action="append", metavar="DIGEST",
                       help="a digest line printed earlier ('table version chain-hash'; repeatable): fail unless "
                       "that table's ledger only grew since")
    check.add_argument("--deep", action="store_true", help="also hash every history row's content again and name "
                       "each altered row (table, key, _version, columns)")
    check.set_defaults(handler=run_verify)

    ledger = commands.add_parser("ledger", help="the ledger of the protected tables")
    ledger_commands = ledger.add_subparsers(dest="ledger_command", required=True, metavar="ledger_command")
    adopt = ledger_commands.add_parser("adopt", parents=[common], help="check a table the ledger has never seen "
                                       "and record its current state as the trust anchor")
    adopt.add_argument("--table", action="append", choices=[s.name for s in ALL_TABLES if s.protected],
                       help="default: every protected table")
    adopt.add_argument("--reanchor", action="store_true",
                       help="also a table the ledger knows (after a migration interrupted before its anchor); the "
                       "same log checks apply")
    adopt.set_defaults(handler=run_adopt)

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

    season = commands.add_parser(
        "backfill", parents=[common],
        help="one run of bronze_job over a season's real game dates, playoffs included")
    season.add_argument("--season", action="append", required=True,
                        help="e.g. 2012-13, 2012-2013 or 20122013 (repeatable: one run per season, in order)")
    season.add_argument("--until", type=date.fromisoformat,
                        help="last date to load (YYYY-MM-DD), e.g. to load a season in parts")
    season.add_argument("--launch", action="store_true",
                        help="hand the run to the instance's run coordinator (a deployment's queue and daemon) "
                        "instead of executing it in this process")
    season.add_argument("--dry-run", action="store_true",
                        help="print the dates and the equivalent `dagster job execute` command; run nothing")
    season.set_defaults(handler=run_backfill)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
