from __future__ import annotations

import pytest

from nhl_bronze.stats import GameFrames, compute_game_frames
from nhl_bronze_tests.stats.samples import GAME_IDS, game_input, load_json


@pytest.fixture(scope="session")
def frames_by_game() -> dict[int, GameFrames]:
    return {game_id: compute_game_frames(game_input(game_id)) for game_id in GAME_IDS}


@pytest.fixture(scope="session")
def boxscores() -> dict[int, dict]:
    return {game_id: load_json(f"boxscore_{game_id}.json") for game_id in GAME_IDS}
