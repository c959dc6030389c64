"""The README is a test: its Python code blocks run as written after the demo, and each prints something real.

The blocks run in a subprocess each, in a folder where the demo has just written ``./data`` and ``./dagster_home``
(what a new user has after the quick start), offline (``NHL_BRONZE_OFFLINE=1``: the block that runs
``bronze_job`` asks the simulator, not the NHL).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from nhl_bronze.demo import main as demo
from nhl_bronze_tests.e2e_support import REPO_ROOT

README = REPO_ROOT / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)


@pytest.fixture(scope="module")
def after_the_demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("readme")
    home = str(folder / "dagster_home")
    assert demo(["--days", "2", "--data-dir", str(folder / "data"), "--dagster-home", home]) == 0
    return folder


def run_block(code: str, folder) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NHL_BRONZE_")}
    env.update(NHL_BRONZE_OFFLINE="1", DAGSTER_HOME=str(folder / "dagster_home"), PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True,
                            timeout=300, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"README block failed:\n{code}\n--- stderr ---\n{result.stderr[-4000:]}"
    return result.stdout


def test_the_readme_has_the_blocks_this_test_knows():
    blocks = python_blocks()
    assert len(blocks) == 3, [block.splitlines()[0] for block in blocks]


def test_the_reader_examples_print_the_demo_data(after_the_demo):
    [block] = [b for b in python_blocks() if "from nhl_bronze.readers import as_of" in b]
    output = run_block(block, after_the_demo)
    frames = re.findall(r"shape: \(([\d_]+), ([\d_]+)\)", output)
    assert len(frames) == 4, output  # top shooters, runs, as_of, changes
    assert frames[0] == ("10", "3")  # ten shooters of the demo's two days
    assert all(int(rows) > 0 for rows, _ in frames), output  # nothing empty: every example finds demo rows
    assert int(frames[1][0]) >= 1  # the runs that added history rows: the demo's at least


def test_the_duckdb_example_prints_the_latest_rows_and_their_sql(after_the_demo):
    [block] = [b for b in python_blocks() if "bronze_duckdb" in b]
    output = run_block(block, after_the_demo)
    rows = re.search(r"shape: \(([\d_]+), [\d_]+\)", output)
    assert rows and int(rows.group(1)) > 0, output
    assert re.search(r"FROM delta_scan\('[^']*/data/bronze_player_game_stats_v2'\)", output), output[-600:]


@pytest.mark.slow
def test_the_python_backfill_example_runs_offline(after_the_demo):
    [block] = [b for b in python_blocks() if "partition_range_tags" in b]
    assert run_block(block, after_the_demo).strip().splitlines()[-1] == "True"
