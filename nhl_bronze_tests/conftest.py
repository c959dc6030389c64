"""Fixtures shared by the whole test package; the real PostgreSQL and S3 (moto) servers live in ``infra/``."""

import pytest

from nhl_bronze_tests.history_fixture import RecordedHistory, build_recorded_history

pytest_plugins = ["nhl_bronze_tests.infra.postgres", "nhl_bronze_tests.infra.s3"]


@pytest.fixture(scope="session")
def recorded_history(tmp_path_factory) -> RecordedHistory:
    """Real history tables (two runs, one corrected game) shared by the reader and CLI tests: do not write."""
    return build_recorded_history(tmp_path_factory.mktemp("recorded_history") / "data")
