"""Bad schedule answers never block what is good (issue 21): landed over loopback HTTP, quarantined, named.

The simulator answers the schedule with a game id of -5, a game id of 99999999999999999999 and a day dated
2024-13-40. Before the schedule contract the week was rejected as "body is not valid JSON (... truncated?)", and
once such an answer sat in the append-only raw store ``bronze_schedule_2023_v2`` failed on every later run
(``could not append value ... i128``) while verify listed "final game -5 of season -10000".
"""

import dagster as dg
import polars as pl
import pytest

from nhl_bronze.assets.derived import bronze_schedule_2023_v2
from nhl_bronze.assets.graph import BRONZE_ASSETS
from nhl_bronze.cli.status import collect_status, render
from nhl_bronze.readers.coverage import coverage_by_season
from nhl_bronze.resources.nhl_api import NhlApiResource
from nhl_bronze.simulator.faults import FaultConfig, SchedulePatch
from nhl_bronze.simulator.http import SimulatorServer
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.tables import RAW_API_RESPONSES
from nhl_bronze_tests.cli.test_console_script import nhl_bronze
from nhl_bronze_tests.support import SAMPLES, all_games_merged, read_table, resources

# The recorded schedule lists 2024020001 on 10-04, 2024020009 on 10-09, 2024020022 on 10-11; 10-10 has no game.
PATCHES = (
    SchedulePatch("2024-10-04", "id", -5, game=0),
    SchedulePatch("2024-10-11", "id", 99999999999999999999, game=0),
    SchedulePatch("2024-10-10", "date", "2024-13-40"),
)


def checks_of(result, name):
    return [e for e in result.get_asset_check_evaluations() if e.check_name == name]


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """One run of the whole graph over 2024-10-09 against a simulator serving the bad answers over HTTP."""
    data_dir = tmp_path_factory.mktemp("quarantine") / "data"
    with SimulatorServer(RecordedNhl(SAMPLES), FaultConfig(schedule_patches=PATCHES)) as server:
        api = NhlApiResource(web_api_url=server.web_api_url, stats_api_url=server.stats_api_url, rate_limit=0,
                             max_retries=1, backoff_base_seconds=0.01)
        result = dg.materialize([*BRONZE_ASSETS, all_games_merged], partition_key="2024-10-09",
                                resources=resources(data_dir) | {"nhl_api": api})
    return data_dir, result


def test_the_bad_items_are_landed_as_received_and_the_run_is_green(landed):
    data_dir, result = landed
    assert result.success
    raw = pl.read_delta(str(data_dir / RAW_API_RESPONSES.name)).filter(pl.col("endpoint") == "schedule")
    assert raw["body"].bin.contains(b"99999999999999999999").any()  # the raw store keeps what the API said
    # The rest of the week is kept: the good game of 10-09 is in history.
    assert read_table(data_dir, "bronze_player_game_stats_v2")["gameId"].unique().to_list() == [2024020009]


def test_the_landing_check_names_each_quarantined_item_and_says_invalid_date(landed):
    _, result = landed
    [check] = checks_of(result, "schedule_contract")
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    items = check.metadata["quarantined"].value
    assert any("game -5: id = -5: game id outside the NHL's range" in item for item in items)
    assert any("game 99999999999999999999: id = 99999999999999999999" in item for item in items)
    assert any('day 2024-13-40: date = "2024-13-40": invalid date' in item for item in items)
    assert all("/schedule/" in item for item in items)  # the endpoint's URL names the request
    assert not any("truncated" in item for item in items)


def test_the_derived_schedule_stays_green_run_after_run_and_names_the_bad_game(landed, tmp_path):
    data_dir, first = landed
    second = dg.materialize([bronze_schedule_2023_v2], resources=resources(data_dir))
    third = dg.materialize([bronze_schedule_2023_v2], resources=resources(data_dir),
                           run_config={"ops": {"bronze_schedule_2023_v2": {"config": {"full_rebuild": True}}}})
    for result in (first, second, third):
        assert result.success
        [check] = checks_of(result, "schedule_quarantine")
        assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
        items = check.metadata["quarantined"].value
        assert any("game -5" in item for item in items) and any("2024-13-40" in item for item in items)
    game_ids = read_table(data_dir, "bronze_schedule_2023_v2")["GAME_ID"].to_list()
    assert 2024020009 in game_ids and -5 not in game_ids


def test_coverage_and_status_skip_the_bad_game_and_status_names_it(landed):
    data_dir, _ = landed
    store = DeltaStore(data_dir)
    seasons = [season.season for season in coverage_by_season(store)]
    assert seasons == [20242025]  # no "season -10000" for the game -5
    text = render(collect_status(store, lambda _: None))
    # Two weekly requests (2024-10-05, 2024-10-09) list the 10-10 and 10-11 days: their items are named per answer.
    assert "quarantined schedule items (left out of everything derived): 5" in text
    assert "schedule 2024-09-28 (fetched " in text and "day 2024-10-04, game -5: id = -5" in text
    assert "schedule 2024-10-05 (fetched " in text and 'day 2024-13-40: date = "2024-13-40": invalid date' in text


def test_the_console_script_verifies_ok_and_status_names_the_items(landed):
    data_dir, _ = landed
    verify = nhl_bronze("verify", "-q", "--data-dir", str(data_dir))
    assert verify.returncode == 0, verify.stdout + verify.stderr  # no "final game -5 of season -10000"
    status = nhl_bronze("status", "-q", "--data-dir", str(data_dir))
    assert status.returncode == 0
    assert "day 2024-10-04, game -5: id = -5: game id outside the NHL's range" in status.stdout
