import dagster as dg
import polars as pl

from nhl_bronze.cli.main import main as nhl_bronze
from nhl_bronze.demo import main


def test_the_readme_demo_backfills_offline_is_idempotent_and_records_its_runs(tmp_path, capsys):
    home = tmp_path / "dagster_home"
    args = ["--start", "2024-10-08", "--days", "2", "--data-dir", str(tmp_path / "data"), "--dagster-home", str(home)]
    assert main(args) == 0
    history = pl.read_delta(str(tmp_path / "data" / "bronze_player_game_stats_v2"))
    assert history.height > 0 and history["gameDate"].unique().sort().to_list() == [20241008, 20241009]

    assert main(args) == 0
    assert pl.read_delta(str(tmp_path / "data" / "bronze_player_game_stats_v2")).height == history.height
    output = capsys.readouterr().out
    assert "bronze_games_historical_v2" in output and f"DAGSTER_HOME={home}" in output
    # The UI command carries the simulated today, so the UI's runs and freshness see the demo's league day.
    assert "NHL_BRONZE_OFFLINE=1 NHL_BRONZE_TODAY=2024-10-10 dagster dev" in output

    # What a new user runs next: status and verify end green. The stored schedule's weeks list final games on
    # dates the demo never requested (2024-10-04..07 and the 10th): facts, with the command that loads them.
    data_dir = str(tmp_path / "data")
    assert nhl_bronze(["verify", "-q", "--data-dir", data_dir]) == 0
    verified = capsys.readouterr().out
    assert verified.splitlines()[-1] == f"verify: OK ({data_dir})"
    assert "were never requested (not checked" in verified
    assert nhl_bronze(["status", "-q", "--data-dir", data_dir]) == 0
    status = capsys.readouterr().out
    assert "final games of the requested dates in history, 0 missing" in status
    assert '"dagster/asset_partition_range_start": "2024-10-04"' in status

    # A fresh instance on that home (what `dagster dev` opens) sees both runs and their materializations.
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert not instance.telemetry_enabled  # no telemetry banner on every demo and `dagster dev`
        runs = instance.get_runs()
        assert [run.status for run in runs] == [dg.DagsterRunStatus.SUCCESS] * 2
        history_key = dg.AssetKey("bronze_player_game_stats_v2")
        event = instance.get_latest_materialization_event(history_key)
        assert event is not None and event.run_id == runs[0].run_id  # the newest run
        assert instance.get_materialized_partitions(history_key) == {"2024-10-08", "2024-10-09"}
