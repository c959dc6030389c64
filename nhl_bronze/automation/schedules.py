"""The daily schedule: one run over the last few game dates, staging -> history -> derived."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from nhl_bronze.automation.jobs import bronze_job, partition_range_tags, schedule_landing_job
from nhl_bronze.domain.dates import FIRST_GAME_DATE, NHL_TIMEZONE
from nhl_bronze.settings import DEFAULT_DAILY_CRON, DEFAULT_LOOKBACK_DAYS, DEFAULT_SCHEDULE_REFRESH_CRON

DEFAULT_FIRST_DATE = date.fromisoformat(FIRST_GAME_DATE)


def lookback_window(now_utc, lookback_days: int, first_game_date: date = DEFAULT_FIRST_DATE) -> tuple[date, date]:
    """The inclusive range of the ``lookback_days`` game dates before today (US Eastern), never before the first
    partition."""
    yesterday = now_utc.astimezone(ZoneInfo(NHL_TIMEZONE)).date() - timedelta(days=1)
    first = max(yesterday - timedelta(days=lookback_days - 1), first_game_date)
    return first, yesterday


def build_daily_schedule(cron: str = DEFAULT_DAILY_CRON, lookback_days: int = DEFAULT_LOOKBACK_DAYS,
                         first_game_date: date = DEFAULT_FIRST_DATE):
    @dg.schedule(
        name="daily",
        cron_schedule=cron,
        execution_timezone="UTC",
        job=bronze_job,
        description=f"Every day ({cron} UTC): one run over the last {lookback_days} game dates. Games that "
        "became final late, or were corrected, are picked up by the overlap; re-runs never duplicate history.",
    )
    def daily(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        first, last = lookback_window(context.scheduled_execution_time, lookback_days, first_game_date)
        return dg.RunRequest(
            # Stable per window: a re-evaluated tick never launches the same window twice.
            run_key=f"daily:{first}..{last}",
            tags={**partition_range_tags(first.isoformat(), last.isoformat()), "nhl_bronze/trigger": "daily"},
        )

    return daily


def build_schedule_refresh(cron: str = DEFAULT_SCHEDULE_REFRESH_CRON) -> dg.ScheduleDefinition:
    """Lands the recent and upcoming schedule for ``final_games_sensor`` (which reads it, never the API)."""
    return dg.ScheduleDefinition(
        name="schedule_refresh", cron_schedule=cron, execution_timezone="UTC", job=schedule_landing_job,
        description=f"{cron} UTC: land the recent and upcoming NHL schedule in the raw store.",
    )
