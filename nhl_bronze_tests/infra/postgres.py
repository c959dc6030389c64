"""A real, throw-away PostgreSQL server for the tests: ``initdb`` into a temp folder, ``pg_ctl`` on a free
loopback port, unix socket in the same folder, stopped and deleted at the end of the session.

PostgreSQL refuses to run as root, so when the tests run as root (CI does) the server runs as ``nobody`` through
``runuser``; its folder is created outside pytest's private (0700) temp root so that ``nobody`` can reach it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from nhl_bronze_tests.e2e_support import free_port
from nhl_bronze_tests.infra import unavailable

SERVER_USER_WHEN_ROOT = "nobody"
SUPERUSER = "postgres"
START_TIMEOUT_SECONDS = 60
# Durability is irrelevant for a throw-away test server; these make initdb and every commit much cheaper.
FAST_UNSAFE_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def postgres_bin_dir() -> Path | None:
    """The folder of ``initdb``/``pg_ctl``/``createdb``: from PATH, else Debian's versioned folder (newest)."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    versioned = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return versioned[-1].parent if versioned else None


@dataclass(frozen=True)
class PostgresServer:
    bin_dir: Path
    root: Path
    host: str
    port: int

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def create_database(self, name: str) -> PostgresDatabase:
        _run([str(self.bin_dir / "createdb"), "-h", self.host, "-p", str(self.port), "-U", SUPERUSER, name],
             what=f"createdb {name}")
        return PostgresDatabase(self, name)

    def psql(self, database: str, sql: str) -> str:
        """Run one SQL statement with the server's own client; returns the unaligned, tuples-only output."""
        args = [str(self.bin_dir / "psql"), "-h", self.host, "-p", str(self.port), "-U", SUPERUSER, "-d", database,
                "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql]
        result = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"psql on {database} failed: {sql}\n{result.stderr}")
        return result.stdout.strip()

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return "<no server log>"


@dataclass(frozen=True)
class PostgresDatabase:
    server: PostgresServer
    name: str

    @property
    def url(self) -> str:
        return self.server.url(self.name)

    def dagster_environment(self) -> dict[str, str]:
        """The variables that deploy/dagster.yaml reads for its storage."""
        return {
            "DAGSTER_PG_USERNAME": SUPERUSER,
            "DAGSTER_PG_PASSWORD": "",
            "DAGSTER_PG_HOST": self.server.host,
            "DAGSTER_PG_PORT": str(self.server.port),
            "DAGSTER_PG_DB": self.name,
        }

    def query(self, sql: str) -> str:
        return self.server.psql(self.name, sql)


def _run(args: list[str], *, what: str, as_user: str | None = None) -> None:
    if as_user:
        args = ["runuser", "-u", as_user, "--", *args]
    result = subprocess.run(args, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}): {' '.join(args)}\n{result.stdout}\n{result.stderr}")


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Start a fresh server; stop it (immediate mode: nothing to keep) and delete its folder on exit."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or /usr/lib/postgresql")
    as_user = SERVER_USER_WHEN_ROOT if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="nhl_bronze_pg_"))
    if as_user:
        shutil.chown(root, user=as_user)
    server = PostgresServer(bin_dir=bin_dir, root=root, host="127.0.0.1", port=free_port())
    options = " ".join(
        [f"-p {server.port}", f"-k {root}", f"-c listen_addresses={server.host}"]
        + [f"-c {setting}" for setting in FAST_UNSAFE_SETTINGS]
    )
    try:
        _run([str(bin_dir / "initdb"), "-D", str(server.data_dir), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
              "--no-sync", "--no-instructions"], what="initdb", as_user=as_user)
        _run([str(bin_dir / "pg_ctl"), "-D", str(server.data_dir), "-l", str(server.log_path), "-o", options,
              "-w", "-t", str(START_TIMEOUT_SECONDS), "start"], what="pg_ctl start", as_user=as_user)
    except Exception as error:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"{error}\n--- server log ---\n{server.log_tail()}") from error
    try:
        yield server
    finally:
        with contextlib.suppress(Exception):
            _run([str(bin_dir / "pg_ctl"), "-D", str(server.data_dir), "-m", "immediate", "-w", "stop"],
                 what="pg_ctl stop", as_user=as_user)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole session. Skipped (with the reason) only outside CI when the
    binaries are missing; in CI a missing server is a failure, so the Postgres tests can never silently vanish."""
    if postgres_bin_dir() is None:
        unavailable("PostgreSQL server binaries (initdb, pg_ctl) are not installed (.ci/run installs postgresql)")
    with running_postgres() as server:
        yield server


_database_numbers = itertools.count(1)


@pytest.fixture
def postgres_db(postgres_server: PostgresServer) -> PostgresDatabase:
    """A new, empty database on the session's server (``.url``, ``.dagster_environment()``)."""
    return postgres_server.create_database(f"test_{os.getpid()}_{next(_database_numbers)}")
