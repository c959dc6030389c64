"""The ledger: an append-only, hash-chained record of every commit the project makes to a protected table,
kept outside the table's ``_delta_log`` (so rewriting the log does not rewrite what it is checked against).

Layout: ``<ledger root>/<table>/entries/<bucket>/<seq:012d>.json``, one immutable object per entry (created once,
never overwritten; bucket = seq // ``SEGMENT_ENTRIES``), and for every full bucket a sealed segment
``<table>/segments/segment-<first>-<last>.jsonl`` holding the bucket's entries byte for byte in one object. A
reader lists the segments and the one open bucket, so 10,000 entries are 10 segment reads plus at most
``SEGMENT_ENTRIES - 1`` small ones (benchmarks/bench_ledger.py), and an object store needs nothing but whole-object
puts (Object Lock can keep them). docs/HISTORY_SAFETY.md says why this format.

Each entry is stored as its canonical JSON (sorted keys, no spaces): ``seq``, ``table``, ``kind``,
``recorded_at``, ``run_id``, kind-specific fields and ``prev_hash`` (the previous entry's hash; 64 zeros for the
first). An entry's hash (``entry_hash`` when read) is SHA-256 of ``prev_hash`` followed by the stored bytes, so an
altered entry breaks the link of the next one, and the newest entry is pinned by the digest kept elsewhere
(``nhl_bronze.protection.digests``). Kinds:

* ``commit``: a Delta version the project committed: ``version``, ``operation``, ``commit_sha256`` (of the commit
  JSON file), ``adds`` (``path``, ``size``, ``num_records``, ``sha256`` of the file bytes), ``removes`` (paths),
  ``intent`` (the pending intent it fulfils, if any), ``reconciled`` (recorded by a later run after a crash);
* ``pending``: an ``intent`` written before a commit; the commit carries it in its commit info
  (``nhl_bronze.intent``), which is how a run after a crash between commit and ledger append recognises it;
* ``adopt``: the trust anchor of a table that predates the ledger: ``version`` and its live files (``adds``);
* ``recovered``: what an operator's recovery did, recorded after its own commits: the bad Delta versions it
  acknowledged (``versions``), data files it found rewritten in place and re-anchored with their current ``size``,
  ``num_records`` and ``sha256`` once their rows were restored as new versions (``rewritten``), and the rows it
  could not restore (``lost``: ``key``, ``_version``, ``content_hash``, ``recorded_hash``);
* ``acknowledged_lost``: rows that nothing can bring back, acknowledged by an operator (``reason``,
  ``acknowledged_by``, ``rows`` as in ``lost``; a vacuumed file recovery went on past is a row keyed
  ``{"file": path}``). A lost row keeps the audit of readers (verify) red until one covers its key and version.
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

import msgspec

from nhl_bronze.storage.location import join_uri
from nhl_bronze.storage.objects import ObjectExistsError, ObjectFolder

GENESIS_HASH = "0" * 64
_decode = msgspec.json.Decoder(dict).decode
SEGMENT_ENTRIES = 1000
LEDGER_FOLDER = "_nhl_bronze_ledger"
INTENT_KEY = "nhl_bronze.intent"
APPEND_ATTEMPTS = 20
_ENTRY_SUFFIX = ".json"
_ENTRIES = "entries"
_SEGMENTS = "segments"
_SEGMENT_PREFIX = "segment-"
_ANCHORED = ("size", "log_size", "num_records", "sha256")  # what a re-anchored file's ``recovered`` entry states


class LedgerCorruptError(RuntimeError):
    """The ledger itself was altered: a gap in the sequence, a broken chain, an entry whose hash is wrong."""


def default_ledger_root(table_root: str) -> str:
    return join_uri(table_root, LEDGER_FOLDER)


def canonical(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def entry_hash(prev_hash: str, raw: bytes) -> str:
    """The hash of an entry: over the previous entry's hash and the entry's stored bytes (its canonical JSON)."""
    return hashlib.sha256(prev_hash.encode() + raw).hexdigest()


def row_id(key: dict[str, Any], version: int) -> tuple[str, int]:
    """How lost and acknowledged rows are matched: the key's values as JSON (sorted by column) and the version."""
    return json.dumps(key, sort_keys=True, default=str), int(version)


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
    rewritten: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> re-anchored size/rows/hash
    lost: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)  # row_id -> row recovery lost
    acknowledged_lost: dict[tuple[str, int], list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def unacknowledged_losses(self) -> list[dict[str, Any]]:
        return [row for ident, row in sorted(self.lost.items()) if ident not in self.acknowledged_lost]

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
                              {}, self.open_intents, self.acknowledged, adopt=self.adopt)
        earlier.rewritten, earlier.lost, earlier.acknowledged_lost = self.rewritten, self.lost, self.acknowledged_lost
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
            state.rewritten.clear()
            intents.clear()
        elif kind == "recovered":
            state.acknowledged.update(entry.get("versions", []))
            state.rewritten.update({f["path"]: f for f in entry.get("rewritten", [])})
            state.lost.update({row_id(r["key"], r["_version"]): r for r in entry.get("lost", [])})
        elif kind == "acknowledged_lost":
            for row in entry.get("rows", []):
                state.acknowledged_lost.setdefault(row_id(row["key"], row["_version"]), []).append(
                    {**row, "reason": entry.get("reason"), "acknowledged_by": entry.get("acknowledged_by"),
                     "recorded_at": entry.get("recorded_at")})
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
    for path, anchor in state.rewritten.items():  # a recovery restored its rows and re-anchored the file as it is
        if path in live:
            live[path] = {**live[path], **{k: v for k, v in anchor.items() if k in _ANCHORED}}
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

    def folder(self, table: str, *parts: str) -> ObjectFolder:
        return ObjectFolder(join_uri(self.root, "/".join((table, *parts))), self.storage_options)

    def entries(self, table: str) -> list[dict[str, Any]]:
        """Every entry of ``table``, oldest first, its chain verified (``LedgerCorruptError`` otherwise)."""
        cached = self._cache.get(table, [])
        if cached and not self._still_stored(table, cached[-1]):
            cached = []  # the newest entry read before is gone or changed: read the ledger again from the start
        loaded = list(cached)
        segments = {_segment_range(n)[0]: n for n in self.folder(table, _SEGMENTS).names()
                    if n.startswith(_SEGMENT_PREFIX)}
        bucket = len(loaded) // SEGMENT_ENTRIES
        while True:
            first = bucket * SEGMENT_ENTRIES
            if first in segments:
                for offset, raw in enumerate(self.folder(table, _SEGMENTS).read(segments[first]).split(b"\n")):
                    if first + offset >= len(loaded):
                        loaded.append(self._checked_next(table, loaded, raw))
                bucket += 1
                continue
            folder = self.folder(table, _ENTRIES, f"{bucket:06d}")
            names = sorted(n for n in folder.names() if n.endswith(_ENTRY_SUFFIX))
            for name in names:
                if int(name[: -len(_ENTRY_SUFFIX)]) >= len(loaded):
                    loaded.append(self._checked_next(table, loaded, folder.read(name)))
            if len(names) < SEGMENT_ENTRIES:
                break  # the open bucket: the newest entries
            bucket += 1
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
                seq = len(entries)
                body = {"seq": seq, "table": table, "kind": kind, "recorded_at": datetime.now(UTC).isoformat(),
                        "run_id": run_id, **fields,
                        "prev_hash": entries[-1]["entry_hash"] if entries else GENESIS_HASH}
                raw = canonical(body)
                try:
                    self.folder(table, _ENTRIES, f"{seq // SEGMENT_ENTRIES:06d}").create(
                        f"{seq:012d}{_ENTRY_SUFFIX}", raw)
                except ObjectExistsError:
                    continue
                entry = {**body, "entry_hash": entry_hash(body["prev_hash"], raw)}
                self._cache[table] = [*entries, entry]
                if (seq + 1) % SEGMENT_ENTRIES == 0:
                    self._seal(table, seq + 1 - SEGMENT_ENTRIES, seq)
                return entry
        raise RuntimeError(f"ledger of {table}: could not append after {APPEND_ATTEMPTS} attempts")

    def _seal(self, table: str, first: int, last: int) -> None:
        """One object holding a full bucket's entries byte for byte: a reader opens it instead of 1,000 objects."""
        bucket = self.folder(table, _ENTRIES, f"{first // SEGMENT_ENTRIES:06d}")
        lines = [bucket.read(f"{seq:012d}{_ENTRY_SUFFIX}") for seq in range(first, last + 1)]
        # Another writer may have sealed it first; readers check a segment's chain like any entry.
        with contextlib.suppress(ObjectExistsError):
            self.folder(table, _SEGMENTS).create(f"{_SEGMENT_PREFIX}{first:012d}-{last:012d}.jsonl",
                                                 b"\n".join(lines))

    def _still_stored(self, table: str, entry: dict[str, Any]) -> bool:
        """Whether the stored object of a cached entry still hashes to what was read (one small read)."""
        seq = entry["seq"]
        try:
            raw = self.folder(table, _ENTRIES, f"{seq // SEGMENT_ENTRIES:06d}").read(f"{seq:012d}{_ENTRY_SUFFIX}")
        except OSError:
            return False
        return entry_hash(entry["prev_hash"], raw) == entry["entry_hash"]

    @staticmethod
    def _checked_next(table: str, loaded: list[dict[str, Any]], raw: bytes) -> dict[str, Any]:
        expected_seq = len(loaded)
        prev = loaded[-1]["entry_hash"] if loaded else GENESIS_HASH
        try:
            entry = _decode(raw)  # msgspec: a cold read of 10,000 entries is mostly JSON decoding
        except (ValueError, msgspec.DecodeError) as error:
            raise LedgerCorruptError(f"ledger of {table}: entry {expected_seq} is not JSON ({error})") from error
        if entry.get("seq") != expected_seq:
            raise LedgerCorruptError(f"ledger of {table}: entry {expected_seq} is missing (found "
                                     f"{entry.get('seq')!r} next)")
        if entry.get("prev_hash") != prev:
            raise LedgerCorruptError(f"ledger of {table}: entry {expected_seq} does not follow entry "
                                     f"{expected_seq - 1} (its prev_hash differs): an entry was altered or the chain "
                                     "was rewritten")
        entry["entry_hash"] = entry_hash(prev, raw)
        return entry


def _segment_range(name: str) -> tuple[int, int]:
    first, last = name[len(_SEGMENT_PREFIX):].split(".")[0].split("-")
    return int(first), int(last)
