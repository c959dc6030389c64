"""Shared pieces of the end-to-end tests: the recorded API on loopback, the environment of a Dagster
subprocess, process-group lifecycle with a SIGKILL fallback, and the assertions on the bronze tables."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import polars as pl

from nhl_bronze.contract import SITUATIONS
from nhl_bronze.simulator.http import SimulatorServer
from nhl_bronze.storage.tables import (
    GAMES_HISTORICAL_HISTORY,
    GAMES_HISTORICAL_STAGING,
    PLAYER_GAME_STATS_HISTORY,
    PLAYER_GAME_STATS_STAGING,
)
from nhl_bronze_tests.common import REPO_ROOT, SAMPLES, read_table

SAMPLES_DIR = SAMPLES
DEFINITIONS_MODULE = "nhl_bronze.definitions"
TODAY = "2024-10-12"

# staging first, then history: the order the graph runs them in.
STAGING_AND_HISTORY = (
    PLAYER_GAME_STATS_STAGING.name,
    GAMES_HISTORICAL_STAGING.name,
    PLAYER_GAME_STATS_HISTORY.name,
    GAMES_HISTORICAL_HISTORY.name,
)
PLAYER_TABLES = (PLAYER_GAME_STATS_STAGING.name, PLAYER_GAME_STATS_HISTORY.name)
GAME_TABLES = (GAMES_HISTORICAL_STAGING.name, GAMES_HISTORICAL_HISTORY.name)

# Settings of the developer's shell that would change what the subprocess fetches or where it writes.
_INHERITED_PREFIXES = ("NHL_BRONZE_", "NHL_API_", "NHL_WEB_API", "NHL_STATS_API", "DAGSTER_")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_dagster_home(path: Path, dagster_yaml: str = "") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "dagster.yaml").write_text(dagster_yaml, encoding="utf-8")
    return path


def bronze_env(server: SimulatorServer, data_dir: Path, dagster_home: Path, today: str = TODAY) -> dict[str, str]:
    """The environment of a ``dagster`` subprocess that reads the simulator and writes under ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_INHERITED_PREFIXES)}
    env.update(
        NHL_BRONZE_DATA_DIR=str(data_dir),
        NHL_BRONZE_TODAY=today,
        NHL_WEB_API_URL=server.web_api_url,
        NHL_STATS_API_URL=server.stats_api_url,
        DAGSTER_HOME=str(dagster_home),
        # The package is used from the checkout, installed or not.
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p),
        PYTHONUNBUFFERED="1",
    )
    return env


def dagster_command(*args: str) -> list[str]:
    """``dagster ...`` run by this interpreter, so the venv's dagster is used whatever is on PATH."""
    return [sys.executable, "-m", "dagster", *args]


def tail(text: str | bytes | None, lines: int = 80) -> str:
    if not text:
        return "<empty>"
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


# --------------------------------------------------------------------------------------------------------
# A long-running subprocess in its own process group
# --------------------------------------------------------------------------------------------------------
def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split after the last ")".
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (Linux /proc; empty elsewhere)."""
    if not Path("/proc").is_dir():
        return []
    children = _children_by_parent()
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    with contextlib.suppress(OSError):
        if (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) == "Z":
            return False  # a zombie waiting for its parent is as good as gone
    return True


class GroupProcess:
    """A subprocess started in a new session (its own process group), output captured to a file.

    ``stop()`` sends SIGTERM to the group, then SIGKILLs the group and every descendant it recorded (including
    ones that left the group) that did not exit in time: ``dagster dev`` has been seen ignoring SIGTERM.
    """

    def __init__(self, args: Sequence[str], *, env: dict[str, str], cwd: Path, log_path: Path) -> None:
        self.args = list(args)
        self.log_path = log_path
        self._log: IO[bytes] = log_path.open("wb")
        self.process = subprocess.Popen(
            self.args, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._seen: set[int] = set()

    @property
    def pid(self) -> int:
        return self.process.pid

    def poll(self) -> int | None:
        self.remember_descendants()
        return self.process.poll()

    def remember_descendants(self) -> None:
        if self.process.poll() is None:
            self._seen.update(descendants(self.pid))

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def _signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    def _wait_all(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.process.poll()
            if self.process.returncode is not None and not any(_alive(p) for p in self._seen):
                return True
            time.sleep(0.2)
        self.process.poll()
        return self.process.returncode is not None and not any(_alive(p) for p in self._seen)

    def stop(self, grace_seconds: float = 4.0) -> list[int]:
        """Stop the whole tree; returns the pids that were still alive afterwards (should be none)."""
        self.remember_descendants()
        try:
            if self.process.poll() is None:
                self._signal_group(signal.SIGTERM)
                self._wait_all(grace_seconds)
            self.remember_descendants()
            self._signal_group(signal.SIGKILL)
            for pid in self._seen:
                if _alive(pid):
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
            self._wait_all(5)
            return sorted(p for p in self._seen if _alive(p))
        finally:
            self._log.close()


# --------------------------------------------------------------------------------------------------------
# The tables
# --------------------------------------------------------------------------------------------------------
def row_counts(data_dir: Path, names: Sequence[str] = STAGING_AND_HISTORY) -> dict[str, int]:
    return {name: read_table(data_dir, name).height for name in names}


def assert_games_loaded(data_dir: Path, game_dates: dict[int, str]) -> None:
    """Each game is in the staging and history tables, on its date: 2 teams x 4 situations of team rows, and
    every skater of the game has exactly the 4 situations."""
    expected_situations = sorted(SITUATIONS)
    for name in GAME_TABLES:
        teams = read_table(data_dir, name)
        for game_id, game_date in game_dates.items():
            rows = teams.filter(pl.col("gameId") == game_id)
            assert rows.height == 8, f"{name}: {rows.height} team rows for game {game_id}, expected 8"
            assert rows["team"].n_unique() == 2, f"{name}: teams of {game_id}: {rows['team'].unique().to_list()}"
            assert sorted(rows["situation"].unique().to_list()) == expected_situations, name
            assert rows["gameDate"].unique().to_list() == [int(game_date.replace("-", ""))], (
                f"{name}: game {game_id} stored under {rows['gameDate'].unique().to_list()}, expected {game_date}"
            )
    for name in PLAYER_TABLES:
        players = read_table(data_dir, name)
        for game_id in game_dates:
            rows = players.filter(pl.col("gameId") == game_id)
            assert rows.height > 0, f"{name}: no skater rows for game {game_id}"
            per_skater = rows.group_by("playerId").agg(pl.col("situation").sort().alias("situations"))
            wrong = per_skater.filter(pl.col("situations").list.join(",") != ",".join(expected_situations))
            assert wrong.is_empty(), f"{name}: skaters of {game_id} without exactly {expected_situations}: {wrong}"
