"""End to end through the webserver, as the UI does it: ``dagster dev`` in a subprocess (webserver, daemon, code
server), a single-partition run of ``bronze_job`` and a 3-day backfill of ``bronze_job`` (the README's UI recipe:
Jobs -> bronze_job -> Partitions -> Launch backfill) launched over GraphQL, against the recorded NHL API served on
loopback, into Delta tables under a temp folder."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import polars as pl
import pytest

from nhl_bronze.simulator.http import SimulatorServer
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze_tests.e2e_support import (
    DEFINITIONS_MODULE,
    REPO_ROOT,
    SAMPLES_DIR,
    STAGING_AND_HISTORY,
    GroupProcess,
    assert_games_loaded,
    bronze_env,
    dagster_command,
    free_port,
    make_dagster_home,
    read_table,
    tail,
)

pytestmark = pytest.mark.slow

# One run at a time: the single run and the backfill's run write the same Delta tables, so the queue orders
# them instead of letting them race; dequeued every second, so a launched run starts at once.
DAGSTER_YAML = """\
run_queue:
  max_concurrent_runs: 1
  dequeue_interval_seconds: 1
telemetry:
  enabled: false
"""
STARTUP_TIMEOUT_SECONDS = 60
# The backfill daemon ticks every 30 s (hard-coded): up to one tick to create the run, one more to see it done.
COMPLETION_TIMEOUT_SECONDS = 120
BACKFILL_DATES = ["2024-10-09", "2024-10-10", "2024-10-11"]
SINGLE_RUN_DATE = "2024-10-09"
GAMES_IN_BACKFILL = {2024020009: "2024-10-09", 2024020022: "2024-10-11"}

WORKSPACE_QUERY = """
query {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on RepositoryLocation { name repositories { name jobs { name } } }
          ... on PythonError { message stack }
        }
      }
    }
    ... on PythonError { message stack }
  }
}
"""

LAUNCH_RUN = """
mutation($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on PythonError { message stack }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on InvalidSubsetError { message }
    ... on Error { message }
  }
}
"""

LAUNCH_BACKFILL = """
mutation($backfillParams: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $backfillParams) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message stack }
    ... on Error { message }
  }
}
"""

RUN_STATUS = """
query($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { runId status tags { key value } }
    ... on Error { message }
  }
}
"""

BACKFILL_STATUS = """
query($backfillId: String!) {
  partitionBackfillOrError(backfillId: $backfillId) {
    __typename
    ... on PartitionBackfill { id status numPartitions error { message } }
    ... on Error { message }
  }
}
"""

BACKFILL_RUNS = """
query($backfillId: String!) {
  runsOrError(filter: {tags: [{key: "dagster/backfill", value: $backfillId}]}) {
    __typename
    ... on Runs { results { runId status tags { key value } } }
  }
}
"""

RUN_LOGS = """
query($runId: ID!) {
  logsForRun(runId: $runId, limit: 400) {
    __typename
    ... on EventConnection {
      events {
        __typename
        ... on MessageEvent { message stepKey }
        ... on ExecutionStepFailureEvent { error { message stack } }
        ... on RunFailureEvent { error { message } }
      }
    }
  }
}
"""


class Webserver:
    def __init__(self, url: str, dev: GroupProcess) -> None:
        self.url = url
        self.dev = dev
        self.client = httpx.Client(base_url=url, timeout=30)

    def graphql(self, query: str, **variables) -> dict:
        response = self.client.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, f"GraphQL HTTP {response.status_code}: {response.text[:2000]}"
        body = response.json()
        assert not body.get("errors"), f"GraphQL errors: {body['errors']}"
        return body["data"]

    def diagnostics(self, run_ids: list[str] = ()) -> str:
        parts = []
        for run_id in run_ids:
            try:
                events = self.graphql(RUN_LOGS, runId=run_id)["logsForRun"].get("events", [])
                lines = [str(e.get("error") or e.get("message")) for e in events if e.get("error") or e.get("message")]
                parts.append(f"--- events of run {run_id} ---\n" + "\n".join(lines[-40:]))
            except Exception as error:  # diagnostics must never hide the original failure
                parts.append(f"--- events of run {run_id}: unavailable ({error!r}) ---")
        parts.append(f"--- dagster dev output ---\n{tail(self.dev.output(), 100)}")
        return "\n".join(parts)


def _wait_until_loaded(server: Webserver) -> str:
    """Wait for the webserver to answer and the code location to load; returns the location name."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    last = "no answer yet"
    while time.monotonic() < deadline:
        if server.dev.poll() is not None:
            pytest.fail(f"dagster dev exited with {server.dev.process.returncode}\n{server.diagnostics()}")
        try:
            if server.client.get("/server_info", timeout=2).status_code == 200:
                workspace = server.graphql(WORKSPACE_QUERY)["workspaceOrError"]
                entries = workspace.get("locationEntries", [])
                last = repr(workspace)
                for entry in entries:
                    location = entry["locationOrLoadError"] or {}
                    if location.get("__typename") == "PythonError":
                        pytest.fail(f"code location {entry['name']} failed to load: {location['message']}\n"
                                    f"{location['stack']}")
                    if entry["loadStatus"] == "LOADED" and location.get("__typename") == "RepositoryLocation":
                        jobs = {job["name"] for repo in location["repositories"] for job in repo["jobs"]}
                        assert "bronze_job" in jobs, f"bronze_job missing from {entry['name']}: {sorted(jobs)}"
                        return entry["name"]
        except httpx.TransportError as error:
            last = repr(error)
        time.sleep(0.5)
    pytest.fail(f"webserver not ready in {STARTUP_TIMEOUT_SECONDS} s (last: {last})\n{server.diagnostics()}")


def _launch_single_partition_run(server: Webserver, location: str) -> str:
    result = server.graphql(LAUNCH_RUN, executionParams={
        "selector": {"repositoryLocationName": location, "repositoryName": "__repository__",
                     "jobName": "bronze_job"},
        "runConfigData": {},
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": SINGLE_RUN_DATE}]},
    })["launchRun"]
    assert result["__typename"] == "LaunchRunSuccess", f"launchRun failed: {result}"
    return result["run"]["runId"]


def _launch_backfill(server: Webserver, location: str) -> str:
    """The job's backfill, as the job's Partitions tab launches it: every asset of bronze_job, derived included."""
    result = server.graphql(LAUNCH_BACKFILL, backfillParams={
        "selector": {"partitionSetName": "bronze_job_partition_set",
                     "repositorySelector": {"repositoryLocationName": location, "repositoryName": "__repository__"}},
        "partitionNames": BACKFILL_DATES,
    })["launchPartitionBackfill"]
    assert result["__typename"] == "LaunchBackfillSuccess", f"launchPartitionBackfill failed: {result}"
    return result["backfillId"]


def _wait_for_both(server: Webserver, run_id: str, backfill_id: str) -> list[dict]:
    """Poll until the run and the backfill are done; returns the backfill's runs."""
    deadline = time.monotonic() + COMPLETION_TIMEOUT_SECONDS
    run_status = backfill_status = None
    backfill_runs: list[dict] = []
    seen_state = None
    started = time.monotonic()
    while time.monotonic() < deadline:
        if server.dev.poll() is not None:  # also records the run workers, so tear-down can reach them
            pytest.fail(f"dagster dev exited with {server.dev.process.returncode}\n{server.diagnostics()}")
        run_status = server.graphql(RUN_STATUS, runId=run_id)["runOrError"].get("status")
        backfill = server.graphql(BACKFILL_STATUS, backfillId=backfill_id)["partitionBackfillOrError"]
        backfill_status = backfill.get("status")
        backfill_runs = server.graphql(BACKFILL_RUNS, backfillId=backfill_id)["runsOrError"].get("results", [])
        state = (run_status, backfill_status, tuple(r["status"] for r in backfill_runs))
        if state != seen_state:
            print(f"+{time.monotonic() - started:.1f} s: run {run_status}, backfill {backfill_status} {state[2]}")
            seen_state = state
        failed_runs = [r["runId"] for r in backfill_runs if r["status"] in ("FAILURE", "CANCELED")]
        if run_status in ("FAILURE", "CANCELED") or failed_runs or backfill_status in (
                "FAILED", "COMPLETED_FAILED", "CANCELED", "FAILING"):
            pytest.fail(f"run {run_id}: {run_status}; backfill {backfill_id}: {backfill}; runs {backfill_runs}\n"
                        f"{server.diagnostics([run_id, *failed_runs])}")
        if run_status == "SUCCESS" and backfill_status == "COMPLETED_SUCCESS":
            return backfill_runs
        time.sleep(1)
    pytest.fail(f"not done in {COMPLETION_TIMEOUT_SECONDS} s: run {run_id} {run_status}, backfill {backfill_id} "
                f"{backfill_status}, backfill runs {backfill_runs}\n"
                f"{server.diagnostics([run_id, *(r['runId'] for r in backfill_runs)])}")


def test_webserver_launches_a_partition_run_and_a_backfill_like_the_ui(tmp_path: Path):
    data_dir = tmp_path / "data"
    dagster_home = make_dagster_home(tmp_path / "dagster_home", DAGSTER_YAML)
    port = free_port()
    with SimulatorServer(RecordedNhl(SAMPLES_DIR)) as api:
        dev = GroupProcess(
            dagster_command("dev", "-m", DEFINITIONS_MODULE, "-h", "127.0.0.1", "-p", str(port)),
            env=bronze_env(api, data_dir, dagster_home), cwd=REPO_ROOT, log_path=tmp_path / "dagster_dev.log",
        )
        started = time.monotonic()
        server = None
        try:
            server = Webserver(f"http://127.0.0.1:{port}", dev)
            location = _wait_until_loaded(server)
            print(f"code location {location!r} loaded after {time.monotonic() - started:.1f} s")
            run_id = _launch_single_partition_run(server, location)
            backfill_id = _launch_backfill(server, location)
            backfill_runs = _wait_for_both(server, run_id, backfill_id)
            print(f"run {run_id} and backfill {backfill_id} done after {time.monotonic() - started:.1f} s")

            run_tags = {t["key"]: t["value"] for t in server.graphql(RUN_STATUS, runId=run_id)["runOrError"]["tags"]}
            assert run_tags.get("dagster/partition") == SINGLE_RUN_DATE, run_tags
            # The staging and history assets have a single-run backfill policy: one run covers the 3 dates.
            assert len(backfill_runs) == 1, f"backfill runs: {backfill_runs}"
            tags = {t["key"]: t["value"] for t in backfill_runs[0]["tags"]}
            assert (tags.get("dagster/asset_partition_range_start"),
                    tags.get("dagster/asset_partition_range_end")) == (BACKFILL_DATES[0], BACKFILL_DATES[-1]), tags
        finally:
            if server is not None:
                server.client.close()
            stopping = time.monotonic()
            leftovers = dev.stop()
            print(f"dagster dev stopped in {time.monotonic() - stopping:.1f} s")
        assert not leftovers, f"processes of dagster dev still alive after SIGKILL: {leftovers}"

    assert_games_loaded(data_dir, GAMES_IN_BACKFILL)
    for name in STAGING_AND_HISTORY:
        stored = sorted(read_table(data_dir, name)["gameId"].unique().to_list())
        assert stored == sorted(GAMES_IN_BACKFILL), f"{name} holds games {stored}"
    # The single run (2024-10-09) and the backfill (which covers it again) left one version per key.
    history = read_table(data_dir, STAGING_AND_HISTORY[2])
    assert history.select("playerId", "gameId", "situation").is_duplicated().sum() == 0
    # The job's backfill also brought the derived tables up to date: the game of 2024-10-11, which only the
    # backfill loaded, is in the derived schedule and in the skaters' season sums.
    schedule = read_table(data_dir, "bronze_schedule_2023_v2")
    assert {2024020009, 2024020022} <= set(schedule["GAME_ID"].to_list())
    skaters = read_table(data_dir, "bronze_skaters_2023_v2")
    player_games = read_table(data_dir, STAGING_AND_HISTORY[2]).filter(pl.col("gameId") == 2024020022)
    assert set(player_games["playerId"].cast(pl.String).to_list()) <= set(skaters["playerId"].to_list())
