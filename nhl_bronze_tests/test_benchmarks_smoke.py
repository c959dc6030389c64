"""Smoke test of the benchmark scripts: each runs its smallest mode, exits 0 and prints a results table.

No timing assertions: the numbers belong in BENCHMARKS.md, this only keeps the scripts working. Marked ``slow``:
each script starts its own processes (``-m "not slow"`` skips them during development).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
pytestmark = pytest.mark.slow


def run_script(name: str, *args: str, tmp: Path) -> str:
    env = {**os.environ, "NHL_BENCH_DIR": str(tmp), "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), *args], capture_output=True, text=True, env=env, timeout=600
    )
    tail = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert result.returncode == 0, f"{name} exited {result.returncode}\n{tail}"
    assert "machine :" in result.stdout, f"{name} printed no machine report:\n{result.stdout}"
    return result.stdout


def assert_table(out: str, title: str) -> None:
    assert title in out and "|---" in out, f"no {title!r} table in:\n{out}"


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory) -> Path:
    """One simulated day backfilled through bench_backfill.py (no latency, no rate limit)."""
    tmp = tmp_path_factory.mktemp("bench")
    out = run_script("bench_backfill.py", "--start", "2024-10-08", "--end", "2024-10-08", "--rate-limit", "0",
                     "--in-flight", "16", "--latency-ms", "0", "--data-dir", str(tmp / "backfill"), tmp=tmp)
    assert_table(out, "bench_backfill results")
    assert "SUCCESS" in out
    return tmp / "backfill"


def test_bench_backfill(backfilled: Path) -> None:
    assert (backfilled / "bronze_player_game_stats_v2").is_dir()


def test_bench_daily(backfilled: Path, tmp_path: Path) -> None:
    out = run_script("bench_daily.py", "--source-data-dir", str(backfilled), "--work-dir", str(tmp_path / "daily"),
                     "--tick", "2024-10-09T10:00:00+00:00", "--rate-limit", "0", "--latency-ms", "0", tmp=tmp_path)
    assert_table(out, "bench_daily results")


def test_bench_rebuild(backfilled: Path, tmp_path: Path) -> None:
    out = run_script("bench_rebuild.py", "--source-data-dir", str(backfilled), "--work-dir", str(tmp_path / "rb"),
                     "--start", "2024-10-08", "--end", "2024-10-08", tmp=tmp_path)
    assert_table(out, "bench_rebuild results")


def test_bench_merge(tmp_path: Path) -> None:
    out = run_script("bench_merge.py", "--sizes", "2000,4000", "--repeat", "1", "--work-dir", str(tmp_path / "m"),
                     tmp=tmp_path)
    assert_table(out, "bench_merge ratios")


def test_bench_parser(tmp_path: Path) -> None:
    out = run_script("bench_parser.py", "--repeat", "1", tmp=tmp_path)
    assert "games/s" in out and "overall" in out


def test_bench_season(tmp_path: Path) -> None:
    out = run_script("bench_season.py", "--days", "2", "--maintenance-every", "1", "--work-dir",
                     str(tmp_path / "season"), "--results-dir", str(tmp_path / "results"), tmp=tmp_path)
    assert_table(out, "bench_season results")
    assert "raw store rows / size without dedupe" in out
    assert "ledger of the protected tables: objects / size" in out


def test_bench_bookkeeping(tmp_path: Path) -> None:
    out = run_script("bench_bookkeeping.py", "--end", "2023-10-03", "--pairs", "1", tmp=tmp_path)
    assert_table(out, "bench_bookkeeping results")


def test_bench_fetch_path(tmp_path: Path) -> None:
    out = run_script("bench_fetch_path.py", "--start", "2024-10-08", "--end", "2024-10-08", "--pairs", "1",
                     tmp=tmp_path)
    assert_table(out, "bench_fetch_path results")


def test_bench_deep_verify(tmp_path: Path) -> None:
    out = run_script("bench_deep_verify.py", "--rows", "3000", "--work-dir", str(tmp_path / "deep"), tmp=tmp_path)
    assert_table(out, "bench_deep_verify")


def test_bench_audit(tmp_path: Path) -> None:
    out = run_script("bench_audit.py", "--seasons", "1", "--commits-per-season", "2", "--repeat", "1", tmp=tmp_path)
    assert_table(out, "bench_audit results")
