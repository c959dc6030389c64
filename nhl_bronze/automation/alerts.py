"""Alerts: a failed run or a red asset check reaches a person, through a plain webhook, Slack or Microsoft Teams.

Two sensors, built from ``settings.alert_settings()`` when the code location loads:

* ``bronze_run_failure_alert`` (Dagster's ``run_failure_sensor``): every failed run on the instance (the daily
  and sensor runs, backfills from the UI or ``nhl-bronze backfill``, maintenance, a materialization started in
  the UI) is posted once, naming the run id, the job, its dates, each failed step with its error, the run's
  red checks (as below), and a link to the run.
* ``bronze_check_failure_alert`` (a ``run_status_sensor`` on SUCCESS): a run that succeeded with failed asset
  checks of severity ERROR (non-blocking checks leave their run green: ``never_shrinks``,
  ``unique_latest_keys``, the freshness checks, ``all_games_staged``) is posted once, naming each check, its
  asset, partition and metadata (e.g. the failed games).

With no destination set both are registered stopped and their descriptions say why. ``verify`` is a CLI
command, not a job: ``python -m nhl_bronze.automation.alerts`` posts a test alert, or (``--summary``,
``--details-file``) a failed ``verify`` from a cron line, to the same destinations (docs/DEPLOYMENT.md, "Alerts").

Delivery: each destination gets every alert with a timeout, and once more when that fails. One that still
fails is logged by its name (never its URL or token: both are secrets) and fails the tick with an error naming
it; Dagster still moves past the run, so the destinations that got the alert are not sent it again.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
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
NO_DESTINATION = (f"Not configured: set {ALERT_WEBHOOK_URL}, {ALERT_SLACK_TOKEN} + {ALERT_SLACK_CHANNEL} or "
                  f"{ALERT_TEAMS_WEBHOOK_URL} where the code location runs, then restart it.")


class AlertNotDelivered(Exception):
    """An alert that no retry got to one or more destinations (named, with the reason)."""


@dataclass(frozen=True)
class Alert:
    """What a person is told. ``payload()`` is the webhook's JSON body; ``text()`` the Slack/Teams message."""

    kind: str  # "run_failure", "check_failure"; "test" or "manual" from ``main``
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
            message = failure.get("error") or failure.get("description") or _metadata_line(failure.get("metadata"))
            # A step's error opens with its reason (game, date, URL); a command's output ends with it.
            lines.append(f"- {what}: {message.strip() if self.kind == 'manual' else first_line(message)}")
        if self.run_url:
            lines.append(f"Run: {self.run_url}")
        return "\n".join(lines)


def _metadata_line(metadata: dict[str, Any] | None) -> str:
    """A check's metadata in one line of a message: values as they are, a table by its row count."""
    return ", ".join(f"{name}: {len(value)} row(s)" if isinstance(value, list) else f"{name}={value}"
                     for name, value in (metadata or {}).items())


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


def check_failures(evaluations: Sequence[dg.AssetCheckEvaluation], ui_url: str | None) -> list[dict[str, Any]]:
    return [{
        "asset": evaluation.asset_key.to_user_string(),
        "check": evaluation.check_name,
        "severity": evaluation.severity.value,
        "partition": evaluation.partition,
        "description": evaluation.description,
        "metadata": {name: _plain(value) for name, value in evaluation.metadata.items()},
        "check_url": check_url(ui_url, evaluation.asset_key),
    } for evaluation in evaluations]


def _check_names(failures: Sequence[dict[str, Any]]) -> str:
    return ", ".join(f"{f['asset']} / {f['check']}" for f in failures)


def run_failure_alert(run: dg.DagsterRun, step_failures: Sequence[tuple[str | None, str]], run_error: str | None,
                      red_checks: Sequence[dg.AssetCheckEvaluation], ui_url: str | None) -> Alert:
    """``step_failures``: (step key, error message) per failed step; ``run_error`` is the run's own failure
    message, which is all there is when no step failed (a resource that did not start, a crashed worker);
    ``red_checks``: the run's failed ERROR checks, told in the same alert."""
    dates = run_dates(dict(run.tags))
    steps = [{"step": step, "error": step_error(error)} for step, error in step_failures]
    if not steps:
        steps = [{"step": None, "error": step_error(run_error or "run failed before any step")}]
    checks = check_failures(red_checks, ui_url)
    where = f" for {dates}" if dates else ""
    reasons = "; ".join(f"{f['step'] or 'run'}: {shortened(first_line(f['error']), HEADLINE_REASON_CHARS)}"
                        for f in steps)
    red = f" ({len(checks)} red check(s): {_check_names(checks)})" if checks else ""
    return Alert(kind="run_failure", summary=f"nhl-bronze: {run.job_name} failed{where}: {reasons}{red}",
                 run_id=run.run_id, job=run.job_name, dates=dates, failures=steps + checks,
                 run_url=run_url(ui_url, run.run_id))


def check_failure_alert(run: dg.DagsterRun, red_checks: Sequence[dg.AssetCheckEvaluation],
                        ui_url: str | None) -> Alert:
    """A run that succeeded with red checks (non-blocking checks do not stop their run)."""
    dates = run_dates(dict(run.tags))
    checks = check_failures(red_checks, ui_url)
    where = f" for {dates}" if dates else ""
    return Alert(kind="check_failure", summary=f"nhl-bronze: {run.job_name} succeeded{where} with "
                 f"{len(checks)} red check(s): {_check_names(checks)}", run_id=run.run_id, job=run.job_name,
                 dates=dates, failures=checks, run_url=run_url(ui_url, run.run_id))


def red_checks_of_run(context: dg.RunStatusSensorContext) -> list[dg.AssetCheckEvaluation]:
    """The run's check evaluations that failed with severity ERROR, of checks this code location defines (all
    checks when it is not known, as in a test)."""
    repository = context.repository_def
    own = repository.asset_graph.asset_check_keys if repository is not None else None
    red: list[dg.AssetCheckEvaluation] = []
    for record in context.instance.all_logs(context.dagster_run.run_id,
                                            of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = record.dagster_event.event_specific_data if record.dagster_event is not None else None
        if (isinstance(evaluation, dg.AssetCheckEvaluation) and not evaluation.passed
                and evaluation.severity == dg.AssetCheckSeverity.ERROR
                and (own is None or evaluation.asset_check_key in own)):
            red.append(evaluation)
    return red


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


def _send(context: dg.RunStatusSensorContext, alert: Alert, destinations: Sequence[Destination]) -> None:
    undelivered = deliver(alert, destinations, context.log)
    if undelivered:
        # Dagster marks the tick failed with this error and still moves past the run: the destinations that
        # got the alert do not get it again on every tick.
        raise AlertNotDelivered(f"{alert.kind} alert for run {alert.run_id} not delivered: " + "; ".join(undelivered))


def _status(destinations: Sequence[Destination]) -> dg.DefaultSensorStatus:
    return dg.DefaultSensorStatus.RUNNING if destinations else dg.DefaultSensorStatus.STOPPED


def build_run_failure_alert(settings: AlertSettings,
                            destinations: Sequence[Destination] | None = None) -> dg.SensorDefinition:
    destinations = destinations_from(settings) if destinations is None else destinations

    @dg.run_failure_sensor(
        name=RUN_FAILURE_SENSOR,
        # Every run on the instance: a run of this code location's jobs (schedules, sensors, the UI), and the
        # runs `nhl-bronze backfill` executes in its own process, which no code location claims.
        monitor_all_code_locations=True,
        default_status=_status(destinations),
        description=_described("Tells a person about each failed run on this instance: run id, job, dates, "
                               "each failed step and its error, its red checks, a link to the run "
                               "(NHL_BRONZE_UI_URL). A destination that fails twice fails the tick, naming it.",
                               destinations),
    )
    def bronze_run_failure_alert(context: dg.RunFailureSensorContext) -> None:
        if not destinations:
            context.log.warning(f"run {context.dagster_run.run_id} failed; no alert sent. {NO_DESTINATION}")
            return
        step_failures = [(event.step_key, error_text(event.step_failure_data.error))
                         for event in context.get_step_failure_events()]
        _send(context, run_failure_alert(context.dagster_run, step_failures, context.failure_event.message,
                                         red_checks_of_run(context), settings.ui_url), destinations)

    return bronze_run_failure_alert


def build_check_failure_alert(settings: AlertSettings,
                              destinations: Sequence[Destination] | None = None) -> dg.SensorDefinition:
    destinations = destinations_from(settings) if destinations is None else destinations

    # A run status sensor, not a scan of the event log: Dagster keeps its cursor on every event log storage
    # (the default SQLite one is sharded per run and has no global order of check evaluations).
    @dg.run_status_sensor(
        run_status=dg.DagsterRunStatus.SUCCESS,
        name=CHECK_FAILURE_SENSOR,
        monitor_all_code_locations=True,
        default_status=_status(destinations),
        description=_described("Tells a person about each run that succeeded with red asset checks of severity "
                               "ERROR (non-blocking checks, e.g. never_shrinks, unique_latest_keys, freshness, "
                               "all_games_staged): asset, check, partition, metadata, links to the run and the "
                               "checks. A failed run's red checks go with its run-failure alert.", destinations),
    )
    def bronze_check_failure_alert(context: dg.RunStatusSensorContext) -> None:
        if not destinations:
            return
        red = red_checks_of_run(context)
        if red:
            _send(context, check_failure_alert(context.dagster_run, red, settings.ui_url), destinations)

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
