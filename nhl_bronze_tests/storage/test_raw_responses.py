"""The raw landing store lands a body only when it is new for its endpoint and key."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from nhl_bronze.protection import open_store
from nhl_bronze.storage.raw_responses import RawResponseStore, StoredBodies
from nhl_bronze.storage.tables import RAW_API_RESPONSES

DAY = date(2024, 10, 9)
T0 = datetime(2024, 10, 10, 10, tzinfo=UTC)


@dataclass(frozen=True)
class Response:
    endpoint: str
    key: str
    body: bytes
    fetched_at: datetime
    game_date: date = DAY
    status: int = 200

    @property
    def url(self) -> str:
        return f"http://nhl.test/{self.endpoint}/{self.key}"


def window(day_offset: int, boxscore: bytes = b'{"goals": 3}') -> list[Response]:
    """What one run fetches: the week's schedule and one game's boxscore and play-by-play."""
    at = T0 + timedelta(days=day_offset)
    return [
        Response("schedule", DAY.isoformat(), b'{"gameWeek": []}', at),
        Response("boxscore", "2024020009", boxscore, at),
        Response("play-by-play", "2024020009", b'{"plays": []}', at),
    ]


@pytest.fixture
def raw(tmp_path) -> RawResponseStore:
    return RawResponseStore(open_store(tmp_path))


def landed(raw: RawResponseStore) -> pl.DataFrame:
    return raw.store.scan(RAW_API_RESPONSES).collect().sort("fetched_at", "endpoint")


def test_rerunning_a_window_lands_nothing_new(raw):
    first = raw.record(window(0))
    version = raw.store.version(RAW_API_RESPONSES)

    again = raw.record(window(1))

    assert (first.rows_written, again.rows_written) == (3, 0)
    assert raw.store.version(RAW_API_RESPONSES) == version  # not even an empty commit
    assert landed(raw).height == 3


def test_a_changed_body_lands_and_becomes_the_body_a_rebuild_uses(raw):
    raw.record(window(0))

    corrected = raw.record(window(1, boxscore=b'{"goals": 4}'))

    assert corrected.rows_written == 1
    boxscores = landed(raw).filter(pl.col("endpoint") == "boxscore")
    assert boxscores["body"].to_list() == [b'{"goals": 3}', b'{"goals": 4}']
    stored = raw.newest_bodies(DAY, DAY + timedelta(days=1))
    assert stored.game_bodies[("boxscore", 2024020009)] == b'{"goals": 4}'


def test_a_body_that_changes_back_lands_again(raw):
    raw.record(window(0, boxscore=b"A"))
    raw.record(window(1, boxscore=b"B"))

    raw.record(window(2, boxscore=b"A"))

    assert raw.newest_bodies(DAY, DAY + timedelta(days=1)).game_bodies[("boxscore", 2024020009)] == b"A"
    assert landed(raw).filter(pl.col("endpoint") == "boxscore")["body"].to_list() == [b"A", b"B", b"A"]


def test_repeats_within_one_batch_land_once_per_change(raw):
    responses = [Response("boxscore", "1", body, T0 + timedelta(minutes=m)) for m, body in
                 enumerate([b"A", b"A", b"B", b"B", b"A"])]

    assert raw.record(responses).rows_written == 3


def test_rows_landed_before_the_hash_column_are_compared_by_their_body(raw):
    old_row = pl.DataFrame(
        {"endpoint": ["boxscore"], "key": ["2024020009"], "gameDate": [20241009], "url": ["u"], "status": [200],
         "fetched_at": [T0 - timedelta(days=30)], "body": [b'{"goals": 3}']},
        schema_overrides={"gameDate": pl.Int32, "status": pl.Int32, "fetched_at": pl.Datetime("us", "UTC")},
    )
    raw.store.append(RAW_API_RESPONSES, old_row, compress=True)

    result = raw.record(window(0))

    assert result.rows_written == 2  # schedule and play-by-play are new; the boxscore is the stored body
    assert landed(raw)["body_sha256"].null_count() == 1  # the old row keeps reading null


def test_other_keys_and_dates_are_not_mistaken_for_the_same_resource(raw):
    raw.record(window(0))

    other_game = Response("boxscore", "2024020010", b'{"goals": 3}', T0 + timedelta(days=1))
    assert raw.record([other_game]).rows_written == 1


def test_a_snapshot_keeps_reading_the_version_it_was_taken_at(raw):
    raw.record(window(0, boxscore=b"A"))
    snapshot = raw.snapshot()
    raw.record(window(1, boxscore=b"B"))

    window_of_day = (DAY, DAY + timedelta(days=1))
    assert raw.newest_bodies(*window_of_day, snapshot).game_bodies[("boxscore", 2024020009)] == b"A"
    assert raw.newest_bodies(*window_of_day).game_bodies[("boxscore", 2024020009)] == b"B"


def test_a_window_reads_the_schedules_that_cover_it_and_only_its_own_games(raw):
    week_before, day_after = DAY - timedelta(days=6), DAY + timedelta(days=1)
    raw.record([
        Response("schedule", week_before.isoformat(), b"covers DAY", T0, game_date=week_before),
        Response("schedule", (DAY - timedelta(days=7)).isoformat(), b"ends before DAY", T0,
                 game_date=DAY - timedelta(days=7)),
        Response("schedule", DAY.isoformat(), b"starts on DAY", T0 + timedelta(hours=1)),
        Response("boxscore", "1", b"game of DAY", T0),
        Response("boxscore", "2", b"game of the day after", T0, game_date=day_after),
        Response("boxscore", "3", b"not found", T0, status=404),
    ])

    stored = raw.newest_bodies(DAY, day_after)

    assert stored.schedules == [b"starts on DAY", b"covers DAY"]  # newest fetch first
    assert stored.game_bodies == {("boxscore", 1): b"game of DAY"}
    assert raw.newest_bodies(DAY - timedelta(days=30), DAY - timedelta(days=20)) == StoredBodies([], {})
