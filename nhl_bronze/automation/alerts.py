"""Alerts: a failed run or a red asset check reaches a person, through a plain webhook, Slack or Microsoft Teams.

Two sensors, built from ``settings.alert_settings()`` when the code location loads:

* ``bronze_run_failure_alert`` (Dagster's ``run_failure_sensor``): every failed run on the instance (the daily
  and sensor runs, backfills from the UI or ``nhl-bronze backfill``, maintenance, a materialization started in
  the UI) is posted once, naming the run id, the job, its dates, each failed step with its error, and a link
  to the run.
* ``bronze_check_failure_alert``: every failed asset check evaluation of severity ERROR (the history checks
  ``never_shrinks``, ``unique_latest_keys``, ``all_games_merged``, the freshness checks; the staging checks)
  is posted once per run, whether or not the run failed: non-blocking checks leave their run green.

With no destination set both are registered stopped and their descriptions say why. ``verify`` is a CLI
command, not a job: ``python -m nhl_bronze.automation.alerts`` posts a test alert, or (``--summary``,
``--details-file``) a failed ``verify`` from a cron line, to the same destinations (docs/DEPLOYMENT.md, "Alerts").

Delivery: each destination gets every alert with a timeout, and once more when that fails. One that still
fails is logged by its name (never its URL or token: both are secrets) and the tick says so: the run-failure
sensor's tick fails (Dagster shows the error on the tick and still moves past the run, so working destinations
are not sent the same alert again), the check sensor's tick is skipped with the undelivered alerts as reason.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote, urlsplit

import dagster as dg
import httpx

from nhl_bronze.settings import (
    ALERT_SLACK_CHANNEL,
    ALERT_SLACK_TOKEN,
    ALERT_TEAMS_WEBHOOK_URL,
    ALERT_WEBHOOK_URL,
    AlertSettings,
    alert_settings,
)

if TYPE_CHECKING:
    from dagster_shared.error import SerializableErrorInfo

RUN_FAILURE_SENSOR = "bronze_run_failure_alert"
CHECK_FAILURE_SENSOR = "bronze_check_failure_alert"
ATTEMPTS = 2  # the first post and one retry
MAX_ERROR_CHARS = 2000  # a step's error in an alert (a Slack message holds ~40,000 characters, a Teams card ~28 KB)
MAX_RECORDS = 20  # rows of a table-valued check metadata (e.g. the failed games) copied into an alert
EVALUATIONS_PER_TICK = 1000
NO_DESTINATION = (f"Not configured: set {ALERT_WEBHOOK_URL}, {ALERT_SLACK_TOKEN} + {ALERT_SLACK_CHANNEL} or "
                  f"{ALERT_TEAMS_WEBHOOK_URL} where the code location runs, then restart it.")


class AlertNotDelivered(Exception):
    """An alert that no retry got to one or more destinations (named, with the reason)."""


@dataclass(frozen=True)
class Alert:
    """What a person is told. ``payload()`` is the webhook's JSON body; ``text()`` the Slack/Teams message."""

    kind: str  # "run_failure" or "check_failure"
    summary: str  # the line to read first
    run_id: str
    job: str
    dates: str | None  # "2024-10-09", "2024-10-04..2024-10-11", or None (an unpartitioned run)
    failures: list[dict[str, Any]] = field(default_factory=list)  # per failed step or check
    run_url: str | None = None

    def payload(self) -> dict[str, Any]:
        return {"source": "nhl-bronze", **asdict(self)}

    def text(self) -> str:
        lines = [self.summary]
        for failure in self.failures:
            what = failure.get("step") or f"{failure.get('asset')} / {failure.get('check')}"
            message = failure.get("error") or failure.get("description") or ""
            # A step's error opens with its reason (game, date, URL); a command's output ends with it.
            lines.append(f"- {what}: {message.strip() if self.kind == 'manual' else first_line(message)}")
        if self.run_url:
            lines.append(f"Run: {self.run_url}")
        return "\n".join(lines)


HEADLINE_REASON_CHARS = 200  # per failed step in the summary; the step's line below it is whole
DAGSTER_FAILURE_PREFIX = "dagster._core.definitions.events.Failure: "  # how Dagster renders a dg.Failure


def first_line(message: str) -> str:
    stripped = message.strip()
    return stripped.splitlines()[0] if stripped else "no message"


def shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


# Dagster's wrappers around the exception user code raised: their own message names only the op
DAGSTER_WRAPPERS = ("DagsterExecutionStepExecutionError", "DagsterUserCodeExecutionError",
                    "DagsterResourceFunctionError")


def step_error(message: str | None) -> str:
    """A step's error as a person reads it: without Dagster's class path for a ``dg.Failure`` (other
    exceptions keep their type), capped."""
    text = (message or "").strip()
    return text.removeprefix(DAGSTER_FAILURE_PREFIX)[:MAX_ERROR_CHARS]


def error_text(error: SerializableErrorInfo | None) -> str:
    """The error a step failed with: the exception the project's code raised (``ScheduleFetchError: schedule of
    the week of 2024-10-09: gave up: ConnectError ...``), not Dagster's "Error occurred while executing op"."""
    while error is not None and error.cls_name in DAGSTER_WRAPPERS and error.cause is not None:
        error = error.cause
    if error is None:
        return ""
    module_path, sep, rest = error.message.partition(": ")
    if sep and error.cls_name and module_path.endswith(error.cls_name) and error.cls_name != "Failure":
        return step_error(f"{error.cls_name}: {rest}")  # the class without its module path
    return step_error(error.message)


def run_dates(tags: dict[str, str]) -> str | None:
    """The run's game dates from Dagster's tags: one partition, or the first..last of a single-run range."""
    if "dagster/partition" in tags:
        return tags["dagster/partition"]
    start, end = tags.get("dagster/asset_partition_range_start"), tags.get("dagster/asset_partition_range_end")
    return f"{start}..{end}" if start and end else None


def run_url(ui_url: str | None, run_id: str) -> str | None:
    return f"{ui_url.rstrip('/')}/runs/{run_id}" if ui_url else None


def check_url(ui_url: str | None, asset_key: dg.AssetKey) -> str | None:
    return f"{ui_url.rstrip('/')}/assets/{'/'.join(quote(part) for part in asset_key.path)}?view=checks" \
        if ui_url else None


def run_failure_alert(run: dg.DagsterRun, step_failures: Sequence[tuple[str | None, str]], run_error: str | None,
                      ui_url: str | None) -> Alert:
    """``step_failures``: (step key, error message) per failed step; ``run_error`` is the run's own failure
    message, which is all there is when no step failed (a resource that did not start, a crashed worker)."""
    dates = run_dates(dict(run.tags))
    failures = [{"step": step, "error": step_error(error)} for step, error in step_failures]
    if not failures:
        failures = [{"step": None, "error": step_error(run_error or "run failed before any step")}]
    where = f" for {dates}" if dates else ""
    reasons = "; ".join(f"{f['step'] or 'run'}: {shortened(first_line(f['error']), HEADLINE_REASON_CHARS)}"
                        for f in failures)
    return Alert(kind="run_failure", summary=f"nhl-bronze: {run.job_name} failed{where}: {reasons}",
                 run_id=run.run_id, job=run.job_name, dates=dates, failures=failures,
                 run_url=run_url(ui_url, run.run_id))


def check_failure_alert(run: dg.DagsterRun | None, run_id: str, evaluations: Sequence[dg.AssetCheckEvaluation],
                        ui_url: str | None) -> Alert:
    tags = dict(run.tags) if run is not None else {}
    dates = run_dates(tags)
    job = run.job_name if run is not None else "(unknown run)"
    failures = [{
        "asset": evaluation.asset_key.to_user_string(),
        "check": evaluation.check_name,
        "severity": evaluation.severity.value,
        "partition": evaluation.partition,
        "description": evaluation.description,
        "metadata": {name: _plain(value) for name, value in evaluation.metadata.items()},
        "check_url": check_url(ui_url, evaluation.asset_key),
    } for evaluation in evaluations]
    names = ", ".join(f"{f['asset']} / {f['check']}" for f in failures)
    where = f" for {dates}" if dates else ""
    return Alert(kind="check_failure", summary=f"nhl-bronze: {len(failures)} check(s) failed in {job}{where}: "
                 f"{names}", run_id=run_id, job=job, dates=dates, failures=failures,
                 run_url=run_url(ui_url, run_id))


def _plain(value: dg.MetadataValue) -> Any:
    """A metadata value as JSON: numbers and text as they are, a table as its first rows."""
    if isinstance(value, dg.TableMetadataValue):
        return [dict(record.data) for record in value.records[:MAX_RECORDS]]
    raw = value.value
    return raw if isinstance(raw, (str, int, float, bool)) or raw is None else str(raw)


class Destination(Protocol):
    name: str  # says where, never a secret

    def send(self, alert: Alert) -> None: ...

    def secrets(self) -> list[str]: ...


def _url_secrets(url: str) -> list[str]:
    # A webhook's path and query hold its credential (Slack, Teams, most receivers): an HTTP library's error
    # may quote the whole URL or only its path.
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return [url, *([path] if len(path) > 1 else [])]


@dataclass(frozen=True)
class WebhookDestination:
    """A plain JSON POST (``Alert.payload()``); any 2xx answer is delivery."""

    url: str
    timeout_seconds: float
    name: str = "webhook"

    def send(self, alert: Alert) -> None:
        response = httpx.post(self.url, json=alert.payload(), timeout=self.timeout_seconds)
        if not response.is_success:
            raise AlertNotDelivered(f"HTTP {response.status_code} {response.text[:200]!r}")

    def secrets(self) -> list[str]:
        return _url_secrets(self.url)


@dataclass(frozen=True)
class SlackDestination:
    """``chat.postMessage`` through slack_sdk, the client of the official dagster-slack integration (extra
    ``alerts``). Dagster's own ``make_slack_on_run_failure_sensor`` sets no timeout and knows no check failure."""

    token: str
    channel: str
    timeout_seconds: float
    base_url: str | None = None  # Slack's API unless set (the tests' loopback receiver)

    @property
    def name(self) -> str:
        return f"slack {self.channel}"

    def send(self, alert: Alert) -> None:
        from slack_sdk import WebClient

        client = WebClient(token=self.token, timeout=max(1, round(self.timeout_seconds)), retry_handlers=[],
                           **({"base_url": self.base_url} if self.base_url else {}))
        client.chat_postMessage(channel=self.channel, text=alert.text())

    def secrets(self) -> list[str]:
        return [self.token]


@dataclass(frozen=True)
class TeamsDestination:
    """An adaptive card posted by the official dagster-msteams client (extra ``alerts``) to a Teams workflow
    webhook (a legacy ``*.webhook.office.com`` connector gets the card format it expects)."""

    url: str
    timeout_seconds: float
    name: str = "teams"

    def send(self, alert: Alert) -> None:
        from dagster_msteams import Card
        from dagster_msteams.adaptive_card import AdaptiveCard
        from dagster_msteams.client import TeamsClient

        client = TeamsClient(hook_url=self.url, timeout=self.timeout_seconds)
        card = Card() if client.is_legacy_webhook() else AdaptiveCard()
        card.add_attachment(alert.text().replace("\n", "\n\n"))  # a single newline is no line break in a card
        client.post_message(card.payload)

    def secrets(self) -> list[str]:
        return _url_secrets(self.url)


def destinations_from(settings: AlertSettings) -> list[Destination]:
    destinations: list[Destination] = []
    if settings.webhook_url:
        destinations.append(WebhookDestination(settings.webhook_url, settings.timeout_seconds))
    if settings.slack_token and settings.slack_channel:
        destinations.append(SlackDestination(settings.slack_token, settings.slack_channel, settings.timeout_seconds))
    if settings.teams_webhook_url:
        destinations.append(TeamsDestination(settings.teams_webhook_url, settings.timeout_seconds))
    return destinations


def redact(message: str, secrets: Iterable[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            message = message.replace(secret, "<redacted>")
    return message


def deliver(alert: Alert, destinations: Sequence[Destination], log) -> list[str]:
    """Posts ``alert`` to each destination, at most ``ATTEMPTS`` times; returns "<name>: <reason>" for each that
    failed every time (also logged as an error)."""
    undelivered: list[str] = []
    subject = f"{alert.kind} alert" + (f" for run {alert.run_id}" if alert.run_id else "")
    for destination in destinations:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                destination.send(alert)
            except Exception as error:  # any library's error: the next destination must still be tried
                reason = redact(f"{type(error).__name__}: {error}", destination.secrets())
                if attempt < ATTEMPTS:
                    log.warning(f"{subject} to {destination.name} failed ({reason}); retrying once")
                    continue
                log.error(f"{subject} NOT delivered to {destination.name} after {ATTEMPTS} attempts: {reason}")
                undelivered.append(f"{destination.name}: {reason}")
            else:
                log.info(f"{subject} posted to {destination.name}")
                break
    return undelivered


def _described(what: str, destinations: Sequence[Destination]) -> str:
    where = ", ".join(d.name for d in destinations)
    return f"{what} Posts to: {where}." if destinations else f"{what} {NO_DESTINATION}"


def build_run_failure_alert(settings: AlertSettings,
                            destinations: Sequence[Destination] | None = None) -> dg.SensorDefinition:
    destinations = destinations_from(settings) if destinations is None else destinations

    @dg.run_failure_sensor(
        name=RUN_FAILURE_SENSOR,
        # Every run on the instance: a run of this code location's jobs (schedules, sensors, the UI), and the
        # runs `nhl-bronze backfill` executes in its own process, which no code location claims.
        monitor_all_code_locations=True,
        default_status=dg.DefaultSensorStatus.RUNNING if destinations else dg.DefaultSensorStatus.STOPPED,
        description=_described("Tells a person about each failed run on this instance: run id, job, dates, "
                               "each failed step and its error, a link to the run (NHL_BRONZE_UI_URL). A "
                               "destination that fails twice fails the tick, naming it.", destinations),
    )
    def bronze_run_failure_alert(context: dg.RunFailureSensorContext) -> None:
        if not destinations:
            context.log.warning(f"run {context.dagster_run.run_id} failed; no alert sent. {NO_DESTINATION}")
            return
        step_failures = [(event.step_key, error_text(event.step_failure_data.error))
                         for event in context.get_step_failure_events()]
        alert = run_failure_alert(context.dagster_run, step_failures, context.failure_event.message, settings.ui_url)
        undelivered = deliver(alert, destinations, context.log)
        if undelivered:
            raise AlertNotDelivered(f"alert for failed run {alert.run_id} not delivered: " + "; ".join(undelivered))

    return bronze_run_failure_alert


def failed_error_evaluations(records: Iterable[dg.EventLogRecord],
                             known: Callable[[dg.AssetCheckKey], bool]) -> dict[str, list[dg.AssetCheckEvaluation]]:
    """Per run id, in event order: the evaluations that failed with severity ERROR, of checks ``known`` keeps."""
    by_run: dict[str, list[dg.AssetCheckEvaluation]] = {}
    for record in records:
        event = record.event_log_entry.dagster_event
        evaluation = event.event_specific_data if event is not None else None
        if (isinstance(evaluation, dg.AssetCheckEvaluation) and not evaluation.passed
                and evaluation.severity == dg.AssetCheckSeverity.ERROR and known(evaluation.asset_check_key)):
            by_run.setdefault(record.event_log_entry.run_id, []).append(evaluation)
    return by_run


def build_check_failure_alert(settings: AlertSettings,
                              destinations: Sequence[Destination] | None = None) -> dg.SensorDefinition:
    destinations = destinations_from(settings) if destinations is None else destinations

    @dg.sensor(
        name=CHECK_FAILURE_SENSOR,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING if destinations else dg.DefaultSensorStatus.STOPPED,
        description=_described("Tells a person about each red asset check of severity ERROR (history: "
                               "never_shrinks, unique_latest_keys, all_games_merged, freshness), one alert per "
                               "run: asset, check, partition, its metadata, links to the run and the checks.",
                               destinations),
    )
    def bronze_check_failure_alert(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
        if not destinations:
            return dg.SkipReason(NO_DESTINATION)
        storage = context.instance.event_log_storage
        if context.cursor is None:
            # A new sensor starts after the newest evaluation: it reports what happens from now on.
            latest = storage.get_event_records(
                dg.EventRecordsFilter(dg.DagsterEventType.ASSET_CHECK_EVALUATION), limit=1, ascending=False)
            start = latest[0].storage_id if latest else 0
            return dg.SensorResult(skip_reason=f"watching check evaluations after #{start}", cursor=str(start))
        records = storage.get_event_records(
            dg.EventRecordsFilter(dg.DagsterEventType.ASSET_CHECK_EVALUATION, after_cursor=int(context.cursor)),
            limit=EVALUATIONS_PER_TICK, ascending=True)
        if not records:
            return dg.SkipReason("no new check evaluation")
        own_checks = context.repository_def.asset_graph.asset_check_keys if context.repository_def else None
        by_run = failed_error_evaluations(records, lambda key: own_checks is None or key in own_checks)
        undelivered: list[str] = []
        for run_id, evaluations in by_run.items():
            alert = check_failure_alert(context.instance.get_run_by_id(run_id), run_id, evaluations,
                                        settings.ui_url)
            undelivered += [f"run {run_id}: {reason}" for reason in deliver(alert, destinations, context.log)]
        # Past every evaluation read, delivered or not: a destination that is down must not make the others
        # receive the same alert on every tick (the skip reason and the log name what was lost).
        cursor = str(records[-1].storage_id)
        if undelivered:
            return dg.SensorResult(skip_reason="NOT DELIVERED: " + "; ".join(undelivered), cursor=cursor)
        return dg.SensorResult(skip_reason=f"{len(by_run)} alert(s) posted ({len(records)} evaluation(s) read)",
                               cursor=cursor)

    return bronze_check_failure_alert


def alert_definitions(settings: AlertSettings) -> dg.Definitions:
    destinations = destinations_from(settings)
    return dg.Definitions(sensors=[build_run_failure_alert(settings, destinations),
                                   build_check_failure_alert(settings, destinations)])


def main(argv: Sequence[str] | None = None) -> int:
    """Posts one alert to the configured destinations: a test, or a failed command's last lines. Exit 0 when
    every destination got it, 1 when one did not, 2 when none is configured."""
    parser = argparse.ArgumentParser(prog="python -m nhl_bronze.automation.alerts", description=main.__doc__)
    parser.add_argument("--summary", default="nhl-bronze: test alert (nothing failed)",
                        help="the alert's first line, e.g. 'nhl-bronze verify failed on host X'")
    parser.add_argument("--details-file", help="a file whose last 40 lines go into the alert (e.g. verify's output)")
    args = parser.parse_args(argv)
    settings = alert_settings()
    destinations = destinations_from(settings)
    if not destinations:
        print(NO_DESTINATION, file=sys.stderr)
        return 2
    details = ""
    if args.details_file:
        with open(args.details_file, encoding="utf-8", errors="replace") as handle:
            details = "\n".join(handle.read().splitlines()[-40:])[-MAX_ERROR_CHARS:]
    alert = Alert(kind="manual" if args.details_file else "test", summary=args.summary, run_id="", job="",
                  dates=None, failures=[{"step": "output", "error": details}] if details else [])
    log = dg.get_dagster_logger("nhl_bronze.alerts")
    undelivered = deliver(alert, destinations, log)
    for destination in destinations:
        prefix = f"{destination.name}: "
        failed = next((reason[len(prefix):] for reason in undelivered if reason.startswith(prefix)), None)
        print(f"{prefix}{'NOT delivered: ' + failed if failed else 'delivered'}")
    return 1 if undelivered else 0


if __name__ == "__main__":
    sys.exit(main())
