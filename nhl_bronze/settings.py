"""Every environment variable of the project, read here and nowhere else.

Nothing is read at import: ``definitions.py`` calls ``load()`` (and passes ``dg.EnvVar``s to the resources, so
the launchpad shows where a value comes from and Dagster resolves it at run time).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from nhl_bronze.domain.dates import FIRST_GAME_DATE as DEFAULT_FIRST_GAME_DATE
from nhl_bronze.domain.seasons import EARLIEST_GAME_DATE

# the first partition (game date) of every partitioned asset; the automation and coverage start there too
FIRST_GAME_DATE = "NHL_BRONZE_FIRST_GAME_DATE"
# the lakehouse resource
DATA_DIR = "NHL_BRONZE_DATA_DIR"
# where the ledger of the protected tables lives (default: <data dir>/_nhl_bronze_ledger)
LEDGER_ROOT = "NHL_BRONZE_LEDGER_ROOT"
# the standard S3 endpoint variable: deltalake and polars read it themselves; the ledger's object reads
# (pyarrow, which does not) take it from here
AWS_ENDPOINT_URL = "AWS_ENDPOINT_URL"
# the ingest resource
SOURCE = "NHL_BRONZE_SOURCE"
PARSE_WORKERS = "NHL_BRONZE_PARSE_WORKERS"
# the clock resource
TODAY = "NHL_BRONZE_TODAY"
# the API resource
OFFLINE = "NHL_BRONZE_OFFLINE"
# env var -> (NhlApiResource field, type)
API_FIELDS: dict[str, tuple[str, type]] = {
    "NHL_WEB_API_URL": ("web_api_url", str),
    "NHL_STATS_API_URL": ("stats_api_url", str),
    "NHL_API_MAX_IN_FLIGHT": ("max_in_flight", int),
    "NHL_API_RATE_LIMIT": ("rate_limit", float),
    "NHL_API_TIMEOUT_SECONDS": ("timeout_seconds", float),
    "NHL_API_MAX_RETRIES": ("max_retries", int),
    "NHL_API_BACKOFF_BASE_SECONDS": ("backoff_base_seconds", float),
    "NHL_API_BACKOFF_MAX_SECONDS": ("backoff_max_seconds", float),
    "NHL_API_USER_AGENT": ("user_agent", str),
}
# automation
DAILY_CRON = "NHL_BRONZE_DAILY_CRON"
LOOKBACK_DAYS = "NHL_BRONZE_LOOKBACK_DAYS"
SENSOR_RECENT_DAYS = "NHL_BRONZE_SENSOR_RECENT_DAYS"
SENSOR_GAP_SCAN_DAYS = "NHL_BRONZE_SENSOR_GAP_SCAN_DAYS"
SCHEDULE_REFRESH_CRON = "NHL_BRONZE_SCHEDULE_REFRESH_CRON"
MAINTENANCE_CRON = "NHL_BRONZE_MAINTENANCE_CRON"
MAINTENANCE_RETENTION_HOURS = "NHL_BRONZE_MAINTENANCE_RETENTION_HOURS"
# backfills: unset = one run per backfill; N = runs of at most N dates, which a queue runs in parallel
BACKFILL_DAYS_PER_RUN = "NHL_BRONZE_BACKFILL_DAYS_PER_RUN"
# Dagster's own variable, read by the process that creates a run (webserver, daemon, CLI). Unset, creating a run
# over N dates logs N "materialization planned" events per asset and check (~25 s for three seasons of dates);
# "true" logs one per asset for the whole range. The price: a failed run's dates show as missing, not failed, in
# the UI. Nothing here reads Dagster's failed status: the sensors compare the stored schedule with history, and
# the run-failure sensor names each failed date. deploy/ and the benchmarks set it; see README.
SUBSET_PLANNED_EVENTS = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"
# Dagster's own variable, read by the process that executes a run: a step over N dates records N materializations
# per asset; with a batch size the PostgreSQL event log stores them in multi-row inserts instead of one
# round of statements each (other storages store them one by one either way). deploy/ sets it.
EVENT_BATCH_SIZE = "DAGSTER_EVENT_BATCH_SIZE"
DEPLOY_EVENT_BATCH_SIZE = "1000"
# Dagster's instance folder: where ``nhl-bronze backfill`` records its run (the UI's instance)
DAGSTER_HOME = "DAGSTER_HOME"
# alerts (``automation.alerts``): where a failed run or a red check is posted. None set: the alert sensors are
# registered stopped. The URLs and the token are secrets: never logged, never in a description or metadata.
ALERT_WEBHOOK_URL = "NHL_BRONZE_ALERT_WEBHOOK_URL"  # a plain JSON POST
ALERT_SLACK_TOKEN = "NHL_BRONZE_ALERT_SLACK_TOKEN"  # a bot token (xoxb-...), with the channel below
ALERT_SLACK_CHANNEL = "NHL_BRONZE_ALERT_SLACK_CHANNEL"
ALERT_TEAMS_WEBHOOK_URL = "NHL_BRONZE_ALERT_TEAMS_WEBHOOK_URL"  # a Teams workflow (or legacy connector) webhook
ALERT_TIMEOUT_SECONDS = "NHL_BRONZE_ALERT_TIMEOUT_SECONDS"
# the webserver's address as a person opens it (e.g. https://dagster.example.org): alerts link to the run
UI_URL = "NHL_BRONZE_UI_URL"

DEFAULT_FIRST_DATE = date.fromisoformat(DEFAULT_FIRST_GAME_DATE)
DEFAULT_DATA_DIR = "./data"
DEFAULT_DAILY_CRON = "0 10 * * *"  # 10:00 UTC: early morning in North America, after the night's games
DEFAULT_LOOKBACK_DAYS = 3
DEFAULT_SENSOR_RECENT_DAYS = 7  # dates before today checked on every tick for games that became final
DEFAULT_SENSOR_GAP_SCAN_DAYS = 14  # older dates checked per tick, walking back to the first partition
DEFAULT_SCHEDULE_REFRESH_CRON = "*/30 * * * *"
DEFAULT_ALERT_TIMEOUT_SECONDS = 10.0


def env(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The variable's value, or None when unset or blank."""
    value = (os.environ if environ is None else environ).get(name, "").strip()
    return value or None


def env_flag(name: str, environ: Mapping[str, str] | None = None) -> bool:
    return (env(name, environ) or "").lower() in ("1", "true", "yes")


def first_game_date(environ: Mapping[str, str] | None = None) -> date:
    """The first game date of the deployment (default 2023-10-01). Moving it earlier adds partitions before the
    old first one and touches no stored row; the code location reads it when it loads (a Dagster partitions
    definition is part of the asset definitions), so restart the webserver and daemon after changing it."""
    value = env(FIRST_GAME_DATE, environ) or DEFAULT_FIRST_GAME_DATE
    try:
        first = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{FIRST_GAME_DATE} must be a date like 2010-10-07, got {value!r}") from None
    if first < EARLIEST_GAME_DATE:
        raise ValueError(f"{FIRST_GAME_DATE}={value}: the NHL API serves play-by-play and shift charts from the "
                         f"2010-11 season on; the earliest first game date is {EARLIEST_GAME_DATE}")
    return first


def env_int(name: str, default: int, environ: Mapping[str, str] | None = None) -> int:
    value = env(name, environ)
    return int(value) if value is not None else default


@dataclass(frozen=True)
class AutomationSettings:
    """The schedules' and sensors' settings (their definitions are built once, at load)."""

    daily_cron: str = DEFAULT_DAILY_CRON
    lookback_days: int = DEFAULT_LOOKBACK_DAYS
    sensor_recent_days: int = DEFAULT_SENSOR_RECENT_DAYS
    sensor_gap_scan_days: int = DEFAULT_SENSOR_GAP_SCAN_DAYS
    schedule_refresh_cron: str = DEFAULT_SCHEDULE_REFRESH_CRON
    backfill_days_per_run: int | None = None
    first_game_date: date = DEFAULT_FIRST_DATE


def automation_settings(environ: Mapping[str, str] | None = None) -> AutomationSettings:
    return AutomationSettings(
        daily_cron=env(DAILY_CRON, environ) or DEFAULT_DAILY_CRON,
        lookback_days=env_int(LOOKBACK_DAYS, DEFAULT_LOOKBACK_DAYS, environ),
        sensor_recent_days=env_int(SENSOR_RECENT_DAYS, DEFAULT_SENSOR_RECENT_DAYS, environ),
        sensor_gap_scan_days=env_int(SENSOR_GAP_SCAN_DAYS, DEFAULT_SENSOR_GAP_SCAN_DAYS, environ),
        schedule_refresh_cron=env(SCHEDULE_REFRESH_CRON, environ) or DEFAULT_SCHEDULE_REFRESH_CRON,
        backfill_days_per_run=_positive_or_none(BACKFILL_DAYS_PER_RUN, environ),
        first_game_date=first_game_date(environ),
    )


def _positive_or_none(name: str, environ: Mapping[str, str] | None) -> int | None:
    value = env(name, environ)
    if value is None:
        return None
    days = int(value)
    if days < 1:
        raise ValueError(f"{name} must be a positive number of dates per run, got {value!r}")
    return days


@dataclass(frozen=True)
class AlertSettings:
    """Where the alert sensors post (``automation.alerts``); every field optional."""

    webhook_url: str | None = None
    slack_token: str | None = None
    slack_channel: str | None = None
    teams_webhook_url: str | None = None
    ui_url: str | None = None
    timeout_seconds: float = DEFAULT_ALERT_TIMEOUT_SECONDS


def alert_settings(environ: Mapping[str, str] | None = None) -> AlertSettings:
    slack_token, slack_channel = env(ALERT_SLACK_TOKEN, environ), env(ALERT_SLACK_CHANNEL, environ)
    if bool(slack_token) != bool(slack_channel):
        raise ValueError(f"Slack alerts need both {ALERT_SLACK_TOKEN} and {ALERT_SLACK_CHANNEL}; only "
                         f"{ALERT_SLACK_TOKEN if slack_token else ALERT_SLACK_CHANNEL} is set")
    timeout = env(ALERT_TIMEOUT_SECONDS, environ)
    timeout_seconds = float(timeout) if timeout is not None else DEFAULT_ALERT_TIMEOUT_SECONDS
    if not timeout_seconds > 0:
        raise ValueError(f"{ALERT_TIMEOUT_SECONDS} must be a positive number of seconds, got {timeout!r}")
    return AlertSettings(
        webhook_url=env(ALERT_WEBHOOK_URL, environ),
        slack_token=slack_token,
        slack_channel=slack_channel,
        teams_webhook_url=env(ALERT_TEAMS_WEBHOOK_URL, environ),
        ui_url=env(UI_URL, environ),
        timeout_seconds=timeout_seconds,
    )
