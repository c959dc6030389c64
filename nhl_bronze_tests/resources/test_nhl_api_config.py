"""Resource configuration: defaults, env vars, Dagster initialisation, no work at import time."""

from __future__ import annotations

import subprocess
import sys

import dagster as dg

from nhl_bronze.definitions import nhl_api_from_env as nhl_api_resource_from_env
from nhl_bronze.resources.nhl_api import NhlApiResource
from nhl_bronze.resources.simulated import SimulatedNhlApiResource

ENV = {
    "NHL_WEB_API_URL": "http://127.0.0.1:9/v1",
    "NHL_STATS_API_URL": "http://127.0.0.1:9/stats/rest",
    "NHL_API_MAX_IN_FLIGHT": "3",
    "NHL_API_RATE_LIMIT": "2.5",
    "NHL_API_TIMEOUT_SECONDS": "4",
    "NHL_API_MAX_RETRIES": "1",
}


def test_defaults_without_env(monkeypatch):
    for var in ENV:
        monkeypatch.delenv(var, raising=False)
    settings = nhl_api_resource_from_env().client_settings()
    assert settings.web_api_url == "https://api-web.nhle.com/v1"
    assert settings.stats_api_url == "https://api.nhle.com/stats/rest"
    assert (settings.max_in_flight, settings.rate_limit, settings.timeout_seconds) == (8, 10.0, 10.0)
    assert settings.retry.max_retries == 5 and settings.user_agent.startswith("nhl-bronze/")


def test_env_vars_are_picked_up(monkeypatch):
    for var, value in ENV.items():
        monkeypatch.setenv(var, value)
    resource = nhl_api_resource_from_env()
    settings = resource.client_settings()  # EnvVars resolved outside a run too
    assert settings.web_api_url == ENV["NHL_WEB_API_URL"] and settings.stats_api_url == ENV["NHL_STATS_API_URL"]
    assert (settings.max_in_flight, settings.rate_limit, settings.timeout_seconds) == (3, 2.5, 4.0)
    assert settings.retry.max_retries == 1

    initialised = resource.process_config_and_initialize()  # what a Dagster run does
    assert initialised.web_api_url == ENV["NHL_WEB_API_URL"] and initialised.max_in_flight == 3


def test_resource_in_a_dagster_run(monkeypatch):
    monkeypatch.setenv("NHL_API_MAX_IN_FLIGHT", "5")
    seen = {}

    @dg.asset
    def probe(nhl_api: NhlApiResource) -> None:
        seen["max_in_flight"] = nhl_api.client_settings().max_in_flight

    assert dg.materialize([probe], resources={"nhl_api": nhl_api_resource_from_env()}).success
    assert seen == {"max_in_flight": 5}


def test_direct_instantiation_and_init_context():
    resource = NhlApiResource(web_api_url="http://sim/v1/", rate_limit=0)
    assert resource.client_settings().web_api_url == "http://sim/v1"  # trailing slash dropped
    twin = SimulatedNhlApiResource(simulator_today="2024-10-09", simulator_seed=3)
    assert twin.simulator_seed == 3 and twin.web_api_url == "https://api-web.nhle.com/v1"
    context = dg.build_init_resource_context()
    assert context is not None


def test_import_does_no_network_and_needs_no_env():
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise AssertionError('network at import')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "import nhl_bronze.resources.nhl_api, sys\n"
        "assert 'nhl_bronze.simulator.synthetic' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": ""}, timeout=60)
