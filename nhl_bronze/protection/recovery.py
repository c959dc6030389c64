"""Recovering a protected history table: removed rows come back, altered rows get their recorded content back.

Recovery trusts nothing inside the table either. It starts from the audit against the ledger: the Delta versions
the ledger does not know (the bad commits), and live data files whose bytes differ from what the ledger recorded
(rewritten in place). Its own commits pass a guard that tolerates exactly those problems, in this process, and
nothing else (a commit's metadata can be forged by anyone who can write the storage: no stamp is read or written).

1. **Removed rows.** They are still in the table's past: time travel to ``good_version`` (the version before the
   first bad commit) reads them, and every row of that version that the current version lacks is appended again,
   unchanged (same ``_version``, ``_row_hash``, ``_run_id``, ``_ingested_at``), through ``DeltaStore.append``.
   ``delta.appendOnly`` is switched back on first.
2. **Altered rows** (an UPDATE kept the key and ``_version``, a data file rewritten in place): every row is hashed
   again (``protection.content``); an altered row's recorded content (a removed data file still in storage, or the
   raw store's bodies parsed again, accepted only when it hashes to the stored ``_row_hash``) is appended as a new
   ``_version`` of its key. When a later, intact version of the key exists, it is appended again after the
   restored content, so the latest row of the key does not change. ``verify --deep`` then counts the altered row
   as restored: an intact later version carries its recorded hash.
3. **Lost rows**: altered rows whose recorded content is found nowhere are listed (table, key, ``_version``), never
   reported as clean; ``verify`` stays red for them until an operator acknowledges them (``protection.losses``,
   ``nhl-bronze acknowledge-loss``).
4. **The ledger** then records, after the rows are back, every Delta version it does not know (the bad ones
   marked ``foreign``) and a ``recovered`` entry: the bad versions, the files found rewritten in place with their
   current size, rows and SHA-256 (re-anchored: their rows are restored as new versions), and the lost rows. A
   crash before that entry leaves the audit red; running recovery again finishes it.

A data file deleted by hand is not in the table's past: restore the file from a backup (object-store
versioning, a copy of the data dir), or see docs/HISTORY_SAFETY.md.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import CommitProperties

from nhl_bronze.domain.dates import date_of_game_date_int, game_date_int
from nhl_bronze.protection.audit import APPEND_ONLY_KEY, audit_table, ledger_of
from nhl_bronze.protection.content import AlteredRow, ContentReport, check_content, raw_store_rows
from nhl_bronze.protection.guard import LedgerGuard
from nhl_bronze.protection.ledger import INTENT_KEY, Ledger, new_intent
from nhl_bronze.protection.losses import acknowledge_vacuumed_files, lost_row
from nhl_bronze.protection.problems import AuditProblem, AuditReport, HistoryTamperedError
from nhl_bronze.protection.record import commit_fields, file_sha256
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.history import (
    HISTORY_META_COLUMNS,
    INGESTED_AT,
    RUN_ID,
    VERSION,
    content_hash,
    versions_of_games,
)
from nhl_bronze.storage.log import data_file_location, read_commit, read_file_bytes
from nhl_bronze.storage.tables import TableSpec
from nhl_bronze.storage.writes import require_protected

if TYPE_CHECKING:
    from nhl_bronze.storage.snapshot import TableSnapshot

RECOVERY_RUN_PREFIX = "recovery:"  # the ``_run_id`` of the versions recovery appends


class RecoveryError(RuntimeError):
    pass


@dataclass(frozen=True)
class RecoveryResult:
    table: str
    good_version: int | None
    repaired_versions: list[int]
    rows_restored: int  # removed rows appended again, unchanged
    table_version: int
    contents_restored: int = 0  # altered rows whose recorded content was appended as a new version
    lost: list[AlteredRow] = field(default_factory=list)  # altered rows nothing could restore
    vacuumed_files: list[str] = field(default_factory=list)  # accepted: removed by a bad commit, then vacuumed
    # keys of those files' games (and of files rewritten in place with rows dropped) with no row left, restored from
    # the raw store as _version 1
    keys_restored_from_raw: int = 0

    def describe(self) -> str:
        text = (f"{self.table}: {self.rows_restored} removed row(s) restored, {self.contents_restored} altered "
                f"row(s) restored to their recorded content, now at Delta version {self.table_version}")
        if self.vacuumed_files:
            text += (f"; {len(self.vacuumed_files)} vacuumed file(s) accepted as lost ("
                     + "; ".join(self.vacuumed_files) + f"): {self.keys_restored_from_raw} key(s) with no row left "
                     "were restored from the raw store as _version 1; their earlier versions, and removed versions "
                     "of keys that still have rows, cannot be named")
        if self.lost:
            text += f"; {len(self.lost)} row(s) LOST:\n" + "\n".join(f"  {row.describe()}" for row in self.lost)
        return text


def recover_history(store: DeltaStore, spec: TableSpec, good_version: int | None,
                    accept_vacuumed: str | None = None) -> RecoveryResult:
    """Re-append every row of ``good_version`` that the current version lacks, restore the recorded content of
    every altered row, then record in the ledger the bad commits after ``good_version`` that the audit reports
    and the files it found rewritten in place. ``good_version=None``: no commit to undo (e.g. a data file
    rewritten in place), content only.

    A file of ``good_version`` that a bad commit removed and vacuum deleted stops recovery (its rows cannot be
    named) unless ``accept_vacuumed`` gives the operator's reason to go on: it is recorded in the ledger
    (``acknowledged_lost``), and every key of those files' games that has no row left is restored from the raw
    store's bodies as ``_version`` 1. Safe to re-run: a second run finds nothing missing and nothing altered."""
    require_protected(spec)
    ledger = ledger_of(store)
    report = audit_table(store, spec, full=True)
    missing_files = [p for p in report.problems if "missing from storage" in p.message]
    if missing_files:
        raise RecoveryError(f"{spec.name}: {missing_files[0].message}; time travel cannot bring back a deleted "
                            "file: restore it from a backup first (docs/HISTORY_SAFETY.md)")
    rewritten = rewritten_files(store, spec, ledger)
    bad_versions = sorted({p.version for p in report.problems
                           if p.operation != "LOST" and not _names_a_file(p, rewritten)})
    if good_version is None and bad_versions:
        raise RecoveryError(f"{spec.name}: the audit reports bad commits {bad_versions}: pass good_version, the "
                            "version before the first one")
    if good_version is not None and any(v <= good_version for v in bad_versions):
        raise RecoveryError(f"{spec.name}: version {good_version} is not before the bad commits {bad_versions}: "
                            "pick the version before the first one")
    writer = DeltaStore(store.root, store.storage_options)
    writer.guard = RecoveryGuard(writer, ledger, spec, bad_versions, set(rewritten),
                                 run_id=getattr(store.guard, "run_id", None))
    restored_rows, vacuumed, from_raw = 0, [], 0
    if good_version is not None:
        restored_rows, vacuumed = _restore_removed_rows(writer, spec, good_version, bad_versions, accept_vacuumed)
    if vacuumed:
        acknowledge_vacuumed_files(writer, spec.name, good_version or 0, [f["path"] for f in vacuumed],
                                   accept_vacuumed or "")
        from_raw = _restore_absent_keys_from_raw(writer, spec, vacuumed)
    if short := _short_files(writer, spec, rewritten):
        # Rows dropped from a file rewritten in place: the keys of its games with no row left come back from the raw
        # store as _version 1 (the same rule as for vacuumed files; other dropped versions cannot be named).
        from_raw += _restore_absent_keys_from_raw(writer, spec, short)
    content = check_content(writer, spec)
    appended = restore_content(writer, spec, content)
    unrestorable = [row for row in content.altered if row not in appended]
    version = writer.table(spec).version()
    _record_recovery(writer, spec, ledger, bad_versions, rewritten, good_version, restored_rows, len(appended),
                     unrestorable, version)
    return RecoveryResult(spec.name, good_version, bad_versions, restored_rows, version, len(appended),
                          unrestorable, [_describe_file(f) for f in vacuumed], from_raw)


class RecoveryGuard(LedgerGuard):
    """The guard of recovery's own commits: the audit before each one must find no problem but the bad versions
    and rewritten files recovery started from (known in this process, never read from the table); the ledger
    records each commit after it, as every guarded commit. Other tables get the ordinary guard."""

    def __init__(self, store: DeltaStore, ledger: Ledger, spec: TableSpec, bad_versions: list[int],
                 rewritten: set[str], run_id: str | None = None):
        super().__init__(store, ledger, run_id)
        self.spec, self.bad_versions, self.rewritten = spec, set(bad_versions), rewritten

    def tolerated(self, problem: AuditProblem) -> bool:
        return problem.version in self.bad_versions or _names_a_file(problem, self.rewritten)

    def before_commit(self, snapshot: TableSnapshot) -> CommitProperties:
        spec = snapshot.spec
        if spec.name != self.spec.name:
            return super().before_commit(snapshot)
        report = audit_table(self.store, snapshot, reconcile=True)
        remaining = [p for p in report.problems if not self.tolerated(p)]
        if remaining:
            raise HistoryTamperedError(AuditReport(report.table, report.version, problems=remaining))
        return self._pending(spec)

    def _pending(self, spec: TableSpec) -> CommitProperties:
        intent = new_intent()
        self.ledger.append(spec.name, "pending", self.run_id, intent=intent)
        return CommitProperties(custom_metadata={INTENT_KEY: intent})


def rewritten_files(store: DeltaStore, spec: TableSpec, ledger: Ledger) -> dict[str, dict[str, Any]]:
    """Live data files (by the ledger and the log) whose bytes are not the ones the ledger recorded: their
    current size on storage, the size and row count the log states, and SHA-256. Every live file is hashed
    (recovery is rare)."""
    table = store.table_if_exists(spec)
    if table is None:
        return {}
    live = ledger.state(spec.name).live
    actions = table.get_add_actions(flatten=True)
    found: dict[str, dict[str, Any]] = {}
    for path, log_size, records in zip(actions.column("path").to_pylist(), actions.column("size_bytes").to_pylist(),
                                       actions.column("num_records").to_pylist(), strict=True):
        recorded = live.get(path)
        if recorded is None:
            continue
        try:
            digest = file_sha256(store, spec, path)
        except OSError:
            continue  # a missing file is the audit's problem
        if digest != recorded.get("sha256"):
            raw = read_file_bytes(data_file_location(store, spec, path), store.storage_options)
            found[path] = {"path": path, "size": len(raw), "log_size": log_size, "num_records": records,
                           "sha256": digest, "rows_on_storage": _parquet_rows(raw)}
    return found


def _parquet_rows(raw: bytes) -> int | None:
    try:
        return pq.ParquetFile(io.BytesIO(raw)).metadata.num_rows
    except (OSError, ValueError, pa.ArrowException):
        return None  # not a readable Parquet file any more


def _short_files(store: DeltaStore, spec: TableSpec, rewritten: dict[str, dict[str, Any]]) -> list[dict]:
    """The add actions (with the log's gameId/gameDate statistics) of rewritten files that hold fewer rows than the
    log says: rows dropped in place, whose keys nothing names."""
    short = {path for path, f in rewritten.items()
             if f["rows_on_storage"] is not None and f["num_records"] is not None
             and f["rows_on_storage"] < f["num_records"]}
    if not short:
        return []
    actions = pl.DataFrame(store.table(spec).get_add_actions(flatten=True))
    return [row for row in actions.iter_rows(named=True) if row["path"] in short]


def _names_a_file(problem: AuditProblem, paths: set[str] | dict[str, Any]) -> bool:
    return problem.operation == "FILES" and any(f"data file {path}" in problem.message for path in paths)


def _record_recovery(store: DeltaStore, spec: TableSpec, ledger: Ledger, bad_versions: list[int],
                     rewritten: dict[str, dict[str, Any]], good_version: int | None, restored_rows: int,
                     contents_restored: int, lost: list[AlteredRow], version: int) -> None:
    """After the rows are back: every Delta version the ledger does not know (the bad ones ``foreign``), then the
    ``recovered`` entry the audit interprets (docs/HISTORY_SAFETY.md)."""
    state = ledger.state(spec.name)
    run_id = getattr(store.guard, "run_id", None)  # the run (or operator session) the recovery's store names
    for unknown in (v for v in range(version + 1) if not state.knows_version(v)):
        ledger.append(spec.name, "commit", run_id, foreign=unknown in bad_versions,
                      **commit_fields(store, spec, unknown))
    ledger.append(spec.name, "recovered", run_id, versions=bad_versions, recovered_from=good_version,
                  rows_restored=restored_rows, contents_restored=contents_restored, table_version=version,
                  rewritten=list(rewritten.values()), lost=[lost_row(row) for row in lost])


def _restore_removed_rows(store: DeltaStore, spec: TableSpec, good_version: int, bad_versions: list[int],
                          accept_vacuumed: str | None) -> tuple[int, list[dict]]:
    before, vacuumed = _readable_version(store, spec, good_version, bad_versions, accept_vacuumed)
    table = store.table(spec)
    if table.metadata().configuration.get(APPEND_ONLY_KEY) != "true":
        table.alter.set_table_properties({APPEND_ONLY_KEY: "true"})
        # Recovery's own commit: recorded now, so that the audit before its appends knows it.
        ledger_of(store).append(spec.name, "commit", getattr(store.guard, "run_id", None),
                                **commit_fields(store, spec, store.table(spec).version()))
    now = store.scan(spec).collect()
    identity = [*spec.key, VERSION] if VERSION in before.columns else list(spec.key)
    lost = before.join(now.select(identity), on=identity, how="anti", nulls_equal=True)
    # Through the guarded store: the audit before it tolerates only the bad versions this recovery started from.
    store.append(spec, lost.select(pl.all()))
    return lost.height, vacuumed


def _readable_version(store: DeltaStore, spec: TableSpec, version: int, bad_versions: list[int],
                      accept_vacuumed: str | None) -> tuple[pl.DataFrame, list[dict]]:
    """The rows of ``version`` that storage still holds. A file of it that was vacuumed is accepted only when the
    bad commit that removed it added at least as many rows as it removed (the log's row counts: an UPDATE
    rewrites rows, it does not remove them; the rewritten rows' content is then judged by the content check);
    otherwise a ``RecoveryError`` names each such file with what the log says it held: its removed rows cannot
    be named, so nothing is acknowledged."""
    table = store.table(spec, version)
    actions = pl.DataFrame(table.get_add_actions(flatten=True))
    frames, unreadable = [], {}
    for row in actions.iter_rows(named=True):
        try:
            frames.append(store.scan_table(table, only_files=[row["path"]]).collect())
        except (OSError, pl.exceptions.PolarsError):
            unreadable[row["path"]] = row
    records = dict(zip(actions["path"].to_list(), actions["num_records"].to_list(), strict=True))
    removed_rows = [unreadable[p] for p in unreadable
                    if not _rewritten_by_bad_commit(store, spec, p, records, bad_versions)]
    if removed_rows and not (accept_vacuumed or "").strip():
        raise RecoveryError(
            f"{spec.name}: time travel to version {version} cannot read {len(removed_rows)} data file(s) (vacuumed) "
            "that a bad commit removed without rewriting their rows: "
            + "; ".join(_describe_file(f) for f in removed_rows) + ". Their rows that the current version lacks "
            "cannot be named; nothing was acknowledged. Restore the files from a backup, or accept the loss with a "
            "reason (recover_history(..., accept_vacuumed=\"<reason>\")): the keys of those games with no row left "
            "are then restored from the raw store (docs/HISTORY_SAFETY.md)")
    rows = pl.concat(frames, how="diagonal_relaxed") if frames else store.scan_table(table, only_files=[]).collect()
    return rows, removed_rows


def _describe_file(action: dict) -> str:
    games = f", gameId {action['min.gameId']}..{action['max.gameId']}" if "min.gameId" in action else ""
    dates = f", gameDate {action['min.gameDate']}..{action['max.gameDate']}" if "min.gameDate" in action else ""
    return f"{action['path']} ({action['num_records']} rows{games}{dates})"


def _restore_absent_keys_from_raw(store: DeltaStore, spec: TableSpec, vacuumed: list[dict]) -> int:
    """Append, as ``_version`` 1, the raw store's rows of the vacuumed files' games whose key has no row left."""
    key = list(spec.key)
    snapshot = store.open(spec)
    table = snapshot.delta_table()
    frames = []
    for action in vacuumed:
        if "min.gameDate" not in action or "min.gameId" not in action:
            continue
        first, last = (date_of_game_date_int(action[f"{b}.gameDate"]) for b in ("min", "max"))
        days = [game_date_int(first + timedelta(days=n)) for n in range((last - first).days + 1)]
        parsed = raw_store_rows(store, spec, days)
        if not parsed.is_empty():
            frames.append(parsed.filter(pl.col("gameId").is_between(action["min.gameId"], action["max.gameId"])))
    frames = [f for f in frames if not f.is_empty()]
    if not frames:
        return 0
    parsed = pl.concat(frames, how="diagonal_relaxed").unique(subset=key, keep="first")
    present = versions_of_games(snapshot, parsed["gameId"].unique().to_list(), key)
    absent = parsed.join(present.unique(), on=key, how="anti", nulls_equal=True)
    if absent.is_empty():
        return 0
    columns = list(table.schema().to_arrow().names)
    content_columns = [c for c in columns if c not in HISTORY_META_COLUMNS]
    now = datetime.now(UTC)
    rows = absent.select(*(pl.col(c) if c in absent.columns else pl.lit(None).alias(c) for c in content_columns))
    rows = rows.with_columns(
        content_hash(rows), pl.lit(1, pl.Int32).alias(VERSION),
        pl.lit(f"{RECOVERY_RUN_PREFIX}{now.isoformat()}").alias(RUN_ID),
        pl.lit(now).cast(pl.Datetime("us", "UTC")).alias(INGESTED_AT),
    ).select(columns)
    store.append(spec, rows.cast(dict(snapshot.scan(only_files=[]).collect_schema())))
    return rows.height


def _rewritten_by_bad_commit(store: DeltaStore, spec: TableSpec, path: str, records: dict[str, int | None],
                             bad_versions: list[int]) -> bool:
    for version in bad_versions:
        actions = read_commit(store, spec, version) or []
        removed = [a["remove"]["path"] for a in actions if "remove" in a]
        if path not in removed:
            continue
        added = sum(json.loads(a["add"].get("stats") or "{}").get("numRecords", 0) for a in actions if "add" in a)
        return added >= sum(records.get(p) or 0 for p in removed)
    return False


def restore_content(store: DeltaStore, spec: TableSpec, content: ContentReport) -> list[AlteredRow]:
    """Append the recorded content of the restorable altered rows of ``content`` as new versions of their keys
    (one protected append); the rows restored. A key whose latest version is itself lost is left alone: restoring
    its older versions on top would make old content current."""
    restorable = [row for row in content.altered if not row.lost]
    if not restorable:
        return []
    key = list(spec.key)
    identity = [*key, VERSION]
    snapshot = store.open(spec)
    columns = list(snapshot.delta_table().schema().to_arrow().names)
    versions = versions_of_games(snapshot, content.altered_rows["gameId"].unique().to_list(), columns)
    versions = versions.join(content.altered_rows.select(key).unique(), on=key, how="semi", nulls_equal=True)
    latest = versions.filter(pl.col(VERSION) == pl.col(VERSION).max().over(key))
    lost = {(tuple(row.key.values()), row.version) for row in content.altered if row.lost}
    lost_latest = {ids[:-1] for ids in latest.select(identity).iter_rows() if (ids[:-1], ids[-1]) in lost}
    restorable = [row for row in restorable if tuple(row.key.values()) not in lost_latest]
    if not restorable:
        return []
    wanted = pl.DataFrame([{**row.key, VERSION: row.version} for row in restorable]).cast(
        {c: versions.schema[c] for c in identity})
    recorded = content.recorded.join(wanted, on=identity, how="semi", nulls_equal=True)
    content_columns = [c for c in columns if c not in HISTORY_META_COLUMNS]
    restored = recorded.select(
        *identity, *(pl.col(c) if c in recorded.columns else pl.lit(None).alias(c) for c in content_columns
                     if c not in identity))
    # The intact current rows of keys whose altered row is older: stated again after the restored content.
    altered_identity = content.altered_rows.select(identity)
    current = latest.join(wanted.select(key).unique(), on=key, how="semi", nulls_equal=True).join(
        altered_identity, on=identity, how="anti", nulls_equal=True)
    restated = current.select(*identity, *(c for c in content_columns if c not in identity))
    rows = pl.concat([restored.with_columns(pl.lit(0).alias("_order")),
                      restated.with_columns(pl.lit(1).alias("_order"))], how="diagonal_relaxed")
    top = versions.group_by(key).agg(pl.col(VERSION).max().alias("_top"))
    now = datetime.now(UTC)
    appended = (
        rows.sort([*key, "_order", VERSION])
        .join(top, on=key, how="left", nulls_equal=True)
        .with_columns((pl.col("_top") + pl.int_range(1, pl.len() + 1).over(key)).cast(pl.Int32).alias(VERSION))
        .drop("_order", "_top")
    )
    appended = appended.select(content_columns).with_columns(
        content_hash(appended.select(content_columns)),
        appended[VERSION],
        pl.lit(f"{RECOVERY_RUN_PREFIX}{now.isoformat()}").alias(RUN_ID),
        pl.lit(now).cast(pl.Datetime("us", "UTC")).alias(INGESTED_AT),
    ).select(columns).cast({c: table_dtype for c, table_dtype in versions.schema.items() if c in columns})
    # Through the protected path: the guard audits the table before this commit like before any history write.
    store.append(spec, appended)
    return restorable

