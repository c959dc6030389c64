"""Offline NHL API: a synthetic league and recorded real games, in-process or over loopback HTTP."""

from nhl_bronze.simulator.core import NhlBackend, RoutedBackend, SimResponse

__all__ = ["NhlBackend", "RoutedBackend", "SimResponse"]
