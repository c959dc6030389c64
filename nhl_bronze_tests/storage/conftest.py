import pytest

from nhl_bronze.storage.delta import DeltaStore


@pytest.fixture
def store(tmp_path):
    return DeltaStore(tmp_path)
