"""``nhl-bronze backfill --season``: a named season's real dates as one run, and moving the first game date
earlier on a live lake (the partitions extend backwards, history keeps every row it held)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from nhl_bronze import settings
from nhl_bronze.cli.main import main
from nhl_bronze.simulator.calendar import games_on
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY
from nhl_bronze_tests.common import REPO_ROOT, read_table
from nhl_bronze_tests.e2e_support import make_dagster_home, tail

CLI_TIMEOUT_SECONDS = 180
_INHERITED_PREFIXES = ("NHL_BRONZE_", "NHL_API_", "NHL_WEB_API", "NHL_STATS_API", "DAGSTER_")


@pytest.fixture
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith(("NHL_BRONZE_", "DAGSTER_HOME")):
            monkeypatch.delenv(name)
    return monkeypatch


def test_a_season_before_the_first_game_date_is_refused_naming_the_setting(clean_env, capsys):
    assert main(["backfill", "--season", "2012-13", "--dry-run"]) == 2
    refused = capsys.readouterr().err
    assert settings.FIRST_GAME_DATE in refused and "2013-01-19" in refused


def test_a_season_is_its_first_regular_season_day_to_its_last_playoff_day(clean_env, capsys):
    clean_env.setenv(settings.FIRST_GAME_DATE, "2010-10-07")
    assert main(["backfill", "--season", "20122013", "--season", "2019-20", "--dry-run"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "season 2012-13: 2013-01-19 .. 2013-06-24 (157 game dates, one run)"
    assert '"dagster/asset_partition_range_start": "2013-01-19"' in printed[1]
    assert printed[2] == "season 2019-20: 2019-10-02 .. 2020-09-28 (363 game dates, one run)"


def test_a_season_under_way_stops_at_yesterday_and_until_cuts_it_shorter(clean_env, capsys):
    clean_env.setenv(settings.TODAY, "2025-11-01")
    assert main(["backfill", "--season", "2025-26", "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("season 2025-26: 2025-10-07 .. 2025-10-31 (25 game dates")
    assert main(["backfill", "--season", "2025-26", "--until", "2025-10-10", "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("season 2025-26: 2025-10-07 .. 2025-10-10 (4 game dates")
    assert main(["backfill", "--season", "2026-27", "--dry-run"]) == 2  # not in the table of seasons


def _backfill(tmp_path: Path, *args: str, first_game_date: str | None = None, today: str = "2025-10-09",
              dagster_yaml: str = "") -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_INHERITED_PREFIXES)}
    env.update({settings.DATA_DIR: str(tmp_path / "data"), settings.TODAY: today, settings.OFFLINE: "1",
                settings.DAGSTER_HOME: str(make_dagster_home(tmp_path / "dagster_home", dagster_yaml)),
                settings.SUBSET_PLANNED_EVENTS: "true",
                "PYTHONPATH": os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)})
    if first_game_date:
        env[settings.FIRST_GAME_DATE] = first_game_date
    command = [sys.executable, "-m", "nhl_bronze.cli", "backfill", "-q", *args]
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=CLI_TIMEOUT_SECONDS, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{' '.join(command)} exited {done.returncode}\n{tail(done.stdout + done.stderr)}"
    return done.stdout


def _final_games(*days: date) -> set[int]:
    return {g.id for day in days for g in games_on(day) if g.game_type in (2, 3) and not g.postponed}


@pytest.mark.slow
def test_moving_the_first_game_date_back_to_2010_extends_the_partitions_and_keeps_history(tmp_path):
    # A lake built with the default first date: the first two dates of 2025-26 (today is 2025-10-09).
    out = _backfill(tmp_path, "--season", "2025-26")
    assert "season 2025-26: 2025-10-07 .. 2025-10-08 (2 game dates, one run)" in out and "succeeded" in out
    before = {spec.name: read_table(tmp_path / "data", spec.name)
              for spec in (PLAYER_GAME_STATS_HISTORY, GAMES_HISTORICAL_HISTORY)}
    assert set(before[GAMES_HISTORICAL_HISTORY.name]["gameId"]) == _final_games(date(2025, 10, 7), date(2025, 10, 8))

    # The same deployment moved to 2010-10-07: the opening nights of 2010-11 (30 clubs, Atlanta still there).
    out = _backfill(tmp_path, "--season", "2010-11", "--until", "2010-10-08", first_game_date="2010-10-07")
    assert "season 2010-11: 2010-10-07 .. 2010-10-08" in out and "succeeded" in out
    for name, rows in before.items():
        after = read_table(tmp_path / "data", name)
        kept = after.filter(pl.col("gameDate") >= 20251007).sort(after.columns)
        assert_frame_equal(kept, rows.sort(rows.columns))  # every stored row as it was, versions and stamps
        added = after.filter(pl.col("gameDate") < 20251007)
        assert set(added["gameId"]) == _final_games(date(2010, 10, 7), date(2010, 10, 8))
        assert set(added["season"]) == {20102011}

    instance = dg.DagsterInstance.from_config(str(tmp_path / "dagster_home"))
    materialized = instance.get_materialized_partitions(dg.AssetKey(GAMES_HISTORICAL_HISTORY.name))
    assert {"2010-10-07", "2010-10-08", "2025-10-07", "2025-10-08"} <= materialized
    runs = instance.get_runs(dg.RunsFilter(tags={"nhl_bronze/trigger": "backfill_season"}))
    assert sorted(run.tags["nhl_bronze/season"] for run in runs) == ["20102011", "20252026"]


# No daemon in this test: the instance launches a submitted run at once, in a process of its own.
LAUNCH_AT_ONCE = """\
run_coordinator:
  module: dagster._core.run_coordinator
  class: DefaultRunCoordinator
telemetry:
  enabled: false
"""
RUN_TIMEOUT_SECONDS = 150


@pytest.mark.slow
def test_launch_hands_the_season_run_to_the_instance(tmp_path):
    out = _backfill(tmp_path, "--season", "2025-26", "--launch", today="2025-10-08", dagster_yaml=LAUNCH_AT_ONCE)
    assert "season 2025-26: submitted to the instance" in out
    instance = dg.DagsterInstance.from_config(str(tmp_path / "dagster_home"))
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while True:
        [run] = instance.get_runs(dg.RunsFilter(tags={"nhl_bronze/season": "20252026"}))
        if run.is_finished or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert run.status == dg.DagsterRunStatus.SUCCESS, run.status
    assert (run.tags["dagster/asset_partition_range_start"], run.tags["dagster/asset_partition_range_end"]) == (
        "2025-10-07", "2025-10-07")
    assert set(read_table(tmp_path / "data", GAMES_HISTORICAL_HISTORY.name)["gameId"]) == _final_games(
        date(2025, 10, 7))
