"""The installed ``nhl-bronze`` console script, run in a subprocess against real history tables."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from deltalake import DeltaTable

from nhl_bronze.client.window import RawResponse
from nhl_bronze.protection import open_store
from nhl_bronze.storage.raw_responses import RawResponseStore
from nhl_bronze.storage.tables import ALL_TABLES, PLAYER_GAME_STATS_HISTORY, SKATERS
from nhl_bronze_tests.history_fixture import GAMES, LATE_SHIFT_CHART_GAME

SCRIPT = Path(sys.executable).parent / "nhl-bronze"
# A final game that a later schedule answer lists and a run requested (its boxscore fetch failed), but history
# never received: a problem.
UNLOADED_GAME, UNLOADED_DATE = 2024020030, date(2024, 10, 12)
# A final game of a date no run asked for (the schedule answer covers a whole week): a fact, not a problem.
UNREQUESTED_GAME, UNREQUESTED_DATE = 2024020041, date(2024, 10, 13)


def nhl_bronze(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess:
    assert SCRIPT.exists(), f"the console script is not installed at {SCRIPT}: pip install -e ."
    env = {k: v for k, v in os.environ.items() if not k.startswith("NHL_BRONZE_")}
    if data_dir is not None:
        env["NHL_BRONZE_DATA_DIR"] = str(data_dir)
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_status_json_reports_tables_coverage_and_the_corrected_game(recorded_history):
    result = nhl_bronze("status", "--json", "--data-dir", str(recorded_history.data_dir))
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    tables = {t["table"]: t for t in status["tables"]}
    assert set(tables) == {spec.name for spec in ALL_TABLES}
    for name, table in tables.items():
        delta = DeltaTable(str(recorded_history.data_dir / name))
        assert table["delta_version"] == delta.version(), name
        assert table["files"] == len(delta.file_uris()), name
        assert table["append_only"] == (name in {"bronze_player_game_stats_v2", "bronze_games_historical_v2",
                                                  "raw_nhl_api_responses"}), name
    # 3 games x 36 skaters x 4 situations current; the late game's 144 rows are stored twice.
    player = tables["bronze_player_game_stats_v2"]
    assert (player["rows_latest"], player["rows_all_versions"]) == (432, 576)
    assert player["protocol"] == "reader 1 / writer 2"
    assert [(s["season"], s["final_in_schedule"], s["in_history"], s["missing"]) for s in status["coverage"]] == [
        (20242025, len(GAMES), len(GAMES), [])]
    assert status["corrected_games"] == [{
        "table": "bronze_player_game_stats_v2", "game_id": LATE_SHIFT_CHART_GAME, "game_date": 20241009,
        "corrected_keys": 144, "max_version": 2}]


def digest_lines(lines: list[str]) -> list[str]:
    """verify's ``table version chain-hash`` lines (the ledger's digests), not problems."""
    return [line for line in lines if re.fullmatch(r"\S+ (\d+|-) [0-9a-f]{64}", line)]


def without_digests(lines: list[str]) -> list[str]:
    return [line for line in lines if line not in digest_lines(lines)]


def test_verify_passes_on_healthy_tables_found_through_the_environment(recorded_history):
    result = nhl_bronze("verify", data_dir=recorded_history.data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert without_digests(lines) == [f"verify: OK ({recorded_history.data_dir})"]
    assert sorted(line.split()[0] for line in digest_lines(lines)) == [
        "bronze_games_historical_v2", "bronze_player_game_stats_v2", "raw_nhl_api_responses"]
    assert "checking the column contract" in result.stderr  # progress lines go to stderr


@pytest.fixture(scope="module")
def broken_tables(recorded_history, tmp_path_factory) -> Path:
    """A copy of the healthy tables with one problem of each kind verify must name."""
    data_dir = tmp_path_factory.mktemp("broken") / "data"
    shutil.copytree(recorded_history.data_dir, data_dir)
    store = open_store(data_dir)
    schedule = {"gameWeek": [
        {"date": day.isoformat(), "games": [{"id": game, "gameType": 2, "gameState": "OFF", "gameScheduleState": "OK"}]}
        for game, day in ((UNLOADED_GAME, UNLOADED_DATE), (UNREQUESTED_GAME, UNREQUESTED_DATE))]}
    RawResponseStore(store).record([
        RawResponse("schedule", UNLOADED_DATE.isoformat(), UNLOADED_DATE, "/v1/schedule/2024-10-12", 200,
                    datetime.now(UTC), json.dumps(schedule).encode()),
        RawResponse("boxscore", str(UNLOADED_GAME), UNLOADED_DATE, f"/v1/gamecenter/{UNLOADED_GAME}/boxscore", 503,
                    datetime.now(UTC), b"Service Unavailable"),
    ])
    # A second latest row for one key: what a merge that looked only inside its window could write.
    game_rows = store.scan(PLAYER_GAME_STATS_HISTORY).filter(pl.col("gameId") == 2024020001).collect()
    one_row = game_rows.filter(pl.col("playerId") == game_rows["playerId"].min(), pl.col("situation") == "all")
    assert one_row.height == 1
    store.append(PLAYER_GAME_STATS_HISTORY, one_row)
    skaters = store.scan(SKATERS).collect().with_columns(pl.col("player_I_F_goals").cast(pl.Int64))
    store.replace(SKATERS, skaters)
    return data_dir


def test_verify_exits_non_zero_with_one_line_per_problem(broken_tables):
    result = nhl_bronze("verify", "--quiet", "--data-dir", str(broken_tables))
    assert result.returncode == 1, result.stdout + result.stderr
    lines = without_digests(result.stdout.strip().splitlines())
    player_id = pl.read_delta(str(broken_tables / PLAYER_GAME_STATS_HISTORY.name)).filter(
        pl.col("gameId") == 2024020001)["playerId"].min()
    assert lines == [
        f"bronze_player_game_stats_v2: 2 latest rows for key playerId={player_id}, gameId=2024020001, "
        "situation=all (game date 2024-10-04)",
        "bronze_skaters_2023_v2: column player_I_F_goals is Int64, the contract says Int32",
        f"bronze_games_historical_v2: final game {UNLOADED_GAME} of 2024-10-12 (season 20242025) is missing "
        "from history",
        f"bronze_player_game_stats_v2: final game {UNLOADED_GAME} of 2024-10-12 (season 20242025) is missing "
        "from history",
        "note: 1 final games on 1 dates of the stored schedule were never requested (not checked; `nhl-bronze "
        "status` prints the command that loads them)",
    ]
    assert "3 problem(s)" not in result.stderr and "4 problem(s)" in result.stderr
    assert result.stderr.count("\n") == 1  # --quiet: no progress lines


def test_status_lists_the_missing_game(broken_tables):
    result = nhl_bronze("status", "--data-dir", str(broken_tables))
    assert result.returncode == 0, result.stderr
    assert "season 20242025: 3/4 final games of the requested dates in history, 1 missing" in result.stdout
    assert (f"missing game {UNLOADED_GAME} of 2024-10-12 from bronze_games_historical_v2, "
            "bronze_player_game_stats_v2") in result.stdout
    # Per month, where the holes are: 3 games in history, the unloaded one missing, the unrequested one a fact.
    assert re.search(r"^    2024-10 +5 +3 +1 +1  #+!+\.+$", result.stdout, re.MULTILINE), result.stdout
    # The unrequested date is told apart, with the command that loads it (the whole graph: bronze_job).
    assert "not requested yet (not a problem): 1 final games on 1 dates" in result.stdout
    assert ("""dagster job execute -m nhl_bronze.definitions -j bronze_job --tags '{"dagster/asset_partition_range_"""
            """start": "2024-10-13", "dagster/asset_partition_range_end": "2024-10-13"}'""") in result.stdout
    assert str(UNREQUESTED_GAME) not in result.stdout


@pytest.mark.parametrize("command", ["status", "verify"])
def test_a_wrong_data_dir_is_named_and_fails(command, tmp_path):
    missing = tmp_path / "no-such-dir"
    result = nhl_bronze(command, "--data-dir", str(missing))
    assert result.returncode == 2 and result.stdout == ""
    assert f"the data dir {missing} does not exist" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = nhl_bronze(command, "-q", data_dir=empty)  # through NHL_BRONZE_DATA_DIR
    assert result.returncode == 2 and result.stdout == ""
    assert f"the data dir {empty} holds no bronze tables" in result.stderr


def test_status_lists_the_recent_runs_that_changes_takes(recorded_history):
    from nhl_bronze.readers import changes

    result = nhl_bronze("status", "-q", "--data-dir", str(recorded_history.data_dir))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("recent runs that added history rows (ids for changes(since=...), times for as_of):")
    first, second = lines[start + 1].split(), lines[start + 2].split()
    assert (first[0], second[0]) == (recorded_history.first_run_id, recorded_history.second_run_id)
    # The first run added 3 games: 3 x 36 skaters x 4 situations and 3 x 2 teams x 4 situations; the second
    # only the 144 corrected player rows of the late shift chart.
    assert lines[start + 1].endswith("rows added: 432 bronze_player_game_stats_v2, 24 bronze_games_historical_v2")
    assert lines[start + 2].endswith("rows added: 144 bronze_player_game_stats_v2, 0 bronze_games_historical_v2")
    # The printed id is what changes() takes: after the first run, only the corrected game.
    since_first = changes(recorded_history.data_dir / PLAYER_GAME_STATS_HISTORY.name, since=first[0])
    assert since_first["gameId"].to_list() == [LATE_SHIFT_CHART_GAME]


def test_verify_names_the_commit_that_erased_history(recorded_history, tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(recorded_history.data_dir, data_dir)
    games = DeltaTable(str(data_dir / "bronze_games_historical_v2"))
    games.restore(0)  # accepted by the Delta protocol on an appendOnly table: every row is gone
    restore_version = games.version()

    result = nhl_bronze("verify", "-q", "--data-dir", str(data_dir))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"bronze_games_historical_v2: Delta version {restore_version} (RESTORE): ")
               for line in lines), lines
    for game_id, game_date in GAMES.items():
        day = f"{str(game_date)[:4]}-{str(game_date)[4:6]}-{str(game_date)[6:]}"
        assert (f"bronze_games_historical_v2: final game {game_id} of {day} (season 20242025) is missing from "
                "history") in lines
