"""The daily schedule: one run over the last few game dates, staging -> history -> derived."""

import os
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from nhl_bronze.automation.jobs import bronze_job, partition_range_tags
from nhl_bronze.domain.dates import FIRST_GAME_DATE, NHL_TIMEZONE

DAILY_CRON_ENV = "NHL_BRONZE_DAILY_CRON"
LOOKBACK_DAYS_ENV = "NHL_BRONZE_LOOKBACK_DAYS"
DEFAULT_DAILY_CRON = "0 10 * * *"  # 10:00 UTC: early morning in North America, after the night's games
DEFAULT_LOOKBACK_DAYS = 3


def lookback_window(now_utc, lookback_days: int) -> tuple[date, date]:
    """The inclusive range of the ``lookback_days`` game dates before today (US Eastern)."""
    yesterday = now_utc.astimezone(ZoneInfo(NHL_TIMEZONE)).date() - timedelta(days=1)
    first = max(yesterday - timedelta(days=lookback_days - 1), date.fromisoformat(FIRST_GAME_DATE))
    return first, yesterday


def build_daily_schedule(cron: str = DEFAULT_DAILY_CRON, lookback_days: int = DEFAULT_LOOKBACK_DAYS):
    @dg.schedule(
        name="daily",
        cron_schedule=cron,
        execution_timezone="UTC",
        job=bronze_job,
        description=f"Every day ({cron} UTC): one run over the last {lookback_days} game dates. Games that "
        "became final late, or were corrected, are picked up by the overlap; re-runs never duplicate history.",
    )
    def daily(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        first, last = lookback_window(context.scheduled_execution_time, lookback_days)
        return dg.RunRequest(
            # Stable per window: a re-evaluated tick never launches the same window twice.
            run_key=f"daily:{first}..{last}",
            tags={**partition_range_tags(first.isoformat(), last.isoformat()), "nhl_bronze/trigger": "daily"},
        )

    return daily


def daily_schedule_from_env() -> dg.ScheduleDefinition:
    return build_daily_schedule(
        os.environ.get(DAILY_CRON_ENV) or DEFAULT_DAILY_CRON,
        int(os.environ.get(LOOKBACK_DAYS_ENV) or DEFAULT_LOOKBACK_DAYS),
    )
