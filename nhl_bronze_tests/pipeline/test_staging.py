"""``stage_window`` and ``merge_window`` without Dagster: the recorded real games in, Delta tables out."""

import os
import pickle
from dataclasses import replace
from datetime import UTC, date, datetime

import polars as pl
import pytest

from nhl_bronze.client.window import RawResponse, WindowFetch
from nhl_bronze.pipeline import staging
from nhl_bronze.pipeline.history import NothingStagedError, merge_window
from nhl_bronze.pipeline.parse import POLARS_THREADS, GameParser, WindowReadError, fetch_and_parse, parse_games
from nhl_bronze.pipeline.source import ApiSource, RawStoreSource, RawWindowReader
from nhl_bronze.pipeline.staging import stage_window
from nhl_bronze.protection import open_store
from nhl_bronze.storage.delta import DeltaStore
from nhl_bronze.storage.raw_responses import RawResponseStore
from nhl_bronze.storage.tables import (
    GAMES_HISTORICAL_HISTORY,
    GAMES_HISTORICAL_STAGING,
    PLAYER_GAME_STATS_HISTORY,
    PLAYER_GAME_STATS_STAGING,
)
from nhl_bronze_tests.support import SAMPLES, RecordedApi

START, END = date(2024, 10, 3), date(2024, 10, 17)  # two weeks: games on 10-04, 10-09 and 10-11
KEY = ["gameId", "playerId", "situation"]


def api_source(store: DeltaStore, **api) -> ApiSource:
    resource = RecordedApi(recorded_dir=str(SAMPLES), max_retries=1, backoff_base_seconds=0.01, rate_limit=0, **api)
    return ApiSource(resource.open_session, RawResponseStore(store))


def test_a_window_becomes_staging_rows_then_history_rows(tmp_path):
    store = open_store(tmp_path)
    with api_source(store) as source:
        staged = stage_window(source, store, START, END)

    players = store.scan(PLAYER_GAME_STATS_STAGING).collect()
    assert (staged.games_fetched, staged.failures, staged.parity_mismatches) == (3, [], [])
    assert staged.api_calls == 2 + 3 * 3  # two schedule weeks, three endpoints per game
    assert sorted(players["gameId"].unique()) == [2024020001, 2024020009, 2024020022]
    assert staged.tables[PLAYER_GAME_STATS_STAGING.name].rows == players.height
    assert staged.tables[GAMES_HISTORICAL_STAGING.name].rows == 3 * 2 * 4  # games x teams x situations

    merged = merge_window(store, START, END, run_id="run-1")
    again = merge_window(store, START, END, run_id="run-2")

    player_merge = merged.tables[PLAYER_GAME_STATS_HISTORY.name]
    assert (player_merge.rows_inserted, player_merge.state.rows) == (players.height, players.height)
    assert [t.rows_inserted for t in again.tables.values()] == [0, 0]
    assert again.tables[GAMES_HISTORICAL_HISTORY.name].rows_unchanged == 24


def test_merge_before_anything_is_staged_names_the_missing_table(tmp_path):
    with pytest.raises(NothingStagedError, match=PLAYER_GAME_STATS_STAGING.name):
        merge_window(open_store(tmp_path), START, END, run_id="run-1")


def test_a_failed_game_fails_its_date_only_and_is_reported(tmp_path):
    store = open_store(tmp_path)
    with api_source(store, failing_game=2024020009) as source:
        staged = stage_window(source, store, START, END)

    assert list(staged.failed_dates) == [date(2024, 10, 9)]
    assert all("game 2024020009 (2024-10-09)" in reason for reason in staged.failed_dates[date(2024, 10, 9)])
    assert sorted(store.scan(GAMES_HISTORICAL_STAGING).collect()["gameId"].unique()) == [2024020001, 2024020022]


def test_the_process_pool_writes_exactly_what_in_process_parsing_writes(tmp_path):
    in_process, pooled = open_store(tmp_path / "one"), open_store(tmp_path / "pool")
    with api_source(in_process) as source:
        stage_window(source, in_process, START, END, parse_workers=1)
    # The raw store of the first run answers the second: the same bodies, parsed in two spawned workers.
    with RawStoreSource(RawResponseStore(in_process)) as source:
        report = stage_window(source, pooled, START, END, parse_workers=2)

    assert report.games_fetched == 3
    for spec in (PLAYER_GAME_STATS_STAGING, GAMES_HISTORICAL_STAGING):
        key = [c for c in KEY if c in spec.key] + ([] if "playerId" in spec.key else ["team"])
        expected = in_process.scan(spec).collect().sort(key)
        assert pooled.scan(spec).collect().sort(key).equals(expected), spec.name


def test_a_worker_reads_its_window_from_the_raw_store_version_it_was_given(tmp_path):
    """What a pooled rebuild sends a worker is a few hundred bytes naming a version of the raw store, not the
    bodies; the worker reads that version, so a body landed later does not change the run's rebuild."""
    store = open_store(tmp_path)
    with api_source(store) as source:
        fetched = source.fetch(START, END)
    raw_store = RawResponseStore(store)
    reader = RawStoreSource(raw_store).reader()
    game = fetched.games[0]
    raw_store.record([RawResponse("boxscore", str(game.game_id), game.game_date, "http://recorded", 200,
                                  datetime.now(UTC), b'{"corrected": true}')])

    assert len(pickle.dumps(reader)) < 500
    read_by_worker = reader.fetch(START, END)
    assert [(g.game_id, g.boxscore) for g in read_by_worker.games] == [(g.game_id, g.boxscore) for g in fetched.games]
    assert RawStoreSource(raw_store).fetch(START, END).games[0].boxscore == b'{"corrected": true}'


def test_a_window_a_worker_cannot_read_fails_naming_its_dates_and_store(tmp_path):
    store = open_store(tmp_path)
    with api_source(store) as source:
        source.fetch(START, END)
    missing_version = RawWindowReader(str(tmp_path), (("aws_secret_access_key", "hidden"),), version=99)

    named = r"2024-10-03\.\.2024-10-16 from RawWindowReader\(root=.*version=99\)"
    with pytest.raises(WindowReadError, match=named) as raised:
        fetch_and_parse(missing_version, START, END)
    assert "hidden" not in str(raised.value)


def test_a_window_without_its_bodies_keeps_every_fact_the_report_reads(tmp_path):
    with api_source(open_store(tmp_path)) as source:
        window = source.fetch(START, END)
    facts = window.without_bodies()

    def described(fetch):
        return [(g.game_id, g.game_date, g.schedule_game, g.shift_chart_status) for g in fetch.games]

    assert described(facts) == described(window) and len(facts.games) == 3
    assert {(g.play_by_play, g.boxscore, g.shift_chart) for g in facts.games} == {(b"", b"", b"")}
    assert (facts.dates, facts.pending, facts.skipped, facts.failures) == (
        window.dates, window.pending, window.skipped, window.failures)


def test_a_worker_reports_each_shift_chart_status_as_the_pipeline_process_reads_it(tmp_path):
    """The worker reads a chart's status only for games whose rows got no shifts; the statuses it sends back
    equal those read from every body."""
    store = open_store(tmp_path)
    with api_source(store) as source:
        source.fetch(START, END)
    raw = RawStoreSource(RawResponseStore(store))

    facts, _ = fetch_and_parse(raw.reader(), START, END)

    expected = [(g.game_id, g.shift_chart_status) for g in raw.fetch(START, END).games]
    assert [(g.game_id, g.shift_chart_status) for g in facts.games] == expected
    assert {status for _, status in expected} == {"ok"}


def test_a_chart_known_to_list_shifts_is_not_read_again(tmp_path):
    with api_source(open_store(tmp_path)) as source:
        game = source.fetch(START, END).games[0]
    unread = replace(game, shift_chart=b"{not json", known_shift_chart_status=None)  # reading it would raise
    window = WindowFetch([game.game_date], {}, [unread], [], [], [])

    assert window.without_bodies({game.game_id}).games[0].shift_chart_status == "ok"
    with pytest.raises(ValueError, match=rf"game {game.game_id} \({game.game_date}\): the shift chart is not JSON"):
        window.without_bodies()


def test_pooled_parts_are_concatenated_in_input_order(tmp_path):
    store = open_store(tmp_path)
    with api_source(store) as source:
        games = source.fetch(START, END).games
    parser = GameParser(2)
    try:
        pooled = parser.submit(games).result()
    finally:
        parser.close()
    alone = parse_games(games)
    assert pooled.frames.players.equals(alone.frames.players)
    assert pooled.frames.teams.equals(alone.frames.teams)
    assert pl.Series(pooled.frames.teams["gameId"]).unique(maintain_order=True).to_list() == [
        2024020001, 2024020009, 2024020022]


@pytest.mark.parametrize("user_setting", [None, "2"])
def test_pool_workers_run_one_polars_thread_each_unless_the_user_chose(monkeypatch, user_setting):
    if user_setting is None:
        monkeypatch.delenv(POLARS_THREADS, raising=False)
    else:
        monkeypatch.setenv(POLARS_THREADS, user_setting)
    parser = GameParser(2)
    try:
        sizes = {parser._pool.submit(pl.thread_pool_size).result() for _ in range(4)}
    finally:
        parser.close()

    assert sizes == {int(user_setting or 1)}
    assert os.environ.get(POLARS_THREADS) == user_setting  # this process's environment as it was


def test_parsed_weeks_are_written_together_not_one_commit_per_week(tmp_path):
    """Six weeks, the three recorded games in the first two: both weeks of games land in one commit (an empty
    window's delete commits nothing), not one commit per week."""
    store = open_store(tmp_path)
    with api_source(store) as source:
        report = stage_window(source, store, START, date(2024, 11, 14))

    assert report.games_fetched == 3
    players = store.scan(PLAYER_GAME_STATS_STAGING).collect()
    assert sorted(players["gameId"].unique()) == [2024020001, 2024020009, 2024020022]
    assert report.tables[PLAYER_GAME_STATS_STAGING.name].rows == players.height
    for spec in (PLAYER_GAME_STATS_STAGING, GAMES_HISTORICAL_STAGING):
        assert store.version(spec) == 0, spec.name


def test_the_buffer_is_written_once_it_spans_write_days(tmp_path, monkeypatch):
    """With a bound of one week, each week is written on its own: the buffer of parsed rows never grows past it."""
    monkeypatch.setattr(staging, "WRITE_DAYS", 7)
    store = open_store(tmp_path)
    with api_source(store) as source:
        stage_window(source, store, START, END)  # two weeks, each with games

    for spec in (PLAYER_GAME_STATS_STAGING, GAMES_HISTORICAL_STAGING):
        assert store.version(spec) == 1, spec.name  # two commits
    assert sorted(store.scan(GAMES_HISTORICAL_STAGING).collect()["gameId"].unique()) == [
        2024020001, 2024020009, 2024020022]
