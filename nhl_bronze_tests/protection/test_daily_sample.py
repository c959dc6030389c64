"""The per-run file checks beyond size: the daily SHA-256 sample of live files (a rewrite that keeps a file's
size), and on an object store one listing of the table's prefix that compares every live file's size."""

import random

import pytest
from pyarrow import fs

from nhl_bronze.protection import open_store
from nhl_bronze.protection.audit import HistoryTamperedError, audit_table
from nhl_bronze.protection.ledger import LedgerState
from nhl_bronze.protection.ledger_audit import SAMPLE_NEWEST_FILES, SAMPLE_RANDOM_FILES, sampled_files
from nhl_bronze.protection.merge import merge_new_versions
from nhl_bronze.storage.objects import object_filesystem
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY
from nhl_bronze_tests.storage.rows import D1, D2, D3, NOW, team_rows

HISTORY = GAMES_HISTORICAL_HISTORY


def merge(store, frame, start, end):
    return merge_new_versions(store, HISTORY, lambda: frame, start, end, "r", NOW)


def live_paths(store) -> list[str]:
    return store.table(HISTORY).get_add_actions(flatten=True).column("path").to_pylist()


def test_the_sample_holds_the_newest_files_and_random_others():
    state = LedgerState(HISTORY.name, live={f"f{n:02d}": {"version": n} for n in range(30)})
    paths = set(state.live)
    draws = [sampled_files(state, paths, random.Random(seed)) for seed in range(20)]
    newest = ["f29", "f28", "f27", "f26"][:SAMPLE_NEWEST_FILES]
    for drawn in draws:
        assert drawn[:SAMPLE_NEWEST_FILES] == newest
        assert len(drawn) == len(set(drawn)) == SAMPLE_NEWEST_FILES + SAMPLE_RANDOM_FILES
        assert set(drawn) <= paths
    assert len({path for drawn in draws for path in drawn}) > SAMPLE_NEWEST_FILES + SAMPLE_RANDOM_FILES  # random
    few = {"a", "b"}
    assert sorted(sampled_files(LedgerState(HISTORY.name, live={"a": {"version": 0}, "b": {"version": 1}}), few)) \
        == ["a", "b"]


def test_a_file_rewritten_with_its_size_kept_is_refused_by_the_next_runs_sample(tmp_path):
    store = open_store(tmp_path)
    merge(store, team_rows(D1, 1), D1, D2)
    merge(store, team_rows(D2, 2), D2, D3)
    victim = tmp_path / HISTORY.name / live_paths(store)[-1]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same name, same size, other bytes
    victim.chmod(0o644)
    victim.write_bytes(bytes(data))

    assert audit_table(store, HISTORY).ok  # size and row count agree: only a hash can tell
    report = audit_table(store, HISTORY, sample=True)
    assert [p.operation for p in report.problems] == ["FILES"]
    assert "SHA-256 differs" in report.problems[0].message and victim.name in report.problems[0].message
    with pytest.raises(HistoryTamperedError, match="SHA-256 differs"):
        merge(open_store(tmp_path), team_rows(D3, 3), D3, D3.replace(day=11))  # a new run's store samples


def test_on_an_object_store_a_listing_compares_every_live_files_size(s3_bucket):
    store = open_store(s3_bucket.uri("lake"))
    merge(store, team_rows(D1, 1), D1, D2)
    merge(store, team_rows(D2, 2), D2, D3)
    assert audit_table(store, HISTORY).ok
    victim = live_paths(store)[0]
    filesystem, base = object_filesystem(f"{store.uri(HISTORY)}/{victim}")
    with filesystem.open_input_stream(base) as stream:
        data = stream.read()
    with filesystem.open_output_stream(base) as stream:
        stream.write(data[:-1])  # one byte shorter: the log still says the old size
    assert filesystem.get_file_info(base).type == fs.FileType.File

    report = audit_table(store, HISTORY)
    assert [p.operation for p in report.problems] == ["FILES"]
    assert f"data file {victim} is {len(data) - 1} bytes on storage" in report.problems[0].message
