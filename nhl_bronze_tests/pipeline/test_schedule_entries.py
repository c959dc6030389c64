"""The parsed schedule answers, refreshed landing by landing, equal parsing every stored answer again."""

import json
import shutil
from datetime import UTC, date, datetime, timedelta

import polars as pl
from deltalake import DeltaTable

from nhl_bronze.client.window import RawResponse
from nhl_bronze.derived.schedule import build_schedule, newest_entries, schedule_entries
from nhl_bronze.pipeline.schedule import stored_schedule_bodies
from nhl_bronze.pipeline.schedule_entries import rebuild_schedule_entries, refresh_schedule_entries
from nhl_bronze.protection import open_store
from nhl_bronze.storage.maintenance import maintain_table
from nhl_bronze.storage.raw_responses import RawResponseStore
from nhl_bronze.storage.tables import RAW_API_RESPONSES, SCHEDULE_ENTRIES, SCHEDULE_QUARANTINE

FIRST_FETCH = datetime(2024, 10, 1, 12, tzinfo=UTC)
COMPLETED_SCHEMA = {"gameId": pl.Int32, "gameDate": pl.Int32, "team": pl.String, "home_or_away": pl.String}


GAME = 2024020000  # game n of these tests is GAME + n (an id the schedule contract accepts)


def game(number, start_utc, away="CGY", home="VAN"):
    return {"id": GAME + number, "gameType": 2, "gameScheduleState": "OK", "startTimeUTC": start_utc,
            "easternUTCOffset": "-04:00", "venueUTCOffset": "-07:00", "awayTeam": {"abbrev": away},
            "homeTeam": {"abbrev": home}}


def answer(request_date, fetched_hours, days):
    """One stored /v1/schedule/{request_date} answer listing ``days``: [(iso date, [games])]."""
    body = json.dumps({"gameWeek": [{"date": d, "games": games} for d, games in days]}).encode()
    return RawResponse("schedule", request_date, date.fromisoformat(request_date),
                       f"https://api-web.nhle.com/v1/schedule/{request_date}", 200,
                       FIRST_FETCH + timedelta(hours=fetched_hours), body)


def full_parse(store):
    """The derived schedule's entries as they were computed before: every stored answer parsed again."""
    return schedule_entries(reversed(stored_schedule_bodies(store))).sort("GAME_ID")


def test_refreshing_after_each_landing_equals_parsing_every_answer_again(tmp_path):
    store = open_store(tmp_path)
    raw = RawResponseStore(store)
    landings = [
        # two weeks; game 3 on Oct 9
        [answer("2024-10-07", 0, [("2024-10-08", [game(1, "2024-10-08T23:00:00Z")]),
                                  ("2024-10-09", [game(3, "2024-10-09T23:00:00Z")])]),
         answer("2024-10-14", 0, [("2024-10-15", [game(2, "2024-10-15T23:00:00Z", away="EDM")])])],
        # the Oct 7 week answered again: game 1's start time moved; game 3 re-dated into the next week's request
        [answer("2024-10-07", 24, [("2024-10-08", [game(1, "2024-10-09T00:30:00Z")])]),
         answer("2024-10-14", 24, [("2024-10-15", [game(2, "2024-10-15T23:00:00Z", away="EDM"),
                                                   game(3, "2024-10-16T01:00:00Z")])])],
        # a request never asked before, and an unchanged answer (the raw store lands nothing for it)
        [answer("2024-10-21", 48, [("2024-10-22", [game(4, "2024-10-22T23:00:00Z", home="TOR")])]),
         answer("2024-10-14", 48, [("2024-10-15", [game(2, "2024-10-15T23:00:00Z", away="EDM"),
                                                   game(3, "2024-10-16T01:00:00Z")])])],
    ]
    parsed = []
    for landing in landings:
        raw.record(landing)
        refreshed = refresh_schedule_entries(store)
        parsed.append(refreshed.answers_parsed)
        assert newest_entries(refreshed.entries).sort("GAME_ID").equals(full_parse(store))
        # What the table holds reads back the same
        assert newest_entries(store.scan(SCHEDULE_ENTRIES).collect()).sort("GAME_ID").equals(full_parse(store))

    assert parsed == [2, 2, 1]  # each landed answer parsed once, none of the earlier ones again
    final = newest_entries(refresh_schedule_entries(store).entries).sort("GAME_ID")
    assert final.select("GAME_ID", "DATE", "startTimeUTC").rows() == [
        (GAME + 1, date(2024, 10, 8), "2024-10-09T00:30:00Z"),
        (GAME + 2, date(2024, 10, 15), "2024-10-15T23:00:00Z"),
        (GAME + 3, date(2024, 10, 15), "2024-10-16T01:00:00Z"),
        (GAME + 4, date(2024, 10, 22), "2024-10-22T23:00:00Z"),
    ]
    # Nothing new landed: nothing parsed, nothing written
    version = store.version(SCHEDULE_ENTRIES)
    assert refresh_schedule_entries(store).answers_parsed == 0
    assert store.version(SCHEDULE_ENTRIES) == version


def test_the_schedule_built_from_refreshed_entries_equals_a_full_rebuild(tmp_path):
    store = open_store(tmp_path)
    raw = RawResponseStore(store)
    raw.record([answer("2024-10-07", 0, [("2024-10-08", [game(1, "2024-10-08T23:00:00Z")])])])
    refresh_schedule_entries(store)
    raw.record([answer("2024-10-07", 5, [("2024-10-09", [game(1, "2024-10-09T23:00:00Z")]),
                                         ("2024-10-10", [game(5, "2024-10-10T23:00:00Z")])])])
    incremental = newest_entries(refresh_schedule_entries(store).entries)
    rebuilt = rebuild_schedule_entries(store)
    completed = pl.DataFrame([(GAME + 1, 20241009, "CGY", "AWAY"), (GAME + 1, 20241009, "VAN", "HOME")],
                             schema=COMPLETED_SCHEMA, orient="row")

    def build(entries):
        return build_schedule(completed, entries, date(2024, 10, 9), date(2024, 10, 16))

    assert rebuilt.rebuilt and rebuilt.answers_parsed == 1  # only the newest answer of the request
    assert build(incremental).equals(build(newest_entries(rebuilt.entries)))
    assert build(incremental).equals(build(full_parse(store)))
    assert build(incremental)["GAME_ID"].to_list() == [GAME + 1, GAME + 5]


def test_a_cleaned_up_log_falls_back_to_parsing_every_answer(tmp_path):
    store = open_store(tmp_path)
    raw = RawResponseStore(store)
    raw.record([answer("2024-10-07", 0, [("2024-10-08", [game(1, "2024-10-08T23:00:00Z")])])])
    refresh_schedule_entries(store)
    raw.record([answer("2024-10-14", 1, [("2024-10-15", [game(2, "2024-10-15T23:00:00Z")])])])
    landed_second = store.version(RAW_API_RESPONSES)
    raw.record([answer("2024-10-21", 2, [("2024-10-22", [game(3, "2024-10-22T23:00:00Z")])])])
    # The commit that landed the second answer is gone (log retention after a checkpoint): the changes since the
    # last refresh can no longer be listed, so every answer is parsed again.
    DeltaTable(store.uri(RAW_API_RESPONSES)).create_checkpoint()
    (tmp_path / RAW_API_RESPONSES.name / "_delta_log" / f"{landed_second:020d}.json").unlink()

    refreshed = refresh_schedule_entries(store)

    assert refreshed.rebuilt and refreshed.answers_parsed == 3
    assert newest_entries(refreshed.entries).sort("GAME_ID").equals(full_parse(store))
    assert newest_entries(refreshed.entries)["GAME_ID"].sort().to_list() == [GAME + 1, GAME + 2, GAME + 3]


def test_a_listed_file_vacuumed_after_compaction_falls_back_to_parsing_every_answer(tmp_path):
    store = open_store(tmp_path)
    raw = RawResponseStore(store)
    raw.record([answer("2024-10-07", 0, [("2024-10-08", [game(1, "2024-10-08T23:00:00Z")])])])
    refresh_schedule_entries(store)
    raw.record([answer("2024-10-07", 1, [("2024-10-08", [game(1, "2024-10-08T23:30:00Z")])])])
    landed = DeltaTable(store.uri(RAW_API_RESPONSES)).get_add_actions(flatten=True).column("path").to_pylist()
    maintain_table(store, RAW_API_RESPONSES)  # the two answers' files compacted into one
    # A vacuum past the retention deletes the compacted-away files, which the landing commit still lists
    for path in landed:
        (tmp_path / RAW_API_RESPONSES.name / path).unlink()

    refreshed = refresh_schedule_entries(store)

    assert refreshed.rebuilt
    assert newest_entries(refreshed.entries).sort("GAME_ID").equals(full_parse(store))
    assert newest_entries(refreshed.entries)["startTimeUTC"].to_list() == ["2024-10-08T23:30:00Z"]


def test_entries_built_before_the_quarantine_existed_are_parsed_again_and_lose_the_bad_game(tmp_path):
    # An earlier release folded an answer listing game -5 into the entries (its id fit Int32) and had no
    # quarantine table: the next refresh parses every answer again, so the bad entry goes and is named instead.
    store = open_store(tmp_path)
    bad = {**game(1, "2024-10-08T23:00:00Z"), "id": -5}
    RawResponseStore(store).record([answer("2024-10-07", 0, [("2024-10-08", [game(1, "2024-10-08T23:00:00Z"),
                                                                             bad])])])
    refresh_schedule_entries(store)
    old_entries = store.scan(SCHEDULE_ENTRIES).collect()
    store.replace(SCHEDULE_ENTRIES, pl.concat([old_entries, old_entries.with_columns(
        pl.lit(-5, pl.Int32).alias("GAME_ID"), pl.lit(1, pl.Int32).alias("ordinal"))]))
    shutil.rmtree(tmp_path / SCHEDULE_QUARANTINE.name)

    refreshed = refresh_schedule_entries(store)

    assert refreshed.rebuilt
    assert newest_entries(refreshed.entries)["GAME_ID"].to_list() == [GAME + 1]
    assert refreshed.in_effect().select("game_id", "field", "value").rows() == [("-5", "id", "-5")]
    assert store.scan(SCHEDULE_QUARANTINE).collect().height == 1


def test_a_corrected_answer_retires_the_quarantined_items_of_the_one_it_supersedes(tmp_path):
    store = open_store(tmp_path)
    raw = RawResponseStore(store)
    raw.record([answer("2024-10-07", 0, [("2024-10-08", [game(1, "2024-10-08T23:00:00Z")]),
                                         ("2024-13-40", [game(2, "2024-10-09T23:00:00Z")])])])
    assert refresh_schedule_entries(store).in_effect()["problem"].to_list() == ["invalid date"]
    raw.record([answer("2024-10-07", 1, [("2024-10-08", [game(1, "2024-10-08T23:00:00Z")]),
                                         ("2024-10-09", [game(2, "2024-10-09T23:00:00Z")])])])

    refreshed = refresh_schedule_entries(store)

    assert not refreshed.rebuilt
    assert refreshed.in_effect().is_empty() and refreshed.quarantined.height == 1  # kept, no longer in effect
    assert newest_entries(refreshed.entries)["GAME_ID"].sort().to_list() == [GAME + 1, GAME + 2]
