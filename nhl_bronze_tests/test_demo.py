import polars as pl

from nhl_bronze.demo import main


def test_the_readme_demo_backfills_offline_and_is_idempotent(tmp_path, capsys):
    args = ["--start", "2024-10-08", "--days", "2", "--data-dir", str(tmp_path)]
    assert main(args) == 0
    history = pl.read_delta(str(tmp_path / "bronze_player_game_stats_v2"))
    assert history.height > 0 and history["gameDate"].unique().sort().to_list() == [20241008, 20241009]

    assert main(args) == 0
    assert pl.read_delta(str(tmp_path / "bronze_player_game_stats_v2")).height == history.height
    assert "bronze_games_historical_v2" in capsys.readouterr().out
