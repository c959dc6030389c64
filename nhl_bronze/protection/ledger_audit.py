"""The audit's comparison of a table with its ledger: the ledger is the reference, the table is the suspect.

Nothing written inside the table is trusted to say what was audited (no stamp in a commit's metadata): every
Delta version must be known to the ledger, every known commit file must still hash to what was recorded (or be
covered by a checkpoint, after the log's own cleanup), and the snapshot's live files must be exactly the ledger's
live files with their recorded size and row count (and, ``deep``, their recorded SHA-256).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nhl_bronze.protection.ledger import INTENT_KEY, LedgerState
from nhl_bronze.protection.problems import AuditProblem, commit_problems
from nhl_bronze.protection.record import file_sha256
from nhl_bronze.storage.log import checkpoint_versions, read_commit, read_commit_bytes, stored_file_sizes
from nhl_bronze.storage.tables import TableSpec

if TYPE_CHECKING:
    from deltalake import DeltaTable

    from nhl_bronze.storage.delta import DeltaStore

# Commit files re-hashed on every run (the newest known ones; verify re-hashes all of them).
COMMITS_CHECKED_PER_RUN = 20
# The daily sample: the first blocking audit of a table in each run (runs are daily) re-hashes (SHA-256) the
# newest live files the ledger recorded (the last runs' output, what readers ask for first) and as many others
# drawn at random, so a rewrite that keeps a file's size is found without reading the whole table: with F live
# files, each is drawn about 365 * SAMPLE_RANDOM_FILES / F times a year. ``verify`` hashes every file.
SAMPLE_NEWEST_FILES = 4
SAMPLE_RANDOM_FILES = 8


@dataclass
class LedgerComparison:
    problems: list[AuditProblem] = field(default_factory=list)
    reconcilable: list[int] = field(default_factory=list)  # own commits the ledger missed (crash before append)


def compare_with_ledger(store: DeltaStore, spec: TableSpec, table: DeltaTable | None, state: LedgerState,
                        deep: bool = False, all_commits: bool = False, sample: bool = False) -> LedgerComparison:
    result = LedgerComparison()
    problem = result.problems.append
    if table is None:
        if state.known:
            problem(AuditProblem(state.last_version or 0, "LOG", f"the ledger records Delta versions up to "
                                 f"{state.last_version} but there is no table (no _delta_log) at {store.uri(spec)}: "
                                 "it was deleted; nothing is created in its place"))
        return result
    current = table.version()
    if not state.known:
        problem(AuditProblem(current, "LEDGER", f"the table holds Delta versions 0..{current} but the ledger has "
                             "never seen it: an operator adopts it after checking it (nhl-bronze ledger adopt)"))
        return result
    last = state.last_version
    if last is not None and current < last and (store.version(spec) or 0) >= last:
        state = state.through(current)  # an older snapshot a writer opened before another writer's commit
    elif last is not None and current < last:
        problem(AuditProblem(last, "LOG", f"the ledger records Delta version {last} but the log ends at version "
                             f"{current}: commits were deleted or the table was rewound"))
    checkpoints = checkpoint_versions(store, spec)
    known = sorted(v for v in state.versions if v <= current)
    for version in known if all_commits else known[-COMMITS_CHECKED_PER_RUN:]:
        recorded = state.versions[version]["commit_sha256"]
        raw = read_commit_bytes(store, spec, version)
        if raw is None:
            if not any(c >= version for c in checkpoints):
                problem(AuditProblem(version, "LOG", f"the commit file of Delta version {version} is missing and no "
                                     "checkpoint covers it"))
        elif hashlib.sha256(raw).hexdigest() != recorded:
            problem(AuditProblem(version, "LOG", f"the commit file of Delta version {version} differs from the one "
                                 "the ledger recorded (rewritten)"))
    for version in range(current + 1):
        if state.knows_version(version):
            continue
        actions = read_commit(store, spec, version)
        if actions is None:
            problem(AuditProblem(version, "UNKNOWN", f"Delta version {version} is unknown to the ledger and its "
                                 "commit file is missing"))
            continue
        info = next((a["commitInfo"] for a in actions if "commitInfo" in a), {})
        operation = str(info.get("operation", "UNKNOWN"))
        removals = commit_problems(version, actions)
        if not removals and info.get(INTENT_KEY) in state.open_intents:
            result.reconcilable.append(version)
            continue
        result.problems.extend(removals or [AuditProblem(version, operation, f"Delta version {version} is unknown "
                                                         "to the ledger: committed outside nhl-bronze")])
    if result.problems or result.reconcilable:
        return result  # the live files are compared once the versions agree
    result.problems.extend(live_file_problems(store, spec, table, state, deep, sample))
    return result


def sampled_files(state: LedgerState, paths: set[str], rng: random.Random | None = None) -> list[str]:
    """The daily sample of ``paths`` (live files the ledger knows): the newest recorded ones and random others."""
    newest_first = sorted(paths, key=lambda path: (state.live[path].get("version", -1), path), reverse=True)
    newest, rest = newest_first[:SAMPLE_NEWEST_FILES], sorted(newest_first[SAMPLE_NEWEST_FILES:])
    return newest + (rng or random.Random()).sample(rest, min(SAMPLE_RANDOM_FILES, len(rest)))


def live_file_problems(store: DeltaStore, spec: TableSpec, table: DeltaTable, state: LedgerState,
                       deep: bool, sample: bool = False) -> list[AuditProblem]:
    """The snapshot's live files against the ledger's: the same set, the recorded size and row count in the log
    and the recorded size on storage; SHA-256 of every file (``deep``) or of the daily sample (``sample``)."""
    current = table.version()
    actions = table.get_add_actions(flatten=True)
    snapshot = {
        path: (size, records)
        for path, size, records in zip(actions.column("path").to_pylist(), actions.column("size_bytes").to_pylist(),
                                       actions.column("num_records").to_pylist(), strict=True)
    }
    problems: list[AuditProblem] = []
    for path in sorted(snapshot.keys() - state.live.keys()):
        problems.append(AuditProblem(current, "FILES", f"data file {path} is live in version {current} but the "
                                     "ledger never recorded it"))
    for path in sorted(state.live.keys() - snapshot.keys()):
        added: dict[str, Any] = state.live[path]
        problems.append(AuditProblem(added.get("version", current), "FILES", f"data file {path} is live by the "
                                     f"ledger but version {current} of the log does not reference it"))
    both = snapshot.keys() & state.live.keys()
    stored = stored_file_sizes(store, spec, sorted(both))
    hashed = both if deep else set(sampled_files(state, both)) if sample else set()
    for path in sorted(both):
        size, records = snapshot[path]
        recorded = state.live[path]
        # A file recovery re-anchored (``recovered``: rewritten in place, rows restored as new versions) keeps the
        # log's size beside its size on storage.
        logged = recorded.get("log_size", recorded["size"])
        if size != logged or (recorded["num_records"] is not None and records != recorded["num_records"]):
            problems.append(AuditProblem(recorded.get("version", current), "FILES", f"data file {path}: the log says "
                                         f"{size} bytes / {records} rows, the ledger recorded {logged} "
                                         f"bytes / {recorded['num_records']} rows"))
        elif path in stored and stored[path] != recorded["size"]:
            problems.append(AuditProblem(recorded.get("version", current), "FILES", f"data file {path} is "
                                         f"{stored[path]} bytes on storage, the ledger recorded {recorded['size']}: "
                                         "it was rewritten"))
        elif path in hashed:
            try:
                digest = file_sha256(store, spec, path)
            except OSError:
                continue  # a missing file is the snapshot check's problem
            if digest != recorded["sha256"]:
                problems.append(AuditProblem(recorded.get("version", current), "FILES", f"data file {path} was "
                                             "rewritten: its SHA-256 differs from the one the ledger recorded"))
    return problems
