"""The resources of a deployment, configured from the environment (no network, nothing required at import)."""

import os

from nhl_bronze.resources.lakehouse import TODAY_ENV, lakehouse_from_env
from nhl_bronze.resources.nhl_api import NhlApiResource, SimulatedNhlApiResource, nhl_api_resource_from_env

OFFLINE_ENV = "NHL_BRONZE_OFFLINE"


def nhl_api_from_env() -> NhlApiResource:
    """The real NHL API by default; ``NHL_BRONZE_OFFLINE=1`` answers every request in-process from the
    synthetic league instead (its "today" is ``NHL_BRONZE_TODAY`` when set)."""
    if os.environ.get(OFFLINE_ENV, "").strip().lower() in ("1", "true", "yes"):
        return SimulatedNhlApiResource(simulator_today=os.environ.get(TODAY_ENV) or None)
    return nhl_api_resource_from_env()


def resources_from_env() -> dict:
    return {"nhl_api": nhl_api_from_env(), "lakehouse": lakehouse_from_env()}
