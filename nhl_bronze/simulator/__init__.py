"""Offline NHL API: a synthetic league and recorded real games, in-process or over loopback HTTP."""

from nhl_bronze.simulator.core import NhlBackend, RoutedBackend, SimResponse
from nhl_bronze.simulator.faults import FaultConfig, RateLimitBurst
from nhl_bronze.simulator.http import SimulatorServer, simulator_transport
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze.simulator.synthetic import SyntheticNhl

__all__ = [
    "FaultConfig",
    "NhlBackend",
    "RateLimitBurst",
    "RecordedNhl",
    "RoutedBackend",
    "SimResponse",
    "SimulatorServer",
    "SyntheticNhl",
    "simulator_transport",
]
