"""Shared helpers of the benchmark scripts: machine report, loopback simulator process, job runs, tables.

Not a benchmark itself. Every script prints ``machine_report()`` and a results table made by ``print_table``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_WORK_DIR = Path(os.environ.get("NHL_BENCH_DIR", "/tmp/nhl_bench"))


# -- machine -----------------------------------------------------------------------------------------------------


def _meminfo_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    return "?"


def _version(module: str) -> str:
    try:
        return __import__(module).__version__
    except Exception:
        return "n/a"


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def machine_report() -> str:
    cpu_model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    return "\n".join([
        f"machine : {platform.platform()} | {cpu_model}",
        f"cpus    : {os.cpu_count()} | RAM {_meminfo_gb()} | load average (1/5/15 min) {load_average()}",
        f"versions: python {platform.python_version()} | polars {_version('polars')} | "
        f"deltalake {_version('deltalake')} | dagster {_version('dagster')}",
        f"code    : {_code_location()}",
    ])


def _code_location() -> str:
    """Which nhl_bronze is benchmarked (the checkout, or a snapshot put first on PYTHONPATH)."""
    import importlib.util

    spec = importlib.util.find_spec("nhl_bronze")
    root = Path(spec.origin).parents[1] if spec and spec.origin else None
    if root is None:
        return "?"
    commit = root / ".commit"
    if commit.exists():
        return f"{root} (snapshot of commit {commit.read_text().strip()})"
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "nhl_bronze"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return str(root)
    return f"{root} (commit {head}{', nhl_bronze/ has uncommitted changes' if dirty else ''})"


def peak_rss_mb() -> float:
    """VmHWM (peak resident set size) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb(pid: str = "self") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _child_pids() -> list[str]:
    pids: list[str] = []
    with contextlib.suppress(OSError):
        for task in Path("/proc/self/task").iterdir():
            with contextlib.suppress(OSError):
                pids += (task / "children").read_text().split()
    return pids


class RssSampler:
    """Samples this process's resident memory (and its child processes', e.g. parse workers) in a thread.

    ``peak_between(t0, t1)`` answers "how much memory did this phase take" for phases known by wall-clock
    timestamps (Dagster step start/end events), which VmHWM alone (one number for the run) cannot. Every 0.5 s:
    reading the children of each thread from /proc is work in the measured process (~1% of it at 0.2 s).
    """

    def __init__(self, interval_s: float = 0.5) -> None:
        import threading

        self.interval_s = interval_s
        self.samples: list[tuple[float, float, float]] = []  # (unix time, own RSS MB, children's RSS MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.samples.append((time.time(), _rss_mb(), sum(_rss_mb(pid) for pid in _child_pids())))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak_between(self, start: float, end: float) -> tuple[float, float]:
        """(own, children's) peak RSS in MB among the samples taken in ``[start, end]``."""
        within = [(own, children) for t, own, children in self.samples if start <= t <= end]
        return (max((o for o, _ in within), default=float("nan")),
                max((c for _, c in within), default=float("nan")))


# -- output ------------------------------------------------------------------------------------------------------


def print_table(title: str, rows: list[tuple[str, object]]) -> None:
    """A two-column results table (metric, value), markdown-compatible so it pastes into BENCHMARKS.md."""
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}\n")
    print(f"| {'metric'.ljust(width)} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    print()


def print_grid(title: str, header: list[str], rows: list[list[object]]) -> None:
    print(f"\n{title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    print()


def fmt_s(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds:.0f} s ({seconds / 60:.1f} min)"


# -- loopback simulator in its own process -----------------------------------------------------------------------


@dataclass
class SimulatorProcess:
    web_api_url: str
    stats_api_url: str
    process: subprocess.Popen
    stats: dict = field(default_factory=dict)


@contextlib.contextmanager
def simulator_process(today: str, latency_ms: float, seed: int = 0, *, cache_dir: Path | None = None,
                      prerender: tuple[str, str] | None = None) -> Iterator[SimulatorProcess]:
    """Start ``benchmarks/_simulator_process.py`` (a ``SimulatorServer`` on a free loopback port) in a separate
    process, so the simulator's CPU is not in the pipeline's profile. With ``cache_dir`` it serves every answer
    rendered once (from files), and ``prerender=(start, end)`` renders a backfill's answers before it starts
    serving, so the clock of the caller starts after that work. On exit it is stopped with SIGTERM and its
    server-side request count and CPU seconds (serving / pre-rendering) are read into ``.stats``."""
    command = [sys.executable, str(BENCH_DIR / "_simulator_process.py"), "--today", today,
               "--latency-ms", str(latency_ms), "--seed", str(seed)]
    if cache_dir is not None:
        command += ["--cache-dir", str(cache_dir)]
        if prerender is not None:
            command += ["--prerender", *prerender]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"NHL_WEB_API_URL=(\S+) NHL_STATS_API_URL=(\S+)", line)
        if not match:
            raise RuntimeError(f"simulator did not start: {line!r}")
        sim = SimulatorProcess(match.group(1), match.group(2), process)
        yield sim
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            out, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            out, _ = process.communicate()
    for line in (out or "").splitlines():
        if line.startswith("STATS "):
            sim.stats = json.loads(line[len("STATS "):])


def closed_port_url() -> str:
    """A loopback base URL on which nothing listens: any API call there fails with connection refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# -- Dagster runs ------------------------------------------------------------------------------------------------


def add_instance_settings_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dagster-default-planned-events", action="store_true",
                        help="leave DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS unset: creating the run then logs "
                        "one 'materialization planned' event per date and asset (~25 s for three seasons) instead of "
                        "one per asset, the setting deploy/ and the README recommend")
    parser.add_argument("--no-event-batches", action="store_true",
                        help="leave DAGSTER_EVENT_BATCH_SIZE unset (deploy/ sets it; only the PostgreSQL event log "
                        "writes batches, see --instance)")


def apply_instance_settings(args: argparse.Namespace) -> str:
    """Sets Dagster's instance variables in this process (the one that creates and executes the run) as deploy/
    does, unless asked not to; returns a line for the results table."""
    from nhl_bronze.settings import DEPLOY_EVENT_BATCH_SIZE, EVENT_BATCH_SIZE, SUBSET_PLANNED_EVENTS

    if args.no_event_batches:
        os.environ.pop(EVENT_BATCH_SIZE, None)
    else:
        os.environ[EVENT_BATCH_SIZE] = DEPLOY_EVENT_BATCH_SIZE
    batches = f"event batches of {os.environ.get(EVENT_BATCH_SIZE, 'none (unset)')}"
    if args.dagster_default_planned_events:
        os.environ.pop(SUBSET_PLANNED_EVENTS, None)
        return f"one per date and asset (Dagster's default); {batches}"
    os.environ[SUBSET_PLANNED_EVENTS] = "true"
    return f"one per asset for the range (deploy/ setting); {batches}"


def quiet_dagster() -> None:
    import logging
    import warnings

    import dagster as dg

    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    os.environ.setdefault("DAGSTER_CLI_LOG_LEVEL", "WARNING")
    logging.getLogger("dagster").setLevel(logging.WARNING)


@dataclass
class RunSummary:
    success: bool
    wall_s: float
    step_seconds: dict[str, float]
    metadata: dict[str, dict[str, object]]  # asset key -> metadata values
    step_windows: dict[str, tuple[float, float]] = field(default_factory=dict)  # step -> (start, end) unix time

    def value(self, asset: str, key: str, default: object = 0) -> object:
        return self.metadata.get(asset, {}).get(key, default)


def summarize(result, wall_s: float, instance=None) -> RunSummary:
    steps: dict[str, float] = {}
    metadata: dict[str, dict[str, object]] = {}
    for event in result.all_events:
        if event.event_type_value == "STEP_SUCCESS" or event.event_type_value == "STEP_FAILURE":
            data = event.event_specific_data
            duration = getattr(data, "duration_ms", None)
            if duration is not None:
                steps[event.step_key] = duration / 1000
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            name = materialization.asset_key.to_user_string()
            metadata[name] = {k: getattr(v, "value", v) for k, v in materialization.metadata.items()}
    windows = {}
    if instance is not None:  # step start/end times are in the instance's event log, not on the events
        windows = {stat.step_key: (stat.start_time, stat.end_time)
                   for stat in instance.get_run_step_stats(result.run_id) if stat.start_time and stat.end_time}
    return RunSummary(result.success, wall_s, steps, metadata, windows)


def add_instance_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--instance", choices=("ephemeral", "postgres"), default="ephemeral",
                        help="where the run's events are recorded: an in-memory instance (default), or "
                        "deploy/dagster.yaml on a PostgreSQL server started for the benchmark (initdb into a temp "
                        "dir, fsync off; needs the deploy extra and the postgresql server binaries)")


@contextlib.contextmanager
def bench_instance(kind: str = "ephemeral") -> Iterator:
    """The Dagster instance a benchmark run records to (see ``add_instance_option``)."""
    import dagster as dg

    if kind == "ephemeral":
        yield dg.DagsterInstance.ephemeral()
        return
    import shutil
    import tempfile

    repo = Path(__file__).resolve().parent.parent
    if str(repo) not in sys.path:  # the test package's PostgreSQL helper, from a checkout
        sys.path.append(str(repo))
    from nhl_bronze_tests.infra.postgres import running_postgres

    with running_postgres() as server, tempfile.TemporaryDirectory(prefix="nhl_bench_home_") as home:
        os.environ.update(server.create_database("bench").dagster_environment())
        shutil.copy(repo / "deploy" / "dagster.yaml", Path(home) / "dagster.yaml")
        with dg.DagsterInstance.from_config(home) as instance:
            yield instance


def instance_description(kind: str) -> str:
    return "ephemeral (in memory)" if kind == "ephemeral" else "PostgreSQL on loopback, deploy/dagster.yaml"


def run_bronze_job(tags: dict[str, str], resources: dict, job_name: str = "bronze_job", definitions=None,
                   instance=None) -> RunSummary:
    """``bronze_job`` (staging -> history -> derived) in-process, in-process executor, on ``instance``
    (default: an ephemeral one)."""
    import dagster as dg

    if definitions is None:
        from nhl_bronze.definitions import defs as definitions
    job = definitions.resolve_job_def(job_name)
    instance = instance or dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    result = job.execute_in_process(
        instance=instance, tags=tags, resources=resources, raise_on_error=False,
        # INFO keeps the staging progress lines (one per week) and drops Dagster's per-event DEBUG lines.
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )
    return summarize(result, time.perf_counter() - started, instance)


def table_rows(data_dir: str | Path, name: str) -> int:
    import polars as pl
    from deltalake import DeltaTable

    path = str(Path(data_dir) / name)
    if not DeltaTable.is_deltatable(path):
        return 0
    return pl.scan_delta(path).select(pl.len()).collect().item()


def dir_size_mb(path: str | Path) -> float:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.path.getsize(os.path.join(root, name))
    return total / 1024 / 1024


def profile_summary(profiler, limit: int = 25) -> str:
    """cProfile stats, top functions by cumulative and by own time."""
    import io
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue()
