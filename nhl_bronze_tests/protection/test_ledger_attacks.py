"""Issue 21, black box: someone with write access to the storage attacks a history built by a real Dagster run,
with plain deltalake and file operations, and may forge anything inside the table (commit metadata included).
Each attack ends in a loud, named failure: ``nhl-bronze verify`` exits non-zero naming the table and the version
or file, and the next run refuses to write. The history is built once per module and copied per test."""

import glob
import json
import os
import shutil

import dagster as dg
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from deltalake import CommitProperties, DeltaTable, write_deltalake

from nhl_bronze.cli.main import main
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY
from nhl_bronze_tests.support import STAGING_AND_HISTORY, copy_of_lake, materialize_day, metadata

DAY = "2024-10-09"
TEAMS = GAMES_HISTORICAL_HISTORY.name
FORGED = "nhl_bronze.audited_through"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data = tmp_path_factory.mktemp("built")
    materialize_day(STAGING_AND_HISTORY, data, DAY)
    return data


@pytest.fixture
def data_dir(built, tmp_path):
    return copy_of_lake(built, tmp_path)


def verify(data_dir, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify", "--data-dir", str(data_dir), "-q"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out


def run_fails_naming(data_dir, *names: str) -> None:
    result = materialize_day(STAGING_AND_HISTORY, data_dir, DAY, raise_on_error=False)
    assert not result.success
    failures = "\n".join(e.step_failure_data.error.to_string() for e in result.all_events if e.is_step_failure)
    for name in names:
        assert name in failures


def audit_lines(out: str) -> list[str]:
    """verify's lines about the protected tables' integrity (one built day leaves later final games missing from
    history: the coverage check's lines, and verify's notes, are not this test's business)."""
    return [line for line in out.splitlines()
            if "missing from history" not in line and ": " in line and not line.startswith(("note: ", "verify: OK"))]


def teams_log(data_dir) -> str:
    return str(data_dir / TEAMS / "_delta_log")


def test_the_untouched_history_verifies_and_prints_one_digest_line_per_protected_table(data_dir, capsys):
    _, out = verify(data_dir, capsys)
    assert audit_lines(out) == []
    digests = [line.split() for line in out.splitlines() if len(line.split()) == 3 and line.split()[0] in (
        TEAMS, PLAYER_GAME_STATS_HISTORY.name, "raw_nhl_api_responses")]
    assert sorted(d[0] for d in digests) == sorted([TEAMS, PLAYER_GAME_STATS_HISTORY.name, "raw_nhl_api_responses"])
    teams = next(d for d in digests if d[0] == TEAMS)
    assert int(teams[1]) == DeltaTable(str(data_dir / TEAMS)).version()
    assert len(teams[2]) == 64


def test_forged_audit_stamps_around_append_only_off_update_delete_change_nothing(data_dir, capsys):
    uri = str(data_dir / TEAMS)

    def stamp() -> CommitProperties:  # what the old audit trusted: "audited clean through the next version"
        return CommitProperties(custom_metadata={FORGED: str(DeltaTable(uri).version() + 1)})

    DeltaTable(uri).alter.set_table_properties({"delta.appendOnly": "false"}, commit_properties=stamp())
    switched = DeltaTable(uri).version()
    DeltaTable(uri).update(updates={"goals": "goalsFor + 5"}, predicate="gameId = 2024020009",
                           commit_properties=stamp())
    DeltaTable(uri).delete("team = 'BOS'", commit_properties=stamp())
    DeltaTable(uri).alter.set_table_properties({"delta.appendOnly": "true"}, commit_properties=stamp())

    code, out = verify(data_dir, capsys)
    assert code == 1
    assert f"{TEAMS}: Delta version {switched} (SET TBLPROPERTIES)" in out
    assert f"{TEAMS}: Delta version {switched + 1} (UPDATE)" in out
    run_fails_naming(data_dir, TEAMS, f"Delta version {switched}")


def test_a_forged_recovery_stamp_makes_the_audit_accept_nothing(data_dir, capsys):
    """What recovery's commit once carried (``nhl_bronze.recovers``: the bad versions it repaired): forged on the
    attack's own commits and on a later append, it changes nothing: recovery acknowledges in the ledger only."""
    uri = str(data_dir / TEAMS)
    good = DeltaTable(uri).version()
    bad = [good + 1, good + 2, good + 3]

    def stamp() -> CommitProperties:
        return CommitProperties(custom_metadata={"nhl_bronze.recovers": json.dumps(bad),
                                                 "nhl_bronze.recovered_from": str(good),
                                                 FORGED: str(DeltaTable(uri).version() + 1)})

    DeltaTable(uri).alter.set_table_properties({"delta.appendOnly": "false"}, commit_properties=stamp())
    DeltaTable(uri).delete("situation = 'all'", commit_properties=stamp())
    DeltaTable(uri).alter.set_table_properties({"delta.appendOnly": "true"}, commit_properties=stamp())
    assert DeltaTable(uri).version() == good + 3
    one_row = DeltaTable(uri).to_pyarrow_table().slice(0, 1)  # "the rows are back": one row appended again
    write_deltalake(uri, one_row, mode="append", commit_properties=stamp())

    code, out = verify(data_dir, capsys)
    assert code == 1
    assert f"{TEAMS}: Delta version {good + 2} (DELETE)" in out
    assert f"{TEAMS}: Delta version {good + 4} (WRITE)" in out  # the stamped append is unknown to the ledger too
    run_fails_naming(data_dir, TEAMS, f"Delta version {good + 1}")


def test_deleting_the_newest_commit_file_is_caught(data_dir, capsys):
    newest = sorted(glob.glob(os.path.join(teams_log(data_dir), "*.json")))[-1]
    version = int(os.path.basename(newest).split(".")[0])
    os.remove(newest)
    code, out = verify(data_dir, capsys)
    assert code == 1
    assert f"{TEAMS}: Delta version {version} (LOG): the ledger records Delta version {version} but the log ends " \
           f"at version {version - 1}" in out
    run_fails_naming(data_dir, TEAMS, f"version {version}")


def test_restore_then_checkpoint_then_deleting_the_commits_up_to_it_is_caught(data_dir, capsys):
    uri = str(data_dir / TEAMS)
    DeltaTable(uri).restore(0)
    table = DeltaTable(uri)
    table.create_checkpoint()
    checkpoint = table.version()
    for version in range(checkpoint + 1):
        os.remove(os.path.join(teams_log(data_dir), f"{version:020d}.json"))
    code, out = verify(data_dir, capsys)
    assert code == 1
    assert f"{TEAMS}: Delta version {checkpoint}" in out  # the RESTORE version: unknown to the ledger
    run_fails_naming(data_dir, TEAMS)


def test_a_data_file_rewritten_in_place_is_caught_by_size_and_rows(data_dir, capsys):
    table = DeltaTable(str(data_dir / TEAMS))
    path = table.get_add_actions(flatten=True).column("path").to_pylist()[-1]
    location = str(data_dir / TEAMS / path)
    rows = pl.read_parquet(location)
    altered = rows.with_columns(pl.when(pl.col("gameId") == rows["gameId"][0]).then(pl.col("goalsFor") + 5)
                                .otherwise(pl.col("goalsFor")).alias("goalsFor")).slice(1)
    os.chmod(location, 0o644)
    altered.write_parquet(location)
    code, out = verify(data_dir, capsys)
    assert code == 1
    assert f"{TEAMS}: Delta version" in out and f"data file {path} is " in out and "it was rewritten" in out
    run_fails_naming(data_dir, TEAMS, path)


def test_a_data_file_rewritten_with_the_same_size_and_rows_is_caught_by_its_hash(data_dir, capsys):
    table = DeltaTable(str(data_dir / TEAMS))
    path = table.get_add_actions(flatten=True).column("path").to_pylist()[-1]
    location = str(data_dir / TEAMS / path)
    with open(location, "r+b") as handle:  # flip bytes inside the file (same size; the footer is untouched)
        handle.seek(100)
        chunk = handle.read(4)
        handle.seek(100)
        handle.write(bytes(b ^ 0xFF for b in chunk))
    code, out = verify(data_dir, capsys)
    assert code == 1
    assert f"data file {path} was rewritten: its SHA-256 differs" in out


def test_deleting_the_delta_log_makes_the_run_refuse_instead_of_creating_an_empty_table(data_dir, capsys):
    shutil.rmtree(teams_log(data_dir))
    code, out = verify(data_dir, capsys)
    assert code == 1
    assert f"{TEAMS}: Delta version" in out and "there is no table (no _delta_log)" in out
    run_fails_naming(data_dir, TEAMS, "no _delta_log")
    assert not os.path.isdir(teams_log(data_dir))  # nothing was created in its place


@pytest.mark.parametrize("victim", ["data file", "checkpoint"])
def test_a_deleted_data_file_or_checkpoint_is_a_named_problem_not_a_traceback(data_dir, capsys, victim):
    uri = str(data_dir / TEAMS)
    if victim == "data file":
        path = DeltaTable(uri).get_add_actions(flatten=True).column("path").to_pylist()[0]
        os.remove(os.path.join(uri, path))
        expected = path
    else:
        # A checkpoint covering every commit and the log cleaned up to it (as maintenance leaves a log; the
        # ledger accepts a recorded commit file a checkpoint covers), then the checkpoint deleted.
        DeltaTable(uri).create_checkpoint()
        for name in glob.glob(os.path.join(teams_log(data_dir), "*.json")):
            os.remove(name)
        for name in glob.glob(os.path.join(teams_log(data_dir), "*checkpoint*")):
            os.remove(name)
        expected = TEAMS
    code, out = verify(data_dir, capsys)
    assert code == 1
    assert expected in out


def test_a_table_the_ledger_never_saw_is_reported_until_an_operator_adopts_it(data_dir, capsys):
    shutil.rmtree(data_dir / "_nhl_bronze_ledger")  # a lake that predates the ledger
    code, out = verify(data_dir, capsys)
    assert code == 1
    assert f"{TEAMS}: Delta version" in out and "the ledger has never seen it" in out
    run_fails_naming(data_dir, "ledger has never seen it")

    assert main(["ledger", "adopt", "--data-dir", str(data_dir), "-q"]) == 0
    _, out = verify(data_dir, capsys)
    assert audit_lines(out) == []
    assert materialize_day(STAGING_AND_HISTORY, data_dir, DAY, raise_on_error=False).success


def test_a_lake_with_tampering_is_not_adopted(data_dir, capsys):
    shutil.rmtree(data_dir / "_nhl_bronze_ledger")
    DeltaTable(str(data_dir / TEAMS)).restore(0)
    assert main(["ledger", "adopt", "--data-dir", str(data_dir), "-q", "--table", TEAMS]) == 1
    assert "RESTORE" in capsys.readouterr().err


def test_the_ledger_itself_altered_is_caught(data_dir, capsys):
    first = data_dir / "_nhl_bronze_ledger" / TEAMS / "entries" / "000000" / f"{0:012d}.json"
    os.chmod(first, 0o644)
    first.write_text(first.read_text().replace('"kind":"pending"', '"kind":"pendinG"'))
    code, out = verify(data_dir, capsys)
    assert code == 1
    assert f"ledger of {TEAMS}: entry 1 does not follow entry 0" in out


def test_a_table_rewritten_together_with_its_ledger_is_caught_by_the_digest_kept_in_the_instance(tmp_path, capsys):
    data = tmp_path / "data"
    with dg.DagsterInstance.ephemeral() as instance:
        first = materialize_day(STAGING_AND_HISTORY, data, DAY, instance=instance)
        kept = metadata(first, TEAMS)["ledger_digest"]
        assert kept.split()[0] == TEAMS
        again = materialize_day(STAGING_AND_HISTORY, data, DAY, instance=instance)  # honest: the ledger grows
        assert again.success
        _, out = verify_against(data, kept, capsys)
        assert "does not extend" not in out

        # The attacker rebuilds the table and its ledger from scratch: a valid chain, just not the one kept.
        shutil.rmtree(data / TEAMS)
        shutil.rmtree(data / "_nhl_bronze_ledger" / TEAMS)
        with dg.DagsterInstance.ephemeral() as elsewhere:
            assert materialize_day(STAGING_AND_HISTORY, data, DAY, instance=elsewhere).success
        code, out = verify_against(data, kept, capsys)
        assert code == 1
        assert f"{TEAMS}: the ledger does not extend digest" in out

        refused = materialize_day(STAGING_AND_HISTORY, data, DAY, instance=instance, raise_on_error=False)
        assert not refused.success
        failures = "\n".join(e.step_failure_data.error.to_string() for e in refused.all_events if e.is_step_failure)
        assert f"{TEAMS}: the ledger does not extend digest" in failures


def verify_against(data_dir, digest: str, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify", "--data-dir", str(data_dir), "-q", "--against", digest])
    return code, capsys.readouterr().out


def test_a_checkpoint_rewritten_without_the_newest_runs_adds_is_caught(data_dir, capsys):
    uri = str(data_dir / TEAMS)
    table = DeltaTable(uri)
    version = table.version()
    with open(os.path.join(teams_log(data_dir), f"{version:020d}.json")) as commit:
        newest = [action["add"]["path"] for action in map(json.loads, commit) if "add" in action]
    assert newest
    table.create_checkpoint()
    checkpoint = os.path.join(teams_log(data_dir), f"{version:020d}.checkpoint.parquet")
    rows = pq.read_table(checkpoint)
    paths = pc.struct_field(rows["add"], "path")
    kept = rows.filter(pc.or_kleene(pc.is_null(paths), pc.invert(pc.is_in(paths, value_set=pa.array(newest)))))
    pq.write_table(kept, checkpoint)
    for stale in range(version + 1):
        os.remove(os.path.join(teams_log(data_dir), f"{stale:020d}.json"))
    assert set(DeltaTable(uri).get_add_actions(flatten=True).column("path").to_pylist()).isdisjoint(newest)

    code, out = verify(data_dir, capsys)
    assert code == 1
    assert f"data file {newest[0]} is live by the ledger but version {version} of the log does not reference it" in out
    run_fails_naming(data_dir, TEAMS, newest[0])
