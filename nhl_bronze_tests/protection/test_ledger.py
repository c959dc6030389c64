"""The ledger's own format: a hash chain of immutable objects, sealed into segments, read back by a new process."""

import itertools
import os

import pytest

from nhl_bronze.protection import ledger as ledger_module
from nhl_bronze.protection.digests import extension_problem
from nhl_bronze.protection.ledger import GENESIS_HASH, Ledger, LedgerCorruptError

TABLE = "bronze_games_historical_v2"


@pytest.fixture
def small_segments(monkeypatch):
    monkeypatch.setattr(ledger_module, "SEGMENT_ENTRIES", 4)


def write(root, count: int) -> list[dict]:
    ledger = Ledger(str(root))
    return [ledger.append(TABLE, "commit", "run", version=v, adds=[], removes=[]) for v in range(count)]


def test_entries_survive_a_new_process_across_sealed_segments_and_link_to_the_previous(tmp_path, small_segments):
    written = write(tmp_path, 10)  # two sealed segments of 4, two entries in the open bucket
    assert sorted(os.listdir(tmp_path / TABLE / "segments")) == [
        "segment-000000000000-000000000003.jsonl", "segment-000000000004-000000000007.jsonl"]
    read = Ledger(str(tmp_path)).entries(TABLE)
    assert [e["version"] for e in read] == list(range(10))
    assert [e["entry_hash"] for e in read] == [e["entry_hash"] for e in written]
    assert read[0]["prev_hash"] == GENESIS_HASH
    assert all(later["prev_hash"] == earlier["entry_hash"] for earlier, later in itertools.pairwise(read))


def test_a_deleted_entry_is_a_gap(tmp_path, small_segments):
    write(tmp_path, 3)
    os.remove(tmp_path / TABLE / "entries" / "000000" / f"{1:012d}.json")
    with pytest.raises(LedgerCorruptError, match=f"ledger of {TABLE}: entry 1 is missing"):
        Ledger(str(tmp_path)).entries(TABLE)


def test_a_rewritten_segment_breaks_the_chain(tmp_path, small_segments):
    write(tmp_path, 6)
    segment = tmp_path / TABLE / "segments" / "segment-000000000000-000000000003.jsonl"
    os.chmod(segment, 0o644)
    segment.write_bytes(segment.read_bytes().replace(b'"version":2', b'"version":7'))
    with pytest.raises(LedgerCorruptError, match="entry 3 does not follow entry 2"):
        Ledger(str(tmp_path)).entries(TABLE)


def test_a_ledger_extends_its_own_earlier_digest_and_not_another_ledgers(tmp_path):
    write(tmp_path / "a", 2)
    earlier = Ledger(str(tmp_path / "a")).digest(TABLE)
    Ledger(str(tmp_path / "a")).append(TABLE, "commit", "run", version=2, adds=[], removes=[])
    assert extension_problem(Ledger(str(tmp_path / "a")), TABLE, earlier.chain_hash) is None
    write(tmp_path / "b", 3)  # same content, recorded at other moments: another chain
    assert "does not extend" in extension_problem(Ledger(str(tmp_path / "b")), TABLE, earlier.chain_hash)


def test_an_own_commit_whose_ledger_entry_a_crash_lost_is_reconciled_and_a_foreign_one_is_not(tmp_path):
    """kill -9 between the commit and the ledger append: the commit carries the pending intent written before
    it, so the next writer records it; a commit without an open intent is reported."""
    import polars as pl
    from deltalake import write_deltalake

    from nhl_bronze.protection import open_store
    from nhl_bronze.protection.audit import audit_table
    from nhl_bronze.storage.tables import RAW_API_RESPONSES

    def rows(key: str) -> pl.DataFrame:
        return pl.DataFrame({"endpoint": ["schedule"], "key": [key], "gameDate": [20241008]},
                            schema_overrides={"gameDate": pl.Int32})

    store = open_store(tmp_path)
    store.append(RAW_API_RESPONSES, rows("a"))
    properties = store.guard.before_commit(store.open(RAW_API_RESPONSES))
    write_deltalake(store.uri(RAW_API_RESPONSES), rows("b"), mode="append", commit_properties=properties)
    crashed = store.version(RAW_API_RESPONSES)  # ... and the process died before after_commit

    assert [p.operation for p in audit_table(store, RAW_API_RESPONSES).problems] == ["PENDING"]  # verify: reported
    store.append(RAW_API_RESPONSES, rows("c"))  # the next writer reconciles it, then writes
    reconciled = [e for e in Ledger(str(tmp_path / "_nhl_bronze_ledger")).entries(RAW_API_RESPONSES.name)
                  if e.get("reconciled")]
    assert [e["version"] for e in reconciled] == [crashed]
    assert audit_table(store, RAW_API_RESPONSES, deep=True).ok

    write_deltalake(store.uri(RAW_API_RESPONSES), rows("d"), mode="append")  # no intent: not the project's
    report = audit_table(store, RAW_API_RESPONSES)
    assert [p.version for p in report.problems] == [store.version(RAW_API_RESPONSES)]
    assert "unknown to the ledger" in report.problems[0].message


def test_a_recovery_re_anchors_its_rewritten_file_and_its_lost_rows_stay_open_until_acknowledged(tmp_path):
    ledger = Ledger(str(tmp_path))
    ledger.append(TABLE, "commit", version=0, adds=[{"path": "a.parquet", "size": 100, "num_records": 3,
                                                     "sha256": "old"}], removes=[])
    ledger.append(TABLE, "commit", version=1, adds=[{"path": "b.parquet", "size": 50, "num_records": 1,
                                                     "sha256": "b"}], removes=[])
    lost = {"key": {"gameId": 7, "team": "VAN"}, "key_columns": ["gameId", "team"], "_version": 1}
    ledger.append(TABLE, "recovered", versions=[], rewritten=[{"path": "a.parquet", "size": 120, "log_size": 100,
                                                               "num_records": 3, "sha256": "new"}], lost=[lost])

    state = Ledger(str(tmp_path)).state(TABLE)
    assert state.live["a.parquet"] == {"path": "a.parquet", "size": 120, "log_size": 100, "num_records": 3,
                                       "sha256": "new", "version": 0}
    assert state.live["b.parquet"]["sha256"] == "b"  # untouched
    assert [row["key"] for row in state.unacknowledged_losses] == [{"gameId": 7, "team": "VAN"}]

    # Another row of the same key, or the same row of another key, acknowledges nothing.
    ledger.append(TABLE, "acknowledged_lost", reason="no backup", acknowledged_by="ops",
                  rows=[{"key": {"gameId": 7, "team": "VAN"}, "_version": 2},
                        {"key": {"gameId": 7, "team": "BOS"}, "_version": 1}])
    assert len(Ledger(str(tmp_path)).state(TABLE).unacknowledged_losses) == 1
    ledger.append(TABLE, "acknowledged_lost", reason="no backup", acknowledged_by="ops",
                  rows=[{"key": {"team": "VAN", "gameId": 7}, "_version": 1}])
    state = Ledger(str(tmp_path)).state(TABLE)
    assert state.unacknowledged_losses == []
    (acknowledgement,) = state.acknowledged_lost[('{"gameId": 7, "team": "VAN"}', 1)]
    assert (acknowledgement["reason"], acknowledgement["acknowledged_by"]) == ("no backup", "ops")
