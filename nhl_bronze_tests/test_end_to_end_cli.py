"""End to end through the CLI, as an operator backfills a range: ``dagster asset materialize --partition-range``
in a subprocess, against the recorded NHL API served on loopback, into Delta tables under a temp folder."""

from __future__ import annotations

import subprocess

import pytest

from nhl_bronze.simulator.http import SimulatorServer
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze_tests.e2e_support import (
    DEFINITIONS_MODULE,
    REPO_ROOT,
    SAMPLES_DIR,
    STAGING_AND_HISTORY,
    TODAY,
    assert_games_loaded,
    bronze_env,
    dagster_command,
    make_dagster_home,
    read_table,
    row_counts,
    tail,
)

pytestmark = pytest.mark.slow

PARTITION_RANGE = "2024-10-08...2024-10-11"
# The recorded final games of 2024-10-08..2024-10-11 (2024020001 is on 2024-10-04, outside the range).
GAMES_IN_RANGE = {2024020009: "2024-10-09", 2024020022: "2024-10-11"}
CLI_TIMEOUT_SECONDS = 120


def _materialize(env: dict[str, str]) -> subprocess.CompletedProcess:
    args = dagster_command(
        "asset", "materialize", "-m", DEFINITIONS_MODULE, "--select", ",".join(STAGING_AND_HISTORY),
        "--partition-range", PARTITION_RANGE,
    )
    try:
        result = subprocess.run(args, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                                timeout=CLI_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as expired:
        pytest.fail(f"`{' '.join(args)}` did not finish within {CLI_TIMEOUT_SECONDS} s\n"
                    f"--- stdout ---\n{tail(expired.stdout)}\n--- stderr ---\n{tail(expired.stderr)}")
    assert result.returncode == 0, (
        f"`{' '.join(args)}` exited {result.returncode}\n"
        f"--- stdout ---\n{tail(result.stdout)}\n--- stderr ---\n{tail(result.stderr)}"
    )
    return result


def _expected_requests(game_ids) -> dict[str, int]:
    """One schedule call answers the whole 4-day window (a schedule body covers 7 days); then play-by-play,
    boxscore and shift chart once per final game."""
    expected = {"/v1/schedule/2024-10-08": 1}
    for game_id in game_ids:
        expected[f"/v1/gamecenter/{game_id}/play-by-play"] = 1
        expected[f"/v1/gamecenter/{game_id}/boxscore"] = 1
        expected[f"/stats/rest/en/shiftcharts?cayenneExp=gameId={game_id}"] = 1
    return expected


def test_cli_partition_range_materializes_the_range_once_and_reruns_idempotently(tmp_path):
    data_dir = tmp_path / "data"
    dagster_home = make_dagster_home(tmp_path / "dagster_home")
    with SimulatorServer(RecordedNhl(SAMPLES_DIR)) as server:
        env = bronze_env(server, data_dir, dagster_home)
        assert env["NHL_BRONZE_TODAY"] == TODAY

        first = _materialize(env)
        output = first.stdout + first.stderr
        assert "RUN_SUCCESS" in output, tail(output)
        # One run for the whole range (single_run backfill policy), not one run per date.
        assert output.count("RUN_SUCCESS") == 1, tail(output)

        expected = _expected_requests(GAMES_IN_RANGE)
        assert server.requests.by_path() == expected, (
            f"requests seen by the simulator: {server.requests.by_path()}\nexpected: {expected}"
        )
        assert server.request_count == 1 + 3 * len(GAMES_IN_RANGE)

        assert_games_loaded(data_dir, GAMES_IN_RANGE)
        for name in STAGING_AND_HISTORY:
            stored = sorted(read_table(data_dir, name)["gameId"].unique().to_list())
            assert stored == sorted(GAMES_IN_RANGE), f"{name} holds games {stored}"
        counts = row_counts(data_dir)
        assert counts[STAGING_AND_HISTORY[0]] == counts[STAGING_AND_HISTORY[2]]  # one version per player key
        assert counts[STAGING_AND_HISTORY[1]] == counts[STAGING_AND_HISTORY[3]] == 8 * len(GAMES_IN_RANGE)

        # The same range again: the same fetches, and history gains no row since nothing changed.
        server.requests.reset()
        _materialize(env)
        assert server.requests.by_path() == expected
        assert row_counts(data_dir) == counts
        history = read_table(data_dir, STAGING_AND_HISTORY[2])
        assert history.select("playerId", "gameId", "situation").is_duplicated().sum() == 0

    # The run was recorded in the persistent instance of DAGSTER_HOME (not a throw-away one).
    assert (dagster_home / "history" / "runs.db").exists() or any(dagster_home.rglob("*.db")), (
        f"no run storage under DAGSTER_HOME: {sorted(p.name for p in dagster_home.rglob('*'))}"
    )
