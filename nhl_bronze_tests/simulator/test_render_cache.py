"""The render cache: each answer rendered once and served as the same bytes, with faults still applied on top."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import httpx
import pytest

from nhl_bronze.simulator.core import NhlBackend, SimResponse
from nhl_bronze.simulator.faults import FaultConfig
from nhl_bronze.simulator.http import SimulatorServer
from nhl_bronze.simulator.recorded import RecordedNhl
from nhl_bronze.simulator.render_cache import RenderCache, prerender, synthetic_cache_dir
from nhl_bronze_tests.common import SAMPLES

BOXSCORE = "/v1/gamecenter/2024020009/boxscore"
SHIFTS = ("/stats/rest/en/shiftcharts", {"cayenneExp": "gameId=2024020009"})


@dataclass
class CountingBackend:
    """A real backend that counts how often it had to render an answer."""

    inner: NhlBackend
    rendered: list[str] = field(default_factory=list)

    def handle(self, method: str, path: str, query: dict[str, str]) -> SimResponse:
        self.rendered.append(path)
        return self.inner.handle(method, path, query)


@pytest.fixture(scope="module")
def recorded():
    return RecordedNhl(SAMPLES)


def test_an_answer_is_rendered_once_and_served_as_the_same_bytes(recorded, tmp_path):
    counting = CountingBackend(recorded)
    cache = RenderCache(counting, tmp_path)
    expected = recorded.handle("GET", BOXSCORE, {})
    first = cache.handle("GET", BOXSCORE, {})
    again = cache.handle("GET", BOXSCORE, {})
    from_disk = RenderCache(CountingBackend(recorded), tmp_path).handle("GET", BOXSCORE, {})  # a new process
    assert first.body == again.body == from_disk.body == expected.body
    assert again.status == 200 and again.headers["content-type"] == "application/json"
    assert counting.rendered == [BOXSCORE]
    assert cache.handle("GET", *SHIFTS).body == recorded.handle("GET", *SHIFTS).body  # the query is in the key


def test_not_found_answers_are_not_cached(recorded, tmp_path):
    counting = CountingBackend(recorded)
    cache = RenderCache(counting, tmp_path)
    missing = "/v1/gamecenter/2099020001/boxscore"
    assert [cache.handle("GET", missing, {}).status for _ in range(2)] == [404, 404]
    assert counting.rendered == [missing, missing] and list(tmp_path.iterdir()) == []


def test_prerender_fills_the_cache_with_a_backfills_requests(recorded, tmp_path):
    counting = CountingBackend(recorded)
    cache = RenderCache(counting, tmp_path)
    # The week of 2024-10-04 lists two final recorded games, 2024020001 and 2024020009 (see the client tests):
    # 1 schedule + 3 bodies each.
    assert prerender(cache, date(2024, 10, 4), date(2024, 10, 10)) == 1 + 3 * 2
    rendered = len(counting.rendered)
    with SimulatorServer(cache) as server, httpx.Client(base_url=server.base_url) as client:
        assert client.get("/v1/schedule/2024-10-04").status_code == 200
        assert client.get(BOXSCORE).content == recorded.handle("GET", BOXSCORE, {}).body
    assert len(counting.rendered) == rendered  # served from the cache


def test_faults_apply_to_cached_answers(recorded, tmp_path):
    cache = RenderCache(recorded, tmp_path)
    whole = cache.handle("GET", BOXSCORE, {}).body
    with SimulatorServer(cache, FaultConfig(truncate_rate=1.0)) as server, \
            httpx.Client(base_url=server.base_url) as client:
        cut = client.get(BOXSCORE)
    assert cut.status_code == 200 and cut.content == whole[: len(whole) // 2]
    with SimulatorServer(cache, FaultConfig(error_rate=1.0)) as server, \
            httpx.Client(base_url=server.base_url) as client:
        assert client.get(BOXSCORE).status_code in (500, 503)


def test_the_cache_directory_depends_on_the_leagues_parameters(tmp_path):
    base = synthetic_cache_dir(tmp_path, date(2024, 11, 1), 0)
    assert base != synthetic_cache_dir(tmp_path, date(2024, 11, 2), 0)
    assert base != synthetic_cache_dir(tmp_path, date(2024, 11, 1), 1)
    assert base == synthetic_cache_dir(tmp_path, date(2024, 11, 1), 0) and base.parent == tmp_path
