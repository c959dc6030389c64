"""Paths and table reads every test module shares (defined once; ``conftest.py`` turns them into fixtures)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

REPO_ROOT = Path(__file__).resolve().parents[1]
# Real recorded API responses: the ground truth of the parser and the recorded-games simulator.
SAMPLES = Path(__file__).resolve().parent / "data" / "nhl_api_samples"


def read_table(data_dir: Path, name: str) -> pl.DataFrame:
    """The current rows of the Delta table ``name`` under ``data_dir``; fails naming it when it was never written."""
    path = Path(data_dir) / name
    assert (path / "_delta_log").is_dir(), f"Delta table {name} was not created under {data_dir}"
    return pl.read_delta(str(path))
