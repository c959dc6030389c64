"""The ledger: an append-only, hash-chained record of every commit the project makes to a protected table,
kept outside the table's ``_delta_log`` (so rewriting the log does not rewrite what it is checked against).

Layout: ``<ledger root>/<table>/`` holds one immutable JSON object per entry, ``<seq:012d>.json`` (created once,
never overwritten), and every ``SEGMENT_ENTRIES`` entries a sealed segment ``segment-<first>-<last>.jsonl`` holding
them again in one object: a reader opens the segments and the at most ``SEGMENT_ENTRIES - 1`` newest entries, so
10,000 entries are ~10 + <1,000 small reads (benchmarks/bench_ledger.py), and an object store needs nothing
but whole-object puts (Object Lock can keep them). docs/HISTORY_SAFETY.md says why this format.

Each entry: ``seq``, ``table``, ``kind``, ``recorded_at``, ``run_id``, kind-specific fields, ``prev_hash`` (the
previous entry's ``entry_hash``; 64 zeros for the first) and ``entry_hash`` = SHA-256 of ``prev_hash`` followed by
the canonical JSON (sorted keys, no spaces) of the entry without ``entry_hash``. Kinds:

* ``commit``: a Delta version the project committed: ``version``, ``operation``, ``commit_sha256`` (of the commit
  JSON file), ``adds`` (``path``, ``size``, ``num_records``, ``sha256`` of the file bytes), ``removes`` (paths),
  ``intent`` (the pending intent it fulfils, if any), ``reconciled`` (recorded by a later run after a crash);
* ``pending``: an ``intent`` written before a commit; the commit carries it in its commit info
  (``nhl_bronze.intent``), which is how a run after a crash between commit and ledger append recognises it;
* ``adopt``: the trust anchor of a table that predates the ledger: ``version`` and its live files (``adds``);
* ``recovered``: versions an operator's recovery acknowledged (``versions``) with the recovery's own commit;
* ``acknowledged_lost``: rows that nothing can bring back, acknowledged by an operator (``reason``, ``rows``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from nhl_bronze.storage.location import join_uri
from nhl_bronze.storage.objects import ObjectExistsError, ObjectFolder

GENESIS_HASH = "0" * 64
SEGMENT_ENTRIES = 1000
LEDGER_FOLDER = "_nhl_bronze_ledger"
INTENT_KEY = "nhl_bronze.intent"
APPEND_ATTEMPTS = 20
_ENTRY_SUFFIX = ".json"
_SEGMENT_PREFIX = "segment-"


class LedgerCorruptError(RuntimeError):
    """The ledger itself was altered: a gap in the sequence, a broken chain, an entry whose hash is wrong."""


def default_ledger_root(table_root: str) -> str:
    return join_uri(table_root, LEDGER_FOLDER)


def canonical(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "entry_hash"}
    return hashlib.sha256(prev_hash.encode() + canonical(body)).hexdigest()


def new_intent() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class LedgerDigest:
    table: str
    version: int | None  # the newest Delta version the ledger records (None: nothing recorded)
    entries: int
    chain_hash: str

    def line(self) -> str:
        return f"{self.table} {self.version if self.version is not None else '-'} {self.chain_hash}"


@dataclass
class LedgerState:
    """What the ledger says about one table: known versions, its live files, open intents, acknowledgements."""

    table: str
    entries: int = 0
    head_hash: str = GENESIS_HASH
    versions: dict[int, dict[str, Any]] = field(default_factory=dict)  # commit entries by Delta version
    adopted_version: int | None = None  # versions up to this one are known by adoption (no commit hashes)
    live: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> {size, num_records, sha256}
    open_intents: set[str] = field(default_factory=set)
    acknowledged: set[int] = field(default_factory=set)

    @property
    def known(self) -> bool:
        return self.entries > 0

    @property
    def last_version(self) -> int | None:
        candidates = [*self.versions, *([self.adopted_version] if self.adopted_version is not None else [])]
        return max(candidates) if candidates else None

    adopt: dict[str, Any] | None = None

    def through(self, version: int) -> LedgerState:
        """The state as of Delta version ``version``: what a reader of that (older) snapshot must find."""
        earlier = LedgerState(self.table, self.entries, self.head_hash,
                              {v: e for v, e in self.versions.items() if v <= version}, self.adopted_version,
                              {}, self.open_intents, self.acknowledged, self.adopt)
        earlier.live = _live_files(earlier)
        return earlier

    def knows_version(self, version: int) -> bool:
        return version in self.versions or (self.adopted_version is not None and version <= self.adopted_version)


def state_of(table: str, entries: list[dict[str, Any]]) -> LedgerState:
    state = LedgerState(table, len(entries), entries[-1]["entry_hash"] if entries else GENESIS_HASH)
    intents: set[str] = set()
    fulfilled: set[str] = set()
    adopt: dict[str, Any] | None = None
    for entry in entries:
        kind = entry["kind"]
        if kind == "commit":
            state.versions[entry["version"]] = entry
            if entry.get("intent"):
                fulfilled.add(entry["intent"])
        elif kind == "pending":
            intents.add(entry["intent"])
        elif kind == "adopt":  # a new anchor (a migration switched the table in): earlier versions are history
            adopt = entry
            state.versions.clear()
            intents.clear()
        elif kind == "recovered":
            state.acknowledged.update(entry.get("versions", []))
    state.open_intents = intents - fulfilled
    if adopt is not None:
        state.adopt, state.adopted_version = adopt, adopt["version"]
    state.live = _live_files(state)
    return state


def _live_files(state: LedgerState) -> dict[str, dict[str, Any]]:
    live: dict[str, dict[str, Any]] = {}
    if state.adopt is not None:
        live = {a["path"]: {**a, "version": state.adopt["version"]} for a in state.adopt["adds"]}
    for version in sorted(state.versions):  # commits may be recorded out of version order by concurrent writers
        if state.adopted_version is not None and version <= state.adopted_version:
            continue
        commit = state.versions[version]
        for path in commit.get("removes", []):
            live.pop(path, None)
        for add in commit.get("adds", []):
            live[add["path"]] = {**add, "version": version}
    return live


class Ledger:
    """The ledger under one root, one folder per table. Thread-safe appends; entries are cached per process and
    only new objects are read on each call (the chain of the new ones is checked against the cached head)."""

    def __init__(self, root: str, storage_options: dict[str, str] | None = None):
        self.root = root
        self.storage_options = storage_options
        self._cache: dict[str, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Ledger({self.root!r})"

    def folder(self, table: str) -> ObjectFolder:
        return ObjectFolder(join_uri(self.root, table), self.storage_options)

    def entries(self, table: str) -> list[dict[str, Any]]:
        """Every entry of ``table``, oldest first, its chain verified (``LedgerCorruptError`` otherwise)."""
        folder = self.folder(table)
        cached = self._cache.get(table, [])
        names = folder.names()
        segments = sorted(n for n in names if n.startswith(_SEGMENT_PREFIX))
        singles = {int(n[: -len(_ENTRY_SUFFIX)]): n for n in names
                   if n.endswith(_ENTRY_SUFFIX) and n[: -len(_ENTRY_SUFFIX)].isdigit()}
        if cached and (len(cached) - 1 not in singles and not _covered(segments, len(cached) - 1)):
            cached = []  # the newest cached entry is gone: read everything again (and fail loudly below)
        loaded = list(cached)
        for segment in segments:
            _, last = _segment_range(segment)
            if last < len(loaded):
                continue
            for line in folder.read(segment).splitlines():
                entry = json.loads(line)
                if entry.get("seq", -1) >= len(loaded):
                    self._check_next(table, loaded, entry)
                    loaded.append(entry)
        for seq in sorted(s for s in singles if s >= len(loaded)):
            entry = json.loads(folder.read(singles[seq]))
            self._check_next(table, loaded, entry)
            loaded.append(entry)
        if len(loaded) < len(cached):
            raise LedgerCorruptError(f"ledger of {table}: {len(cached)} entries were read before, only "
                                     f"{len(loaded)} now (entries were deleted)")
        self._cache[table] = loaded
        return list(loaded)

    def state(self, table: str) -> LedgerState:
        return state_of(table, self.entries(table))

    def digest(self, table: str) -> LedgerDigest:
        state = self.state(table)
        return LedgerDigest(table, state.last_version, state.entries, state.head_hash)

    def append(self, table: str, kind: str, run_id: str | None = None, **fields: Any) -> dict[str, Any]:
        """Append one entry at the head of the chain (retrying when another writer took the sequence number)."""
        with self._lock:
            for _ in range(APPEND_ATTEMPTS):
                entries = self.entries(table)
                prev = entries[-1]["entry_hash"] if entries else GENESIS_HASH
                entry = {"seq": len(entries), "table": table, "kind": kind,
                         "recorded_at": datetime.now(UTC).isoformat(), "run_id": run_id, **fields,
                         "prev_hash": prev}
                entry["entry_hash"] = entry_hash(prev, entry)
                try:
                    self.folder(table).create(f"{entry['seq']:012d}{_ENTRY_SUFFIX}", canonical(entry))
                except ObjectExistsError:
                    continue
                self._cache[table] = [*entries, entry]
                if (entry["seq"] + 1) % SEGMENT_ENTRIES == 0:
                    self._seal(table, [*entries, entry][-SEGMENT_ENTRIES:])
                return entry
        raise RuntimeError(f"ledger of {table}: could not append after {APPEND_ATTEMPTS} attempts")

    def _seal(self, table: str, entries: list[dict[str, Any]]) -> None:
        first, last = entries[0]["seq"], entries[-1]["seq"]
        # Another writer may have sealed it first; readers check a segment's chain like any entry.
        with contextlib.suppress(ObjectExistsError):
            self.folder(table).create(f"{_SEGMENT_PREFIX}{first:012d}-{last:012d}.jsonl",
                                      b"\n".join(canonical(e) for e in entries))

    @staticmethod
    def _check_next(table: str, loaded: list[dict[str, Any]], entry: dict[str, Any]) -> None:
        expected_seq = len(loaded)
        prev = loaded[-1]["entry_hash"] if loaded else GENESIS_HASH
        if entry.get("seq") != expected_seq:
            raise LedgerCorruptError(f"ledger of {table}: entry {expected_seq} is missing (found "
                                     f"{entry.get('seq')!r} next)")
        if entry.get("prev_hash") != prev:
            raise LedgerCorruptError(f"ledger of {table}: entry {expected_seq} does not follow entry "
                                     f"{expected_seq - 1} (prev_hash differs): the chain was rewritten")
        if entry_hash(prev, entry) != entry.get("entry_hash"):
            raise LedgerCorruptError(f"ledger of {table}: entry {expected_seq} was altered (its hash does not match "
                                     "its content)")


def _segment_range(name: str) -> tuple[int, int]:
    first, last = name[len(_SEGMENT_PREFIX):].split(".")[0].split("-")
    return int(first), int(last)


def _covered(segments: list[str], seq: int) -> bool:
    return any(first <= seq <= last for first, last in map(_segment_range, segments))
