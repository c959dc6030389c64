"""Alerts reach a receiver on loopback: real Dagster runs on one instance, the sensors evaluated through Dagster's
own tick evaluation, a real HTTP server that records every POST."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import pytest

from nhl_bronze.assets.staging import ALL_GAMES_STAGED, PLAYER_STAGING_KEY, bronze_staging
from nhl_bronze.automation.alerts import (
    CHECK_FAILURE_SENSOR,
    RUN_FAILURE_SENSOR,
    Alert,
    AlertNotDelivered,
    SlackDestination,
    TeamsDestination,
    WebhookDestination,
    alert_definitions,
    build_check_failure_alert,
    build_run_failure_alert,
    deliver,
    main,
)
from nhl_bronze.resources.nhl_api import NhlApiResource
from nhl_bronze.settings import (
    ALERT_SLACK_CHANNEL,
    ALERT_SLACK_TOKEN,
    ALERT_TEAMS_WEBHOOK_URL,
    ALERT_WEBHOOK_URL,
    AlertSettings,
    alert_settings,
)
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY
from nhl_bronze_tests.support import ALL_ASSETS, STAGING_AND_HISTORY, materialize_day, materialize_range, resources

UI = "http://dagster.example.test:3000"
FAILING_GAME = 2024020009  # played 2024-10-09; 2024-10-11's game is fine


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST (path, headers, body) and answers from ``statuses``
    (then 200 with ``{"ok": true}``, what Slack's API answers); ``delay`` seconds before answering."""

    def __init__(self, statuses=(), delay=0.0):
        self.requests: list[dict] = []
        self.statuses, self.delay = list(statuses), delay
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                answer = b'{"ok": true}' if status == 200 else b"receiver is down"
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out first, as a test wanted

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads, self.server.block_on_close = True, False  # close without waiting for `delay`
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def json_bodies(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def tick(sensor: dg.SensorDefinition, instance: dg.DagsterInstance, cursor: str | None,
         repository: dg.RepositoryDefinition | None = None):
    return sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=cursor, repository_def=repository,
                                                        repository_name=repository.name if repository else None))


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """One instance, both alert sensors posting to a loopback webhook, ticked after each of: nothing; a run that
    succeeds; a staging run over 2024-10-09..11 whose 10-09 game keeps answering 500 (the run succeeds with the
    ERROR check all_games_staged red); the same dates through history (the run fails, all_games_merged goes red
    on both history tables)."""
    data_dir = tmp_path_factory.mktemp("alerts") / "data"
    instance = dg.DagsterInstance.ephemeral()
    receiver = Receiver()
    settings = AlertSettings(webhook_url=f"{receiver.url}/hooks/nhl?token=s3cret", ui_url=UI)
    sensors = [build_run_failure_alert(settings), build_check_failure_alert(settings)]
    # Evaluated as the daemon does, inside a code location holding the bronze assets and checks, while the runs
    # are executed in this process, as `nhl-bronze backfill` does: runs no code location claims.
    repository = dg.Definitions(assets=ALL_ASSETS, sensors=sensors, resources=resources(data_dir)).get_repository_def()
    cursors = {sensor.name: tick(sensor, instance, None, repository).cursor for sensor in sensors}  # start watching

    def tick_all() -> dict:
        results = {}
        for sensor in sensors:
            results[sensor.name] = tick(sensor, instance, cursors[sensor.name], repository)
            cursors[sensor.name] = results[sensor.name].cursor
        return results

    succeeded = materialize_day(STAGING_AND_HISTORY, data_dir, "2024-10-04", instance=instance)
    after_success = tick_all()
    posts_after_success = list(receiver.requests)
    green_with_red_check = materialize_range([bronze_staging], data_dir, "2024-10-09", "2024-10-11",
                                             instance=instance, api={"failing_game": FAILING_GAME})
    after_red_check = tick_all()
    failed = materialize_range(STAGING_AND_HISTORY, data_dir, "2024-10-09", "2024-10-11", raise_on_error=False,
                               instance=instance, api={"failing_game": FAILING_GAME})
    after_failure = tick_all()
    yield {"instance": instance, "receiver": receiver, "succeeded": succeeded, "failed": failed,
           "after_success": after_success, "posts_after_success": posts_after_success,
           "green_with_red_check": green_with_red_check, "after_red_check": after_red_check,
           "after_failure": after_failure, "posts": receiver.json_bodies()}
    receiver.close()


def as_alert(posted: dict) -> Alert:
    return Alert(**{name: value for name, value in posted.items() if name != "source"})


def test_a_successful_run_sends_nothing(story):
    assert story["succeeded"].success
    assert story["posts_after_success"] == []
    assert story["after_success"][RUN_FAILURE_SENSOR].dagster_run_reactions == []
    # The check sensor saw the run, and it had no red check.
    [seen] = story["after_success"][CHECK_FAILURE_SENSOR].dagster_run_reactions
    assert seen.dagster_run.run_id == story["succeeded"].run_id and seen.error is None


def test_a_failed_run_posts_its_id_job_dates_failing_step_error_and_link(story):
    failed = story["failed"]
    assert not failed.success
    [alert] = [post for post in story["posts"] if post["kind"] == "run_failure"]

    assert alert["source"] == "nhl-bronze"
    assert alert["run_id"] == failed.run_id
    assert alert["job"] == failed.dagster_run.job_name
    assert alert["dates"] == "2024-10-09..2024-10-11"
    assert alert["run_url"] == f"{UI}/runs/{failed.run_id}"
    [step] = [failure for failure in alert["failures"] if "step" in failure]
    assert step["step"] == "all_games_merged"
    assert step["error"].startswith(f"3 game(s) failed and kept their dates out of this run: game {FAILING_GAME} "
                                    "(2024-10-09)")
    assert alert["summary"].startswith(f"nhl-bronze: {failed.dagster_run.job_name} failed for 2024-10-09..2024-10-11: "
                                       f"all_games_merged: 3 game(s) failed and kept their dates out of this run: "
                                       f"game {FAILING_GAME} (2024-10-09)")
    assert "…" in alert["summary"] and len(alert["summary"]) < 600  # the whole error is in failures
    # The run's red checks go with it (no second alert for them): both history tables, and staging's.
    checks = {(f["asset"], f["check"]) for f in alert["failures"] if "check" in f}
    assert checks == {(PLAYER_GAME_STATS_HISTORY.name, "all_games_merged"),
                      (GAMES_HISTORICAL_HISTORY.name, "all_games_merged"),
                      (PLAYER_STAGING_KEY.to_user_string(), ALL_GAMES_STAGED)}
    merged = next(f for f in alert["failures"] if f.get("check") == "all_games_merged")
    assert merged["severity"] == "ERROR"
    assert merged["check_url"] == f"{UI}/assets/{merged['asset']}?view=checks"
    # one row per failed request of the game (boxscore, play-by-play, shift chart)
    assert {(game["game_id"], game["game_date"]) for game in merged["metadata"]["failed_games"]} == {
        (FAILING_GAME, "2024-10-09")}
    # A check without a description is told by its metadata in the Slack/Teams text.
    assert merged["description"] is None
    check_lines = [line for line in as_alert(alert).text().splitlines()
                   if line.startswith(f"- {merged['asset']} / all_games_merged: ")]
    assert len(check_lines) == 1 and "failed_games: 3 row(s)" in check_lines[0]
    assert alert["summary"].endswith(f"(3 red check(s): {PLAYER_STAGING_KEY.to_user_string()} / all_games_staged, "
                                     f"{PLAYER_GAME_STATS_HISTORY.name} / all_games_merged, "
                                     f"{GAMES_HISTORICAL_HISTORY.name} / all_games_merged)")
    # Delivered on the first try, and the tick is green.
    [reaction] = story["after_failure"][RUN_FAILURE_SENSOR].dagster_run_reactions
    assert reaction.error is None


def test_a_step_that_raised_is_named_with_the_projects_error_not_dagsters_wrapper(receiver, tmp_path):
    # Nothing listens on port 9: the staging step cannot fetch the schedule and raises.
    instance = dg.DagsterInstance.ephemeral()
    unreachable = NhlApiResource(web_api_url="http://127.0.0.1:9", stats_api_url="http://127.0.0.1:9",
                                 max_retries=1, backoff_base_seconds=0.01)
    failed = materialize_day(STAGING_AND_HISTORY, tmp_path / "data", "2024-10-09", raise_on_error=False,
                             instance=instance, resources={"nhl_api": unreachable})
    assert not failed.success
    sensor = build_run_failure_alert(AlertSettings(webhook_url=receiver.url))
    sensor(dg.build_run_status_sensor_context(
        sensor_name=RUN_FAILURE_SENSOR, dagster_event=failed.get_run_failure_event(), dagster_instance=instance,
        dagster_run=failed.dagster_run).for_run_failure())

    [alert] = receiver.json_bodies()
    [step] = alert["failures"]
    assert step["step"] == "bronze_staging" and alert["dates"] == "2024-10-09"
    assert step["error"].startswith("ScheduleFetchError: schedule of the week of 2024-10-09: gave up: ConnectError")
    assert "http://127.0.0.1:9/schedule/2024-10-09" in step["error"]


def test_a_run_that_succeeds_with_a_red_check_posts_the_check(story):
    green = story["green_with_red_check"]
    assert green.success
    [alert] = [post for post in story["posts"] if post["kind"] == "check_failure"]

    assert alert["run_id"] == green.run_id and alert["dates"] == "2024-10-09..2024-10-11"
    assert alert["summary"] == (f"nhl-bronze: {green.dagster_run.job_name} succeeded for 2024-10-09..2024-10-11 with "
                                f"1 red check(s): {PLAYER_STAGING_KEY.to_user_string()} / {ALL_GAMES_STAGED}")
    [check] = alert["failures"]
    assert (check["check"], check["severity"]) == (ALL_GAMES_STAGED, "ERROR")
    assert check["description"].startswith(f"2024-10-09: game {FAILING_GAME} (2024-10-09): ")
    # Slack and Teams get one line per check: its description.
    assert as_alert(alert).text().splitlines()[1] == (
        f"- {PLAYER_STAGING_KEY.to_user_string()} / {ALL_GAMES_STAGED}: {check['description'].splitlines()[0]}")
    assert {game["game_id"] for game in check["metadata"]["failed_games"]} == {FAILING_GAME}
    assert story["after_red_check"][RUN_FAILURE_SENSOR].dagster_run_reactions == []


def test_every_alert_goes_to_the_configured_path_as_json(story):
    receiver = story["receiver"]
    assert len(receiver.requests) == 2  # the green run's red check, the failed run; no repeat on a later tick
    assert {r["path"] for r in receiver.requests} == {"/hooks/nhl?token=s3cret"}
    assert all(r["headers"]["Content-Type"] == "application/json" for r in receiver.requests)


def test_the_next_tick_does_not_post_the_same_failure_again(story):
    instance, receiver = story["instance"], story["receiver"]
    settings = AlertSettings(webhook_url=receiver.url)
    before = len(receiver.requests)
    run_sensor, check_sensor = build_run_failure_alert(settings), build_check_failure_alert(settings)
    tick(run_sensor, instance, story["after_failure"][RUN_FAILURE_SENSOR].cursor)
    tick(check_sensor, instance, story["after_failure"][CHECK_FAILURE_SENSOR].cursor)
    assert len(receiver.requests) == before


def test_a_receiver_that_keeps_failing_fails_the_tick_naming_it_without_its_secret(story):
    down = Receiver(statuses=[503, 503])
    try:
        sensor = build_run_failure_alert(AlertSettings(webhook_url=f"{down.url}/hook?token=s3cret"))
        context = dg.build_run_status_sensor_context(
            sensor_name=RUN_FAILURE_SENSOR, dagster_event=story["failed"].get_run_failure_event(),
            dagster_instance=story["instance"], dagster_run=story["failed"].dagster_run).for_run_failure()
        with pytest.raises(AlertNotDelivered) as raised:
            sensor(context)
        assert len(down.requests) == 2  # the post and one retry
        assert "webhook: AlertNotDelivered: HTTP 503" in str(raised.value)
        assert story["failed"].run_id in str(raised.value) and "s3cret" not in str(raised.value)
    finally:
        down.close()


def test_a_red_check_whose_receiver_is_down_fails_the_tick_naming_it(story):
    down = Receiver(statuses=[500, 500])
    try:
        sensor = build_check_failure_alert(AlertSettings(webhook_url=down.url))
        green = story["green_with_red_check"]
        context = dg.build_run_status_sensor_context(
            sensor_name=CHECK_FAILURE_SENSOR, dagster_event=green.get_run_success_event(),
            dagster_instance=story["instance"], dagster_run=green.dagster_run)
        with pytest.raises(AlertNotDelivered, match=f"check_failure alert for run {green.run_id} not delivered: "
                           "webhook: AlertNotDelivered: HTTP 500"):
            sensor(context)
        assert len(down.requests) == 2
    finally:
        down.close()


def sample_alert() -> Alert:
    return Alert(kind="run_failure", summary="nhl-bronze: bronze_job failed for 2024-10-09: bronze_staging: boom",
                 run_id="run-1", job="bronze_job", dates="2024-10-09",
                 failures=[{"step": "bronze_staging", "error": "boom\ntrace"}], run_url=f"{UI}/runs/run-1")


def test_a_receiver_that_fails_once_gets_the_alert_on_the_retry():
    flaky = Receiver(statuses=[500])
    try:
        log = dg.get_dagster_logger("test_alerts")
        assert deliver(sample_alert(), [WebhookDestination(flaky.url, timeout_seconds=5)], log) == []
        assert [body["run_id"] for body in flaky.json_bodies()] == ["run-1", "run-1"]
    finally:
        flaky.close()


def test_a_receiver_that_does_not_answer_times_out_and_the_next_destination_is_still_tried(receiver):
    silent = Receiver(delay=1.0)
    try:
        log = dg.get_dagster_logger("test_alerts")
        started = time.monotonic()
        undelivered = deliver(sample_alert(), [WebhookDestination(silent.url, timeout_seconds=0.2),
                                               WebhookDestination(receiver.url, timeout_seconds=5)], log)
        assert time.monotonic() - started < 1.9  # two attempts cut at 0.2 s each, not two 1 s answers
        assert undelivered == ["webhook: ReadTimeout: timed out"]
        assert [body["run_id"] for body in receiver.json_bodies()] == ["run-1"]
    finally:
        silent.close()


def test_slack_gets_the_alert_through_its_official_client(receiver):
    pytest.importorskip("slack_sdk", reason="the 'alerts' extra (dagster-slack) is not installed")
    slack = SlackDestination(token="xoxb-test-token", channel="#nhl-alerts", timeout_seconds=5,
                             base_url=f"{receiver.url}/api/")
    assert deliver(sample_alert(), [slack], dg.get_dagster_logger("test_alerts")) == []

    [request] = receiver.requests
    assert request["path"] == "/api/chat.postMessage"
    assert request["headers"]["Authorization"] == "Bearer xoxb-test-token"
    body = json.loads(request["body"])
    assert body["channel"] == "#nhl-alerts"
    assert body["text"].splitlines() == ["nhl-bronze: bronze_job failed for 2024-10-09: bronze_staging: boom",
                                         "- bronze_staging: boom", f"Run: {UI}/runs/run-1"]


def test_teams_gets_the_alert_as_an_adaptive_card_through_its_official_client(receiver):
    pytest.importorskip("dagster_msteams", reason="the 'alerts' extra (dagster-msteams) is not installed")
    teams = TeamsDestination(url=f"{receiver.url}/workflows/abc?sig=s3cret", timeout_seconds=5)
    assert deliver(sample_alert(), [teams], dg.get_dagster_logger("test_alerts")) == []

    [body] = receiver.json_bodies()
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    [block] = attachment["content"]["body"]
    assert block["text"].startswith("nhl-bronze: bronze_job failed for 2024-10-09")
    assert f"Run: {UI}/runs/run-1" in block["text"]


def test_a_teams_hook_that_is_down_is_reported_without_its_signature():
    pytest.importorskip("dagster_msteams", reason="the 'alerts' extra (dagster-msteams) is not installed")
    down = Receiver()
    url = f"{down.url}/workflows/abc?sig=s3cret"
    down.close()  # nothing listens there any more: the client's error quotes the URL
    undelivered = deliver(sample_alert(), [TeamsDestination(url=url, timeout_seconds=2)],
                          dg.get_dagster_logger("test_alerts"))
    assert len(undelivered) == 1 and undelivered[0].startswith("teams: ConnectionError")
    assert "s3cret" not in undelivered[0]


def sensor_states(environ: dict) -> dict[str, tuple[dg.DefaultSensorStatus, str]]:
    repository = alert_definitions(alert_settings(environ)).get_repository_def()
    return {sensor.name: (sensor.default_status, sensor.description or "") for sensor in repository.sensor_defs}


def test_with_no_destination_the_sensors_are_stopped_and_say_what_to_set():
    states = sensor_states({})
    assert set(states) == {RUN_FAILURE_SENSOR, CHECK_FAILURE_SENSOR}
    for status, description in states.values():
        assert status == dg.DefaultSensorStatus.STOPPED
        assert ALERT_WEBHOOK_URL in description and ALERT_SLACK_TOKEN in description


def test_a_configured_destination_starts_the_sensors_and_its_secret_stays_out_of_the_ui():
    states = sensor_states({ALERT_WEBHOOK_URL: "https://hooks.example.test/x?token=s3cret",
                            ALERT_SLACK_TOKEN: "xoxb-s3cret", ALERT_SLACK_CHANNEL: "#nhl"})
    for status, description in states.values():
        assert status == dg.DefaultSensorStatus.RUNNING
        assert "Posts to: webhook, slack #nhl." in description and "s3cret" not in description


@pytest.mark.parametrize("environ, named", [
    ({ALERT_SLACK_TOKEN: "xoxb-1"}, ALERT_SLACK_CHANNEL),
    ({ALERT_SLACK_CHANNEL: "#nhl"}, ALERT_SLACK_TOKEN),
    ({"NHL_BRONZE_ALERT_TIMEOUT_SECONDS": "0"}, "NHL_BRONZE_ALERT_TIMEOUT_SECONDS"),
])
def test_an_incomplete_alert_setting_is_refused_naming_the_variable(environ, named):
    with pytest.raises(ValueError, match=named):
        alert_settings(environ)


@pytest.fixture
def alert_env(monkeypatch):
    for name in (ALERT_WEBHOOK_URL, ALERT_SLACK_TOKEN, ALERT_SLACK_CHANNEL, ALERT_TEAMS_WEBHOOK_URL):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_failed_verify_from_cron_posts_its_last_lines(alert_env, receiver, tmp_path, capsys):
    output = tmp_path / "verify.txt"
    output.write_text("checking 2 tables\nbronze_games_historical_v2: game 2024020009 (2024-10-09) missing\n"
                      "verify: 1 problem\n")
    alert_env.setenv(ALERT_WEBHOOK_URL, receiver.url)

    assert main(["--summary", "nhl-bronze verify failed on host1", "--details-file", str(output)]) == 0

    [body] = receiver.json_bodies()
    assert body["kind"] == "manual" and body["summary"] == "nhl-bronze verify failed on host1"
    assert body["failures"][0]["error"].splitlines()[-2:] == [
        "bronze_games_historical_v2: game 2024020009 (2024-10-09) missing", "verify: 1 problem"]
    assert capsys.readouterr().out == "webhook: delivered\n"


def test_the_test_alert_exits_non_zero_when_not_delivered_or_not_configured(alert_env, capsys):
    assert main([]) == 2
    assert ALERT_WEBHOOK_URL in capsys.readouterr().err

    down = Receiver(statuses=[502, 502])
    try:
        alert_env.setenv(ALERT_WEBHOOK_URL, down.url)
        assert main([]) == 1
        assert capsys.readouterr().out.startswith("webhook: NOT delivered: AlertNotDelivered: HTTP 502")
        assert [body["kind"] for body in down.json_bodies()] == ["test", "test"]
    finally:
        down.close()
