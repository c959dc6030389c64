"""Shared test support: the recorded real games as an offline API, and backends that misbehave on purpose."""

import json
import shutil
import warnings
from datetime import date
from pathlib import Path

import dagster as dg

from nhl_bronze.assets.graph import BRONZE_ASSETS
from nhl_bronze.assets.history import all_games_merged, games_historical_history, player_game_stats_history
from nhl_bronze.assets.staging import bronze_staging
from nhl_bronze.automation.jobs import partition_range_tags
from nhl_bronze.resources.clock import ClockResource
from nhl_bronze.resources.ingest import IngestResource
from nhl_bronze.resources.lakehouse import LakehouseResource
from nhl_bronze.resources.simulated import SimulatedNhlApiResource
from nhl_bronze.simulator.core import NhlBackend, SimResponse, html_error, json_response
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze_tests.common import SAMPLES, read_table  # noqa: F401 (re-exported for the test modules)

warnings.filterwarnings("ignore", category=dg.BetaWarning)

# The recorded real games and their NHL dates.
GAME_DATES = {2024020001: "2024-10-04", 2024020009: "2024-10-09", 2024020022: "2024-10-11", 2025030123: "2026-04-24"}
ALL_ASSETS = [*BRONZE_ASSETS, all_games_merged]
STAGING_AND_HISTORY = [bronze_staging, player_game_stats_history, games_historical_history, all_games_merged]


class FailingGame:
    """Answers 500 for every request about one game: a game that keeps failing."""

    def __init__(self, inner: NhlBackend, game_id: int):
        self.inner, self.game_id = inner, game_id

    def handle(self, method: str, path: str, query: dict[str, str]) -> SimResponse:
        if str(self.game_id) in path or str(self.game_id) in query.get("cayenneExp", ""):
            return html_error(500, path)
        return self.inner.handle(method, path, query)


class GameStateOverride:
    """Rewrites the schedule's gameState of some games (e.g. a game still LIVE)."""

    def __init__(self, inner: NhlBackend, states: dict[int, str]):
        self.inner, self.states = inner, states

    def handle(self, method: str, path: str, query: dict[str, str]) -> SimResponse:
        response = self.inner.handle(method, path, query)
        if "/schedule/" not in path or response.status != 200:
            return response
        body = json.loads(response.body)
        for day in body.get("gameWeek", []):
            for game in day.get("games", []):
                game["gameState"] = self.states.get(game["id"], game["gameState"])
        return json_response(body)


class MalformedBoxscore:
    """Breaks one field of one game's boxscore: ``awayTeam.abbrev`` removed, or ``sog`` = "n/a"."""

    def __init__(self, inner: NhlBackend, game_id: int, breakage: str):
        self.inner, self.game_id, self.breakage = inner, game_id, breakage

    def handle(self, method: str, path: str, query: dict[str, str]) -> SimResponse:
        response = self.inner.handle(method, path, query)
        if not path.endswith(f"/gamecenter/{self.game_id}/boxscore") or response.status != 200:
            return response
        body = json.loads(response.body)
        if self.breakage == "missing_abbrev":
            del body["awayTeam"]["abbrev"]
        else:
            body["awayTeam"]["sog"] = "n/a"
        return json_response(body)


class RecordedApi(SimulatedNhlApiResource):
    """The recorded real games, served in-process; ``failing_game``/``live_game`` inject trouble."""

    failing_game: int | None = None
    live_game: int | None = None
    malformed_boxscore_game: int | None = None
    boxscore_breakage: str = "sog_na"  # or "missing_abbrev"

    def make_backend(self):
        backend: NhlBackend = RecordedNhl(SAMPLES)
        if self.failing_game:
            backend = FailingGame(backend, self.failing_game)
        if self.malformed_boxscore_game:
            backend = MalformedBoxscore(backend, self.malformed_boxscore_game, self.boxscore_breakage)
        if self.live_game:
            backend = GameStateOverride(backend, {self.live_game: "LIVE"})
        return backend


def resources(data_dir: Path, **api_settings) -> dict:
    return {
        "nhl_api": RecordedApi(recorded_dir=str(SAMPLES), max_retries=1, backoff_base_seconds=0.01, rate_limit=0,
                               **api_settings),
        "lakehouse": LakehouseResource(data_dir=str(data_dir)),
        "clock": ClockResource(today="2024-10-12"),
        "ingest": IngestResource(parse_workers=1),
    }


def materialize(assets, data_dir: Path, first: str, last: str | None = None, raise_on_error=True, **settings):
    """One real Dagster run of ``assets`` over partition ``first`` (or the range ``first..last`` as one run);
    ``api=`` settings go to the recorded API, ``resources=`` replace resources, ``tags=`` are added."""
    partition = {"partition_key": first} if last is None else {}
    tags = {**(partition_range_tags(first, last) if last is not None else {}), **settings.pop("tags", {})}
    return dg.materialize(
        assets,
        resources=resources(data_dir, **settings.pop("api", {})) | settings.pop("resources", {}),
        tags=tags or None,
        raise_on_error=raise_on_error,
        **partition,
        **settings,
    )


# The names the tests use: a day is a one-partition run, a range one run over its partitions.
materialize_day = materialize_range = materialize


def metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    """The metadata of the run's last materialization of ``asset``, as plain values."""
    events = [e for e in result.get_asset_materialization_events() if e.asset_key == dg.AssetKey(asset)]
    return {k: v.value for k, v in events[-1].materialization.metadata.items()}


def as_date(text: str) -> date:
    return date.fromisoformat(text)


def copy_of_lake(lake: Path, tmp_path: Path) -> Path:
    """A copy of a lake built once per module (tables and ledger), for a test that attacks or alters it."""
    copy = tmp_path / "data"
    shutil.copytree(lake, copy)
    return copy
