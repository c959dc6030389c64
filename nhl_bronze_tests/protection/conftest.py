import pytest

from nhl_bronze.protection import open_store


@pytest.fixture
def store(tmp_path):
    return open_store(tmp_path)
