"""Freshness per partition: a game date that should be in history by now and is not shows red in the UI.

A date's games end by ~1 a.m. US Eastern the next day and the ``daily`` run (default 10:00 UTC, i.e. 5-6 a.m.
Eastern) merges them; by 8 a.m. Eastern each day the previous date's partition of both history tables must
have been materialized. The checks are evaluated by ``bronze_freshness_sensor`` (off by default, like
every sensor that costs a tick; turn it on in the UI next to the ``daily`` schedule), and by any run that selects
them (the UI selects an asset's checks with it).

"Now" is the ``clock`` resource's: ``NHL_BRONZE_TODAY`` when set, which is also the offline simulator's "today"
(``definitions.nhl_api_from_env``), so an offline or demo instance is judged against the day its simulated
league is at, not the machine's calendar (the demo prints its ``dagster dev`` command with it). A pretended
day counts as past its 8 a.m. deadline.

These checks ask for the partition that is due; a ``FreshnessPolicy`` would judge the asset's newest
materialization of any partition, so a backfill of old dates would make a table look fresh while yesterday is
missing. ``bronze_job`` does not select them (``automation.jobs``): a run over other dates does not answer that
question, the daily run ends before the deadline, and a range run would record one planned row per date for each
check.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from nhl_bronze.domain.dates import NHL_TIMEZONE
from nhl_bronze.resources.clock import ClockResource
from nhl_bronze.storage.tables import GAMES_HISTORICAL_HISTORY, PLAYER_GAME_STATS_HISTORY

DEADLINE = time(8)  # US Eastern: two to three hours after the daily run
HISTORY_KEYS = (dg.AssetKey(PLAYER_GAME_STATS_HISTORY.name), dg.AssetKey(GAMES_HISTORICAL_HISTORY.name))
CHECK_NAME = "freshness_check"
RULE = (
    "Fresh when the game date that is due is in this history table: at or after 8 a.m. US Eastern on day D, "
    "date D-1 (before 8 a.m., D-2). Day D is NHL_BRONZE_TODAY when set (an offline or demo instance: the "
    "simulator's today, a pretended day counting as past 8 a.m.), else the real US Eastern date. Off-season dates "
    "count too: the daily run materializes them, empty. Red names the newest date present and the one expected."
)


def due_game_date(now: datetime) -> date:
    """The game date that must be in history at ``now`` (an aware datetime): the day before the last deadline."""
    eastern = now.astimezone(ZoneInfo(NHL_TIMEZONE))
    deadline_day = eastern.date() if eastern.time() >= DEADLINE else eastern.date() - timedelta(days=1)
    return deadline_day - timedelta(days=1)


def judged_now(clock: ClockResource) -> datetime:
    """The moment the check judges: the clock's pretended day just after its deadline, else the real now."""
    if clock.today:
        return datetime.combine(date.fromisoformat(clock.today), DEADLINE, ZoneInfo(NHL_TIMEZONE))
    return datetime.now(ZoneInfo(NHL_TIMEZONE))


def freshness_result(key: dg.AssetKey, present: set[str], due: date) -> dg.AssetCheckResult:
    newest = max(present) if present else None
    passed = due.isoformat() in present
    if passed:
        text = f"{key.to_user_string()}: the due game date {due} is in history (newest date present: {newest})"
    else:
        text = (f"{key.to_user_string()}: game date {due} is due by 8 a.m. US Eastern and is not in history; "
                f"the newest date present is {newest or 'none (never materialized)'}")
    return dg.AssetCheckResult(
        asset_key=key, check_name=CHECK_NAME, passed=passed, severity=dg.AssetCheckSeverity.ERROR,
        description=text,
        metadata={"expected_date": due.isoformat(), "newest_date_present": newest or "none", "result": text},
    )


@dg.multi_asset_check(
    specs=[dg.AssetCheckSpec(CHECK_NAME, asset=key, description=RULE) for key in HISTORY_KEYS],
    name="bronze_history_freshness",
    can_subset=True,
)
def history_freshness(context: dg.AssetCheckExecutionContext, clock: ClockResource):
    due = due_game_date(judged_now(clock))
    for check_key in context.selected_asset_check_keys:
        present = context.instance.get_materialized_partitions(check_key.asset_key)
        yield freshness_result(check_key.asset_key, present, due)


history_freshness_checks = [history_freshness]
FRESHNESS_CHECK_KEYS = list(history_freshness.check_keys)

bronze_freshness_job = dg.define_asset_job(
    "bronze_freshness_job", selection=dg.AssetSelection.checks(*FRESHNESS_CHECK_KEYS),
    description="Evaluate the history tables' freshness checks (run by bronze_freshness_sensor).",
)


@dg.sensor(job=bronze_freshness_job, minimum_interval_seconds=15 * 60,
           default_status=dg.DefaultSensorStatus.STOPPED)
def bronze_freshness_sensor(context: dg.SensorEvaluationContext):
    """Evaluates the history freshness checks once an hour (off by default: turn it on next to ``daily``)."""
    now = datetime.now(ZoneInfo(NHL_TIMEZONE))
    yield dg.RunRequest(run_key=f"freshness {now:%Y-%m-%dT%H}")


def freshness_definitions() -> dg.Definitions:
    return dg.Definitions(asset_checks=history_freshness_checks, jobs=[bronze_freshness_job],
                          sensors=[bronze_freshness_sensor])
