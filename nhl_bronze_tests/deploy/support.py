"""Shared pieces of the deployment tests: a DAGSTER_HOME with deploy/dagster.yaml on the test PostgreSQL, and
``dagster`` commands run side by side."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from nhl_bronze_tests.e2e_support import REPO_ROOT, dagster_command, tail
from nhl_bronze_tests.infra import require_module
from nhl_bronze_tests.infra.postgres import PostgresDatabase

DEPLOY_DIR = REPO_ROOT / "deploy"
DEPLOY_DAGSTER_YAML = DEPLOY_DIR / "dagster.yaml"
# Pools the deployment's init step sets explicitly (see test_postgres_concurrent_runs for why).
POOLS = ("nhl_api", "nhl_bronze_history")
COMMAND_TIMEOUT_SECONDS = 180


def require_deploy_extra() -> None:
    require_module("dagster_postgres", "the deploy extra: pip install -e '.[dev,deploy]'")


def deploy_dagster_home(path: Path, postgres_db: PostgresDatabase, monkeypatch: pytest.MonkeyPatch) -> tuple:
    """A DAGSTER_HOME holding the deployment's dagster.yaml, unchanged, and the environment it reads (also set
    in this process, so that the test can open the same instance)."""
    path.mkdir(parents=True)
    shutil.copy(DEPLOY_DAGSTER_YAML, path / "dagster.yaml")
    environment = postgres_db.dagster_environment()
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    return path, environment


def run_together(commands: dict[str, list[str]], env: dict[str, str]) -> dict[str, str]:
    """Start every ``dagster ...`` command at once; each must exit 0. Returns each one's output."""
    processes = {
        name: subprocess.Popen(dagster_command(*args), cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)
        for name, args in commands.items()
    }
    outputs = {}
    try:
        for name, process in processes.items():
            try:
                outputs[name] = process.communicate(timeout=COMMAND_TIMEOUT_SECONDS)[0]
            except subprocess.TimeoutExpired:
                pytest.fail(f"`dagster {' '.join(commands[name])}` did not finish in {COMMAND_TIMEOUT_SECONDS} s")
            assert process.returncode == 0, (
                f"`dagster {' '.join(commands[name])}` exited {process.returncode}:\n{tail(outputs[name])}"
            )
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
    return outputs


def init_pools(env: dict[str, str], limits: dict[str, int] | None = None) -> None:
    """The deployment's init step (docker-compose's ``init`` service), from two processes at once."""
    limits = {pool: 1 for pool in POOLS} | (limits or {})
    run_together({pool: ["instance", "concurrency", "set", pool, str(limit)] for pool, limit in limits.items()}, env)
