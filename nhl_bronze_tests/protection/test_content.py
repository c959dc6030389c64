"""Issue 21, content, black box: history rows altered behind the project's back (plain deltalake or file
operations), then ``nhl-bronze verify --deep``, ``recover_history`` and ``nhl-bronze acknowledge-loss``.

Expected values are read from the tables before the attack, never computed by the code under test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from deltalake import DeltaTable

from nhl_bronze.protection import open_store
from nhl_bronze.protection.ledger import LEDGER_FOLDER, Ledger
from nhl_bronze.protection.merge import merge_new_versions
from nhl_bronze.protection.recovery import RecoveryError, recover_history
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY
from nhl_bronze_tests.history_fixture import LATE_SHIFT_CHART_GAME
from nhl_bronze_tests.support import (
    STAGING_AND_HISTORY,
    copy_of_lake,
    materialize_day,
    materialize_range,
    metadata,
    read_table,
)

FIRST, DAY, LAST = "2024-10-04", "2024-10-09", "2024-10-11"  # the recorded week: three final games
GAME = 2024020009
TEAMS, PLAYERS = GAMES_HISTORICAL_HISTORY.name, PLAYER_GAME_STATS_HISTORY.name
SCRIPT = Path(sys.executable).parent / "nhl-bronze"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data = tmp_path_factory.mktemp("content_built")
    materialize_range(STAGING_AND_HISTORY, data, FIRST, LAST)
    return data


@pytest.fixture
def data_dir(built, tmp_path):
    return copy_of_lake(built, tmp_path)


def nhl_bronze(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NHL_BRONZE_")}
    return subprocess.run([str(SCRIPT), *args, "--data-dir", str(data_dir), "-q"], env=env, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)


def update_without_stamps(table_dir: Path, column: str, predicate: str) -> int:
    """appendOnly off, UPDATE ``column`` + 5 where ``predicate``, appendOnly on; the version before the attack."""
    table = DeltaTable(str(table_dir))
    good = table.version()
    table.alter.set_table_properties({"delta.appendOnly": "false"})
    table.update(updates={column: f"{column} + 5"}, predicate=predicate)
    table.alter.set_table_properties({"delta.appendOnly": "true"})
    return good


def acknowledgements(data_dir: Path, table: str) -> list[dict]:
    """The acknowledged losses the table's ledger holds (read like any other ledger entry)."""
    return [e for e in Ledger(str(data_dir / LEDGER_FOLDER)).entries(table) if e["kind"] == "acknowledged_lost"]


def latest(data_dir: Path, name: str, columns: list[str]) -> pl.DataFrame:
    spec = {TEAMS: GAMES_HISTORICAL_HISTORY, PLAYERS: PLAYER_GAME_STATS_HISTORY}[name]
    # Read file by file, not with pl.read_delta: a file rewritten in place no longer has the size the log records.
    rows = open_store(data_dir).scan(spec).collect()
    key = list(spec.key)
    return rows.filter(pl.col("_version") == pl.col("_version").max().over(key)).select(*key, *columns).sort(key)


def test_update_without_stamps_is_named_by_verify_deep(data_dir):
    before = read_table(data_dir, TEAMS).filter(pl.col("gameId") == GAME, pl.col("team") == "VAN",
                                                pl.col("situation") == "all")
    goals = before["goalsFor"].item()
    # Twice: the newest removed file holds the once-altered rows, the recorded content is in the older one.
    update_without_stamps(data_dir / TEAMS, "goalsFor", f"gameId = {GAME}")
    update_without_stamps(data_dir / TEAMS, "goalsFor", f"gameId = {GAME}")

    result = nhl_bronze("verify", "--deep", data_dir=data_dir)

    assert result.returncode == 1
    altered = [line for line in result.stdout.splitlines() if "altered, column(s)" in line]
    assert len(altered) == read_table(data_dir, TEAMS).filter(pl.col("gameId") == GAME).height  # all of the game
    assert (f"{TEAMS}: key gameId={GAME}, team=VAN, situation=all, _version 1 (game date {DAY}): altered, column(s) "
            f"goalsFor {goals} -> {goals + 10}") in result.stdout


def test_update_then_recovery_restores_the_content_and_verify_deep_is_green(data_dir):
    true_teams = latest(data_dir, TEAMS, ["goalsFor"])
    true_players = latest(data_dir, PLAYERS, ["I_F_goals"])
    altered_teams = true_teams.filter(pl.col("gameId") == GAME).height
    altered_players = true_players.filter(pl.col("gameId") == GAME).height
    good_teams = update_without_stamps(data_dir / TEAMS, "goalsFor", f"gameId = {GAME}")
    good_players = update_without_stamps(data_dir / PLAYERS, "I_F_goals", f"gameId = {GAME}")
    assert latest(data_dir, TEAMS, ["goalsFor"])["goalsFor"].to_list() != true_teams["goalsFor"].to_list()

    recorded_before = len(Ledger(str(data_dir / LEDGER_FOLDER)).entries(TEAMS))
    store = open_store(data_dir, run_id="operator-recovery-1")
    teams = recover_history(store, GAMES_HISTORICAL_HISTORY, good_teams)
    players = recover_history(store, PLAYER_GAME_STATS_HISTORY, good_players)

    # Every ledger entry the recovery wrote names the run its store was opened with (pending/commit of its own
    # appends, the bad commits recorded foreign, the recovered entry).
    written = Ledger(str(data_dir / LEDGER_FOLDER)).entries(TEAMS)[recorded_before:]
    assert {"pending", "commit", "recovered"} <= {entry["kind"] for entry in written}
    assert {entry["run_id"] for entry in written} == {"operator-recovery-1"}

    assert (teams.contents_restored, players.contents_restored) == (altered_teams, altered_players)
    assert not teams.lost and not players.lost
    assert latest(data_dir, TEAMS, ["goalsFor"]).equals(true_teams)
    assert latest(data_dir, PLAYERS, ["I_F_goals"]).equals(true_players)
    result = nhl_bronze("verify", "--deep", data_dir=data_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    # Recovered: the next run of the date adds nothing (the merge compares against content).
    run = materialize_day(STAGING_AND_HISTORY, data_dir, DAY)
    assert metadata(run, TEAMS)["rows_inserted"] == 0 and metadata(run, PLAYERS)["rows_inserted"] == 0


def test_a_data_file_rewritten_in_place_is_named_and_restored_from_the_raw_store(data_dir):
    true_teams = latest(data_dir, TEAMS, ["goalsFor"])
    table = DeltaTable(str(data_dir / TEAMS))
    (path,) = table.get_add_actions(flatten=True).column("path").to_pylist()
    rows = pl.read_parquet(data_dir / TEAMS / path)
    in_game = pl.col("gameId") == GAME
    goals = pl.when(in_game).then(pl.col("goalsFor") + 5).otherwise("goalsFor").alias("goalsFor")
    rows.with_columns(goals).write_parquet(data_dir / TEAMS / path)  # the same name, goals + 5 for one game

    result = nhl_bronze("verify", "--deep", data_dir=data_dir)
    assert result.returncode == 1
    assert result.stdout.count("altered, column(s)") == true_teams.filter(in_game).height
    for team, situation, goals in true_teams.filter(in_game).select("team", "situation", "goalsFor").iter_rows():
        assert (f"{TEAMS}: key gameId={GAME}, team={team}, situation={situation}, _version 1 (game date {DAY}): "
                f"altered, column(s) goalsFor {goals} -> {goals + 5} (recorded content from the raw store's "
                "bodies, parsed again)") in result.stdout

    recovered = recover_history(open_store(data_dir), GAMES_HISTORICAL_HISTORY, good_version=None)
    assert recovered.contents_restored == true_teams.filter(in_game).height
    assert latest(data_dir, TEAMS, ["goalsFor"]).equals(true_teams)
    green = nhl_bronze("verify", "--deep", data_dir=data_dir)
    assert green.returncode == 0, green.stdout + green.stderr
    run = materialize_day(STAGING_AND_HISTORY, data_dir, DAY)  # runs write again
    assert metadata(run, TEAMS)["rows_inserted"] == 0


def test_a_file_rewritten_in_place_with_a_row_dropped_gets_the_row_back_from_the_raw_store(data_dir):
    """The issue's attack: goals + 5 for one game and one row dropped, same file name."""
    true_teams = latest(data_dir, TEAMS, ["goalsFor"])
    (path,) = DeltaTable(str(data_dir / TEAMS)).get_add_actions(flatten=True).column("path").to_pylist()
    rows = pl.read_parquet(data_dir / TEAMS / path)
    dropped = rows.filter(pl.col("gameId") != GAME).row(0, named=True)
    in_game = pl.col("gameId") == GAME
    goals = pl.when(in_game).then(pl.col("goalsFor") + 5).otherwise("goalsFor").alias("goalsFor")
    kept = ~((pl.col("gameId") == dropped["gameId"]) & (pl.col("team") == dropped["team"])
             & (pl.col("situation") == dropped["situation"]))
    rows.with_columns(goals).filter(kept).write_parquet(data_dir / TEAMS / path)
    assert nhl_bronze("verify", data_dir=data_dir).returncode == 1  # the size the ledger recorded

    recovered = recover_history(open_store(data_dir), GAMES_HISTORICAL_HISTORY, good_version=None)

    assert recovered.contents_restored == true_teams.filter(in_game).height
    assert recovered.keys_restored_from_raw == 1
    assert latest(data_dir, TEAMS, ["goalsFor"]).equals(true_teams)
    green = nhl_bronze("verify", "--deep", data_dir=data_dir)
    assert green.returncode == 0, green.stdout + green.stderr
    run = materialize_day(STAGING_AND_HISTORY, data_dir, DAY)  # runs write again
    assert metadata(run, TEAMS)["rows_inserted"] == 0


def test_vacuumed_content_without_raw_bodies_is_lost_and_verify_stays_red_until_acknowledged(built, tmp_path):
    # History imported from an old export: no raw body stands behind its rows.
    data_dir = tmp_path / "imported"
    for name in (TEAMS, PLAYERS):
        export = tmp_path / f"{name}.parquet"
        read_table(built, name).drop("_version", "_row_hash", "_run_id", "_ingested_at").write_parquet(export)
        imported = nhl_bronze("import", str(export), "--table", name, "--label", "old-export", data_dir=data_dir)
        assert imported.returncode == 0, imported.stderr
    altered_keys = read_table(data_dir, TEAMS).filter(pl.col("gameId") == GAME, pl.col("team") == "VAN").select(
        "team", "situation").sort("situation")
    good = update_without_stamps(data_dir / TEAMS, "goalsFor", f"gameId = {GAME} AND team = 'VAN'")
    DeltaTable(str(data_dir / TEAMS)).vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)

    recovered = recover_history(open_store(data_dir), GAMES_HISTORICAL_HISTORY, good)

    assert recovered.contents_restored == 0
    assert sorted((row.key["team"], row.key["situation"], row.version) for row in recovered.lost) == [
        (team, situation, 1) for team, situation in altered_keys.iter_rows()]
    assert "LOST" in recovered.describe()
    red = nhl_bronze("verify", "--deep", data_dir=data_dir)
    assert red.returncode == 1
    assert red.stdout.count(f"{TEAMS}: key gameId={GAME}, team=VAN") == altered_keys.height
    assert "lost" in red.stdout
    # Recovery recorded the lost rows in the ledger: the plain verify (no content check) is red for them too.
    plain = nhl_bronze("verify", data_dir=data_dir)
    assert plain.returncode == 1 and plain.stdout.count(f"{TEAMS}: Delta version") == altered_keys.height
    assert plain.stdout.count("(LOST): row gameId=2024020009, team=VAN") == altered_keys.height

    acknowledged = nhl_bronze("acknowledge-loss", "--reason", "files vacuumed at retention 0, no backup",
                              "--by", "ops", data_dir=data_dir)
    assert acknowledged.returncode == 0, acknowledged.stderr
    assert acknowledged.stdout.count("acknowledged as lost") == altered_keys.height
    assert nhl_bronze("verify", "--deep", data_dir=data_dir).returncode == 0
    (record,) = acknowledgements(data_dir, TEAMS)
    assert (record["reason"], record["acknowledged_by"]) == ("files vacuumed at retention 0, no backup", "ops")
    assert sorted((row["key"]["team"], row["key"]["situation"], row["_version"]) for row in record["rows"]) == [
        (team, situation, 1) for team, situation in altered_keys.iter_rows()]
    assert not (data_dir / "nhl_bronze_acknowledged_losses").exists()  # in the ledger, not in a table beside

    # Altered again after the acknowledgement: red again (the acknowledgement holds for the content it saw).
    update_without_stamps(data_dir / TEAMS, "goalsFor", f"gameId = {GAME} AND team = 'VAN' AND situation = 'all'")
    again = nhl_bronze("verify", "--deep", data_dir=data_dir)
    assert again.returncode == 1 and "team=VAN, situation=all, _version 1" in again.stdout


def test_a_merge_compares_against_the_stored_content_not_the_stored_hash(data_dir):
    """A stored row whose values no longer match its ``_row_hash`` is repaired by re-ingesting its date."""
    store = open_store(data_dir)
    stored = read_table(data_dir, TEAMS)
    staged = stored.drop("_version", "_row_hash", "_run_id", "_ingested_at")
    # Through the protected path itself: a version 2 of one key whose values differ from its (true) hash.
    lying = stored.filter(pl.col("gameId") == GAME, pl.col("team") == "VAN", pl.col("situation") == "all")
    lying = lying.with_columns(pl.col("goalsFor") + 5, pl.lit(2, pl.Int32).alias("_version"))
    store.append(GAMES_HISTORICAL_HISTORY, lying)

    merged = merge_new_versions(store, GAMES_HISTORICAL_HISTORY, lambda: staged, datetime(2024, 10, 9).date(),
                                datetime(2024, 10, 10).date(), "re-ingestion", datetime.now(UTC))

    assert merged.rows_written == 1
    after = latest(data_dir, TEAMS, ["goalsFor", "_version"]).filter(
        pl.col("gameId") == GAME, pl.col("team") == "VAN", pl.col("situation") == "all")
    assert after.select("goalsFor", "_version").row(0) == (lying["goalsFor"].item() - 5, 3)


def test_the_history_run_checks_a_sample_and_names_an_altered_row(data_dir):
    store = open_store(data_dir)
    stored = read_table(data_dir, TEAMS)
    # A version 2 of one key of the run's window whose values are the true ones but whose hash is not theirs: the
    # merge sees nothing to add (same values), the run's sample check must name the row.
    lying = stored.filter(pl.col("gameId") == GAME, pl.col("team") == "VAN", pl.col("situation") == "all")
    lying = lying.with_columns(pl.lit("0" * 40).alias("_row_hash"), pl.lit(2, pl.Int32).alias("_version"))
    store.append(GAMES_HISTORICAL_HISTORY, lying)

    run = materialize_day(STAGING_AND_HISTORY, data_dir, DAY)

    checks = {(e.asset_key.path[-1], e.check_name): e for e in run.get_asset_check_evaluations()}
    teams = checks[(TEAMS, "rows_match_their_hash")]
    assert not teams.passed and teams.metadata["altered_rows"].value == 1
    assert f"key gameId={GAME}, team=VAN, situation=all, _version 2" in teams.metadata["altered"].value
    assert checks[(PLAYERS, "rows_match_their_hash")].passed


def test_deleted_and_vacuumed_rows_stop_recovery_until_accepted_then_come_back_from_the_raw_store(data_dir):
    rows = read_table(data_dir, PLAYERS)
    victim = rows.filter(pl.col("gameId") == GAME)["playerId"][0]
    deleted = rows.filter(pl.col("playerId") == victim).drop("_run_id", "_ingested_at").sort("situation")
    table = DeltaTable(str(data_dir / PLAYERS))
    good = table.version()
    table.alter.set_table_properties({"delta.appendOnly": "false"})
    table.delete(f"playerId = '{victim}'")
    table.alter.set_table_properties({"delta.appendOnly": "true"})
    table.vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)
    store = open_store(data_dir)

    with pytest.raises(RecoveryError, match=r"cannot read 1 data file\(s\) \(vacuumed\).*accept_vacuumed"):
        recover_history(store, PLAYER_GAME_STATS_HISTORY, good)
    assert nhl_bronze("verify", data_dir=data_dir).returncode == 1  # nothing was acknowledged

    result = recover_history(store, PLAYER_GAME_STATS_HISTORY, good, accept_vacuumed="vacuumed by mistake, no backup")

    assert result.keys_restored_from_raw == deleted.height and len(result.vacuumed_files) == 1
    back = read_table(data_dir, PLAYERS).filter(pl.col("playerId") == victim)
    assert back.drop("_run_id", "_ingested_at").sort("situation").equals(deleted)  # same content, hash, _version 1
    assert nhl_bronze("verify", "--deep", data_dir=data_dir).returncode == 0
    (record,) = acknowledgements(data_dir, PLAYERS)
    assert record["reason"] == "vacuumed by mistake, no backup"
    assert [row["key"] for row in record["rows"]] == [{"file": result.vacuumed_files[0].split(" ")[0]}]


def test_an_altered_older_version_is_restored_without_changing_the_latest_row(recorded_history, tmp_path):
    """A corrected game (versions 1 and 2): version 1 altered; its content comes back, the latest stays version 2's."""
    data_dir = tmp_path / "data"
    shutil.copytree(recorded_history.data_dir, data_dir)
    corrected = LATE_SHIFT_CHART_GAME
    true_latest = latest(data_dir, PLAYERS, ["I_F_goals", "icetime"]).filter(pl.col("gameId") == corrected)
    first_versions = read_table(data_dir, PLAYERS).filter(pl.col("gameId") == corrected, pl.col("_version") == 1)
    good = update_without_stamps(data_dir / PLAYERS, "I_F_goals", f"gameId = {corrected} AND _version = 1")

    result = recover_history(open_store(data_dir), PLAYER_GAME_STATS_HISTORY, good)

    assert result.contents_restored == first_versions.height and not result.lost
    assert latest(data_dir, PLAYERS, ["I_F_goals", "icetime"]).filter(pl.col("gameId") == corrected).drop(
        "_version", strict=False).equals(true_latest)
    assert nhl_bronze("verify", "--deep", data_dir=data_dir).returncode == 0
