"""Delta commits on S3 (moto on loopback) are safe for concurrent writers because deltalake writes each commit
file with a conditional put (``If-None-Match: *``): the loser of a race gets 412, re-reads the log and commits
the next version. No DynamoDB lock is involved (deltalake >= 1.x has none)."""

from __future__ import annotations

import re
import threading

import polars as pl
from deltalake import DeltaTable, write_deltalake

from nhl_bronze_tests.infra.s3 import S3Bucket

COMMIT_FILE = re.compile(r"_delta_log/(\d{20})\.json$")


def _commit_versions(s3_bucket: S3Bucket, prefix: str) -> list[int]:
    keys = s3_bucket.server.keys(s3_bucket.name, f"{prefix}/_delta_log/")
    return sorted(int(m.group(1)) for key in keys if (m := COMMIT_FILE.search(key)))


def test_moto_refuses_a_conditional_put_on_an_existing_key(s3_bucket):
    # The server behaviour everything below depends on (moto 5.2.0 regressed it).
    client = s3_bucket.server.client()
    client.put_object(Bucket=s3_bucket.name, Key="probe", Body=b"first")
    refused = None
    try:
        client.put_object(Bucket=s3_bucket.name, Key="probe", Body=b"second", IfNoneMatch="*")
    except client.exceptions.ClientError as error:
        refused = error.response["Error"]["Code"]
    assert refused == "PreconditionFailed"
    assert client.get_object(Bucket=s3_bucket.name, Key="probe")["Body"].read() == b"first"


def test_concurrent_appenders_converge_without_lost_or_duplicate_versions(s3_bucket):
    uri = s3_bucket.uri("concurrent")
    write_deltalake(uri, pl.DataFrame({"writer": [-1], "batch": [0]}))
    writers, batches, failures = 4, 3, []
    # All writers start each batch together, so that they race for the same next version (deltalake releases
    # the GIL while writing): without conditional put, the losers' commit files would overwrite the winner's.
    start_together = threading.Barrier(writers)

    def append(writer: int) -> None:
        try:
            for batch in range(batches):
                start_together.wait(timeout=60)
                write_deltalake(uri, pl.DataFrame({"writer": [writer], "batch": [batch]}), mode="append")
        except Exception as error:  # reported below with the writer's number
            failures.append(f"writer {writer}: {error!r}")

    threads = [threading.Thread(target=append, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures

    # 1 create + 12 appends = versions 0..12, each exactly once, and every appended row is there exactly once.
    assert _commit_versions(s3_bucket, "concurrent") == list(range(13))
    rows = pl.read_delta(uri).filter(pl.col("writer") >= 0).sort("writer", "batch")
    expected = pl.DataFrame({"writer": [w for w in range(4) for _ in range(3)], "batch": [0, 1, 2] * 4})
    assert rows.equals(expected)
    assert DeltaTable(uri).version() == 12
