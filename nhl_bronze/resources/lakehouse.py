"""Where the bronze Delta tables live, and where staging takes its input from."""

from __future__ import annotations

import os
from datetime import date, datetime
from enum import Enum
from zoneinfo import ZoneInfo

import dagster as dg

from nhl_bronze.partitions import NHL_TIMEZONE
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.raw_responses import RawResponseStore

DATA_DIR_ENV = "NHL_BRONZE_DATA_DIR"
SOURCE_ENV = "NHL_BRONZE_SOURCE"
TODAY_ENV = "NHL_BRONZE_TODAY"
DEFAULT_DATA_DIR = "./data"


class StagingSource(str, Enum):
    API = "api"  # fetch from the NHL API (and keep every response in the raw landing store)
    RAW = "raw"  # rebuild from the raw landing store: zero API calls, e.g. after a parser change


class LakehouseResource(dg.ConfigurableResource):
    """The table root (table ``T`` lives at ``data_dir/T``) and the input of the staging assets."""

    data_dir: str = DEFAULT_DATA_DIR
    source: StagingSource = StagingSource.API
    today: str | None = None
    """YYYY-MM-DD to use as the current US Eastern date (replays, tests); default: the real date."""

    def eastern_today(self) -> date:
        return date.fromisoformat(self.today) if self.today else datetime.now(ZoneInfo(NHL_TIMEZONE)).date()

    def store(self) -> DeltaStore:
        return DeltaStore(self.data_dir)

    def raw_responses(self) -> RawResponseStore:
        return RawResponseStore(self.store())


def lakehouse_from_env() -> LakehouseResource:
    """Each setting from its environment variable when set (shown as such in the launchpad), else the default."""
    settings: dict = {}
    if DATA_DIR_ENV in os.environ:
        settings["data_dir"] = dg.EnvVar(DATA_DIR_ENV)
    if SOURCE_ENV in os.environ:
        settings["source"] = StagingSource(os.environ[SOURCE_ENV].strip().lower())
    if os.environ.get(TODAY_ENV):
        settings["today"] = dg.EnvVar(TODAY_ENV)
    return LakehouseResource(**settings)
