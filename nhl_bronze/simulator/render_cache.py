"""Render each simulated response once and serve its bytes: the simulator as a cheap benchmark harness.

The synthetic league generates a game (~15 ms) and renders its JSON (~5 ms) on every request. In a benchmark the
simulator shares the machine's cores with the pipeline being measured (147 s of simulator CPU in an unthrottled
three-season backfill on 2 cores), so its cost ends up in the pipeline's numbers. ``RenderCache`` wraps any
backend: a 200 JSON answer is written to a file the first time and read back afterwards (~0.1 ms), and
``prerender`` fills the cache for a date range before the benchmark clock starts.

Faults stay where they were: ``FaultInjector`` wraps the cached backend, so latency, 5xx, 429s, hangs, truncation
and missing shift charts apply to cached bodies exactly as to freshly rendered ones. The cache directory is keyed
by the backend's parameters and a hash of the simulator's source (``synthetic_cache_dir``), so a changed
generator never serves stale bodies.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from nhl_bronze.simulator.core import NhlBackend, SimResponse

_JSON_HEADERS = {"content-type": "application/json"}
_PACKAGE_DIR = Path(__file__).resolve().parent


def simulator_source_hash() -> str:
    """A short hash of the simulator package's source: a new generator gets a new cache directory."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE_DIR.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def synthetic_cache_dir(root: Path, today: date, seed: int) -> Path:
    """Where the rendered answers of ``SyntheticNhl(today, seed)`` of this simulator version live."""
    return root / f"synthetic_{today.isoformat()}_seed{seed}_{simulator_source_hash()}"


class RenderCache:
    """A backend serving each successful JSON answer of ``inner`` from a file after its first rendering.

    Thread-safe (the loopback server answers from many threads): files appear atomically (write + rename), and
    two threads rendering the same answer at once both write identical bytes.
    """

    def __init__(self, inner: NhlBackend, directory: Path) -> None:
        self.inner = inner
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def handle(self, method: str, path: str, query: dict[str, str]) -> SimResponse:
        if method.upper() != "GET":
            return self.inner.handle(method, path, query)
        file = self._file(path, query)
        try:
            return SimResponse(200, dict(_JSON_HEADERS), file.read_bytes())
        except FileNotFoundError:
            pass
        response = self.inner.handle(method, path, query)
        if response.status == 200 and response.headers.get("content-type") == _JSON_HEADERS["content-type"]:
            _write_atomically(file, response.body)
        return response

    def _file(self, path: str, query: dict[str, str]) -> Path:
        key = path + "?" + "&".join(f"{k}={v}" for k, v in sorted(query.items()))
        return self.directory / (hashlib.sha1(key.encode()).hexdigest() + ".json")


def _write_atomically(file: Path, body: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=file.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def range_requests(backend: NhlBackend, start: date, end: date) -> Iterable[tuple[str, dict[str, str]]]:
    """The requests a backfill of ``[start, end]`` makes: each week's schedule (7-day steps from ``start``) and
    the three game endpoints of every final regular-season or playoff game listed in it."""
    day = start
    while day <= end:
        schedule_path = f"/v1/schedule/{day.isoformat()}"
        yield schedule_path, {}
        body = json.loads(backend.handle("GET", schedule_path, {}).body)
        for entry in body.get("gameWeek", []):
            for game in entry.get("games", []):
                if game.get("gameType") in (2, 3) and game.get("gameState") in ("OFF", "FINAL"):
                    game_id = game["id"]
                    yield f"/v1/gamecenter/{game_id}/play-by-play", {}
                    yield f"/v1/gamecenter/{game_id}/boxscore", {}
                    yield "/stats/rest/en/shiftcharts", {"cayenneExp": f"gameId={game_id}"}
        day += timedelta(days=7)


def prerender(cache: RenderCache, start: date, end: date) -> int:
    """Render (or find already rendered) every answer a backfill of ``[start, end]`` asks for; returns how many."""
    count = 0
    for path, query in range_requests(cache, start, end):
        cache.handle("GET", path, query)
        count += 1
    return count
