"""Fixtures shared by the whole test package; the real PostgreSQL and S3 (moto) servers live in ``infra/``.

Plain helpers live beside it: ``common`` (the samples path, ``read_table``), ``support`` (the recorded API as a
resource, ``materialize``), ``e2e_support`` (Dagster subprocesses).
"""

from pathlib import Path

import pytest

from nhl_bronze_tests.common import SAMPLES
from nhl_bronze_tests.history_fixture import RecordedHistory, build_recorded_history

pytest_plugins = ["nhl_bronze_tests.infra.postgres", "nhl_bronze_tests.infra.s3"]


@pytest.fixture(scope="session")
def recorded_history(tmp_path_factory) -> RecordedHistory:
    """Real history tables (two runs, one corrected game) shared by the reader and CLI tests: do not write."""
    return build_recorded_history(tmp_path_factory.mktemp("recorded_history") / "data")


@pytest.fixture(scope="session")
def samples() -> Path:
    """The folder of real recorded API responses."""
    return SAMPLES
