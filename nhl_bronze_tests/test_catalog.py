"""Definition metadata: every contract column with its type and its data-dictionary meaning."""

from __future__ import annotations

import re

import dagster as dg
import pytest

from nhl_bronze.catalog import column_schema, expand_cell, table_metadata
from nhl_bronze.protection import open_store
from nhl_bronze.storage.tables import (
    GAMES_HISTORICAL_HISTORY,
    GAMES_HISTORICAL_STAGING,
    PLAYER_GAME_STATS_HISTORY,
    PLAYER_GAME_STATS_STAGING,
    SCHEDULE,
    SKATERS,
)

# Contract columns (+ 4 lineage columns in history), as docs/DATA_DICTIONARY.md and README state them.
COLUMN_COUNTS = {
    PLAYER_GAME_STATS_STAGING: 133, GAMES_HISTORICAL_STAGING: 59, PLAYER_GAME_STATS_HISTORY: 137,
    GAMES_HISTORICAL_HISTORY: 63, SCHEDULE: 7, SKATERS: 10,
}


@pytest.mark.parametrize("spec", list(COLUMN_COUNTS), ids=lambda s: s.name)
def test_every_column_has_a_type_and_a_description(spec):
    schema = column_schema(spec)
    assert len(schema.columns) == COLUMN_COUNTS[spec]
    undocumented = [c.name for c in schema.columns if not c.description]
    assert undocumented == []
    assert all(c.type in {"String", "Int32", "Float64", "Date", "Datetime(time_unit='us', time_zone='UTC')"}
               for c in schema.columns), {c.type for c in schema.columns}


# Words that point elsewhere in the dictionary: on an asset page (one column at a time) they mean nothing.
POINTS_ELSEWHERE = re.compile(
    r"\b(as in the|above|below|see rules|the two)\b|^(\(from the shift chart\) )?(the )?same\b", re.IGNORECASE)


@pytest.mark.parametrize("spec", list(COLUMN_COUNTS), ids=lambda s: s.name)
def test_every_column_description_stands_alone(spec):
    leaning = {c.name: c.description for c in column_schema(spec).columns if POINTS_ELSEWHERE.search(c.description)}
    assert leaning == {}
    by_name = {c.name: c.description for c in column_schema(spec).columns}
    if "gameDate" in by_name:  # the team table once said "as in the player table"
        assert by_name["gameDate"] == "NHL (US Eastern) game date, YYYYMMDD"


def test_grouped_dictionary_rows_reach_the_right_columns():
    by_name = {c.name: c for c in column_schema(PLAYER_GAME_STATS_HISTORY).columns}
    assert by_name["icetime"].description == "(from the shift chart) seconds on ice in the situation"
    assert by_name["icetime"].type == "Float64" and by_name["playerId"].constraints.nullable is False
    assert by_name["I_F_highDangerGoals"].description == "his goals per danger bucket"
    assert by_name["OnIce_A_lowDangerGoals"].description.endswith("the opponent's attempts while he was on the ice")
    assert by_name["_version"].description.startswith("1 for the first version of a key")
    teams = {c.name: c.description for c in column_schema(GAMES_HISTORICAL_STAGING).columns}
    assert teams["playContinuedOutsideZoneAgainst"] == (
        "the opponent's non-goal shot attempts after which play continued inside the opponent's offensive zone / "
        "outside it")
    assert teams["faceOffsWonAgainst"] == "faceoffs won by the team / by the opponent"


def test_dictionary_notations_expand_to_contract_columns():
    names = ["aFor", "bFor", "cFor", "aAgainst", "bAgainst", "x_lowShots", "x_highShots", "P_one", "P_two"]
    assert expand_cell("aFor … cFor (3)", names) == ["aFor", "bFor", "cFor"]
    assert expand_cell("P_* (2)", names) == ["P_one", "P_two"]
    assert expand_cell("x_{low,high}Shots", names) == ["x_lowShots", "x_highShots"]
    assert expand_cell("aFor / Against, bFor / …Against", names) == ["aFor", "aAgainst", "bFor", "bAgainst"]


def test_table_metadata_names_the_table_and_its_location(tmp_path):
    metadata = table_metadata(SKATERS, open_store(tmp_path))
    assert metadata["dagster/table_name"] == "bronze_skaters_2023_v2"
    assert metadata["dagster/uri"] == str(tmp_path / "bronze_skaters_2023_v2")
    assert len(metadata["dagster/column_schema"].schema.columns) == 10


def test_games_table_lists_each_game_with_date_step_and_reason():
    from datetime import date

    from nhl_bronze.catalog import games_in_table, games_table
    from nhl_bronze.client.errors import GameFetchError

    failed = [GameFetchError(2024020009, date(2024, 10, 9), "boxscore", "http://x/boxscore", "HTTP 500")]
    value = games_table(failed)
    assert isinstance(value, dg.TableMetadataValue)
    assert [r.data for r in value.records] == [{"game_id": 2024020009, "game_date": "2024-10-09",
                                                 "step": "boxscore", "reason": "HTTP 500", "url": "http://x/boxscore"}]
    assert games_in_table(value) == [str(failed[0])]
    assert len(games_table(failed * 300, limit=200).records) == 200


def test_the_code_location_documents_every_table_asset_before_any_run():
    from nhl_bronze.catalog import lakehouse_store
    from nhl_bronze.definitions import defs

    nodes = defs.resolve_asset_graph().asset_nodes
    schemas = {node.key.to_user_string(): node.metadata["dagster/column_schema"].schema for node in nodes
               if "dagster/column_schema" in node.metadata}
    assert {name: len(schema.columns) for name, schema in schemas.items()} == {
        spec.name: count for spec, count in COLUMN_COUNTS.items()}
    store = lakehouse_store(defs)
    for node in nodes:
        if node.key.to_user_string() in schemas:
            assert node.metadata["dagster/table_name"] == node.key.to_user_string()
            assert node.metadata["dagster/uri"] == store.uri(next(s for s in COLUMN_COUNTS
                                                                  if s.name == node.key.to_user_string()))
    # The freshness checks of both history tables are part of the code location too.
    check_keys = {(key.asset_key.to_user_string(), key.name) for key in defs.resolve_asset_graph().asset_check_keys}
    assert {("bronze_player_game_stats_v2", "freshness_check"),
            ("bronze_games_historical_v2", "freshness_check")} <= check_keys
