"""A real S3-compatible server for the tests: moto in server mode on a free loopback port (HTTP, so deltalake's
object store talks to it exactly as to S3), one bucket per test, and the standard ``AWS_*`` variables that
deltalake and polars read.

moto >= 5.2.5 is required: 5.2.0 regressed conditional put (``If-None-Match: *``), which is what makes
concurrent Delta commits on S3 safe since deltalake 1.x (no DynamoDB lock any more).
"""

from __future__ import annotations

import contextlib
import itertools
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from nhl_bronze_tests.e2e_support import free_port
from nhl_bronze_tests.infra import require_module

REGION = "us-east-1"
ACCESS_KEY_ID = "nhl-bronze-test-key"
_bucket_numbers = itertools.count(1)
START_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    # A distinctive value per session, so a test can prove it never shows up in logs or metadata.
    secret_access_key: str
    log_path: Path  # the server's request log: one line per request with its HTTP status

    def environment(self) -> dict[str, str]:
        """The standard variables deltalake (object_store) and polars read for S3."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ALLOW_HTTP": "true",  # moto listens on plain HTTP on loopback
        }

    def storage_options(self) -> dict[str, str]:
        """The same settings as deltalake ``storage_options`` (keys are case-insensitive there)."""
        return {key: value for key, value in self.environment().items() if key != "AWS_DEFAULT_REGION"}

    def client(self):
        import boto3  # moto[server] brings boto3; imported late so collection does not need it

        return boto3.client(
            "s3", endpoint_url=self.endpoint_url, region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=self.secret_access_key,
        )

    def create_bucket(self, name: str) -> str:
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        paginator = self.client().get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


@contextlib.contextmanager
def running_moto(log_path: Path) -> Iterator[S3Server]:
    """``python -m moto.server`` as a child process on a free loopback port, stopped on exit.

    Not moto's in-process ``ThreadedMotoServer``: some deltalake calls (``DeltaTable.history()``) block while
    holding the GIL, so a server thread in the same interpreter can never answer them (seen here: a 180 s hang).
    """
    port = free_port()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    try:
        server = S3Server(
            endpoint_url=f"http://127.0.0.1:{port}", secret_access_key=f"test-secret-{secrets.token_hex(12)}",
                          log_path=log_path)
        _wait_until_listening(port, process, log_path)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_listening(port: int, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto server exited {process.returncode}:\n{log_path.read_text(errors='replace')}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"moto server not listening on 127.0.0.1:{port} after {START_TIMEOUT_SECONDS} s")


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """One moto S3 server for the session, on 127.0.0.1 only."""
    require_module("moto", "moto[server] is a dev dependency: pip install -e '.[dev]'")
    with running_moto(tmp_path_factory.mktemp("moto") / "moto.log") as server:
        yield server


@dataclass(frozen=True)
class S3Bucket:
    server: S3Server
    name: str

    def uri(self, prefix: str = "lake") -> str:
        return f"s3://{self.name}/{prefix}"


@pytest.fixture
def s3_bucket(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Bucket:
    """A fresh bucket, with the ``AWS_*`` environment pointing at the server for the test's duration."""
    for key, value in s3_server.environment().items():
        monkeypatch.setenv(key, value)
    # A profile or real credentials in the developer's shell must not leak into the test's requests.
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_S3_LOCKING_PROVIDER"):
        monkeypatch.delenv(key, raising=False)
    name = s3_server.create_bucket(f"nhl-bronze-test-{next(_bucket_numbers)}")
    return S3Bucket(server=s3_server, name=name)
